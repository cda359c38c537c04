package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

type job struct {
	seq int64
	row table.Row
}

type result struct {
	seq int64
	rec writers.Record
}

type run struct {
	opts     Options
	client   llm.Client
	lim      *limiter
	stats    *counters
	shared   *shared
	refusals refusals
	tokens   *tokenBucket // nil without a TPM limit
	counter  cost.Counter
	base     time.Duration // first backoff step
	// reqCtx carries requests: it ends Grace after the run's ctx does,
	// so answers already paid for can still arrive and be recorded.
	reqCtx context.Context
}

func newRun(c llm.Client, opts Options) *run {
	rn := &run{
		opts:   opts,
		client: c,
		lim:    newLimiter(opts.RPM),
		stats:  &counters{start: time.Now(), total: opts.Total},
		shared: newShared(opts.Cache),
		base:   500 * time.Millisecond,
	}
	if opts.TPM > 0 {
		rn.tokens = newTokenBucket(opts.TPM)
		rn.counter = cost.CounterFor(opts.Model)
	}
	return rn
}

// graceful sets reqCtx to end Grace after ctx does.
func (rn *run) graceful(ctx context.Context) (release func()) {
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		if rn.opts.Grace <= 0 {
			cancel()
			return
		}
		time.AfterFunc(rn.opts.Grace, cancel)
	})
	rn.reqCtx = reqCtx
	return func() { stop(); cancel() }
}

// Run reads every row of r, asks c for an answer per row, and writes each
// row with its answer to w, in input order. w's header must end with
// opts.Added().
//
// Run finishes w: Close when every row was written, Abort (no output left
// behind) when the run stops early. The returned Stats count the run
// either way. The error is non-nil only when the run could not finish: a
// read or write failure, or ctx being done. Rows whose request failed are
// counted in Stats.Failed and are not an error.
func Run(ctx context.Context, r Rows, w writers.Writer, c llm.Client, opts Options) (Stats, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		_ = w.Abort()
		return Stats{}, err
	}
	rn := newRun(c, opts)
	stopProgress := rn.reportProgress()
	err = rn.stages(ctx, r, w)
	if err == nil {
		err = w.Close()
	} else {
		_ = w.Abort()
	}
	stopProgress()
	return rn.stats.snapshot(), err
}

func (rn *run) stages(ctx context.Context, r Rows, w writers.Writer) error {
	g, ctx := errgroup.WithContext(ctx)
	defer rn.graceful(ctx)()
	slots := make(chan struct{}, rn.opts.Window)
	jobs := make(chan job, rn.opts.Concurrency)
	results := make(chan result, rn.opts.Concurrency)

	g.Go(func() error {
		defer close(jobs)
		return rn.read(ctx, r, slots, jobs)
	})

	var workers sync.WaitGroup
	for range rn.opts.Concurrency {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for j := range jobs {
				values, kinds, err := rn.answer(ctx, j)
				if err != nil {
					return err
				}
				if !rn.typed() {
					kinds = nil // all text: writers take nil as that
				}
				select {
				case results <- result{seq: j.seq, rec: writers.Record{Row: j.row, Values: values, Kinds: kinds}}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(results)
		return nil
	})

	g.Go(func() error { return rn.write(ctx, w, slots, results) })
	return g.Wait()
}

// read feeds jobs, taking a window slot per row so that it never runs more
// than Window rows ahead of the writer.
func (rn *run) read(ctx context.Context, r Rows, slots chan<- struct{}, jobs chan<- job) error {
	rows, stop := pull(ctx, r)
	defer stop()
	for seq := int64(0); rn.opts.Limit == 0 || seq < int64(rn.opts.Limit); seq++ {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		var n pulled
		select {
		case n = <-rows:
		case <-ctx.Done():
			return ctx.Err()
		}
		if errors.Is(n.err, io.EOF) {
			return nil
		}
		if n.err != nil {
			return n.err
		}
		select {
		case jobs <- job{seq: seq, row: n.row}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

type pulled struct {
	row table.Row
	err error
}

// pull calls r.Next in a goroutine of its own, outside the errgroup: a
// read blocked on a pipe (standard input with nothing coming) cannot see
// ctx, and must not keep a cancelled run from ending. stop waits for the
// goroutine unless ctx is done, when it may still be blocked; the process
// is then about to exit.
func pull(ctx context.Context, r Rows) (<-chan pulled, func()) {
	rows := make(chan pulled)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			row, err := r.Next(ctx)
			select {
			case rows <- pulled{row, err}:
			case <-quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return rows, func() {
		close(quit)
		if ctx.Err() == nil {
			<-done
		}
	}
}

// write restores input order: results arrive as workers finish them and
// wait in pending until every earlier row has been written.
func (rn *run) write(ctx context.Context, w writers.Writer, slots <-chan struct{}, results <-chan result) error {
	pending := make(map[int64]writers.Record)
	next := int64(0)
	limit := 0
	if cl, ok := w.(writers.CellLimiter); ok {
		limit = cl.MaxCellChars()
	}
	for res := range results {
		pending[res.seq] = res.rec
		for {
			rec, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if limit > 0 {
				rn.fit(&rec, limit)
			}
			if err := w.Write(ctx, rec); err != nil {
				return fmt.Errorf("writing row %d: %w", rec.Row.Num, err)
			}
			rn.stats.rows.Add(1)
			next++
			<-slots
		}
	}
	if len(pending) > 0 && ctx.Err() == nil {
		return fmt.Errorf("internal error: %d rows never reached the writer", len(pending))
	}
	return ctx.Err()
}

// typed reports whether records carry kinds: only schemas and usage
// columns produce values that are not text.
func (rn *run) typed() bool { return rn.opts.Schema != nil || rn.opts.UsageColumns }

// fit cuts answers too long for the output's cells (XLSX) and says so in
// the row's error column: the row keeps what fits instead of the writer
// failing the whole run.
func (rn *run) fit(rec *writers.Record, limit int) {
	errCol := len(rec.Values) - 1
	if rn.opts.UsageColumns {
		errCol -= 2
	}
	for i := range errCol {
		if n := writers.CellChars(rec.Values[i]); n > limit {
			rec.Values[i] = writers.FitCell(rec.Values[i], limit)
			msg := fmt.Sprintf("answer cut to %d of its %d characters, the most an Excel cell holds; write .csv or .jsonl for the whole answer", limit, n)
			if rec.Values[errCol] == "" {
				rn.stats.answered.Add(-1)
				rn.noteFailure(rec.Row.Num, msg)
			}
			rec.Values[errCol] = msg
		}
	}
}

func (rn *run) reportProgress() (stop func()) {
	if rn.opts.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(rn.opts.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				rn.opts.Progress(rn.stats.snapshot())
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		rn.opts.Progress(rn.stats.snapshot())
	}
}

func asError(err error, target **llm.Error) bool { return err != nil && errors.As(err, target) }

// Rows is what Run and Survey read: every readers.Reader is one. Declared
// here, where it is used, so the pipeline depends on no reader.
type Rows interface {
	Next(ctx context.Context) (table.Row, error)
}
