package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// Rows is what a Pipeline reads: every readers.Reader is one. It is
// declared here, where it is used, so the pipeline depends on no reader.
type Rows interface {
	Next(ctx context.Context) (table.Row, error)
	Close() error
}

// Pipeline is a validated configuration: New checks the options once and
// works out the added columns; Run and Preview use them. A Pipeline holds
// no state between calls, so one may run several inputs in turn.
type Pipeline struct {
	client llm.Client
	opts   Options
	layout layout
}

// New validates opts, fills in their defaults and returns the pipeline
// that asks c.
func New(c llm.Client, opts Options) (*Pipeline, error) {
	if c == nil {
		return nil, errors.New("pipeline: no client")
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Pipeline{client: c, opts: opts, layout: newLayout(opts)}, nil
}

// Columns returns the names of the columns Run appends to every row, in
// order: the answer (or one column per schema property), the error, and
// with Columns.Usage the tokens in and out. The writer's header must end
// with them.
func (p *Pipeline) Columns() []string { return slices.Clone(p.layout.names) }

// Run reads every row of r, asks for an answer per row, and writes each
// row with its answer to w, in input order.
//
// Run takes ownership of both: it closes r when it is done reading, and
// finishes w, with Close when every row was written or Abort (no output
// left behind) when the run stops early. The returned Stats count the run
// either way. The error is non-nil only when the run could not finish: a
// read or write failure, a refusal that every row would meet, or ctx
// being done. Rows whose request failed are counted in Stats.Failed and
// are not an error.
func (p *Pipeline) Run(ctx context.Context, r Rows, w writers.Writer) (Stats, error) {
	return p.runRows(ctx, r, w, nil)
}

// runRows is Run, with the failures a batch run settled: a row whose key
// is in settled fails with its error and sends nothing.
func (p *Pipeline) runRows(ctx context.Context, r Rows, w writers.Writer, settled map[llm.Key]error) (Stats, error) {
	rn := newRun(p)
	rn.settled = settled
	stopProgress := rn.reportProgress()
	err := rn.stages(ctx, r, w)
	if cerr := r.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = w.Close()
	} else {
		_ = w.Abort()
	}
	stopProgress()
	return rn.stats.snapshot(), err
}

// run is one Run's state.
type run struct {
	*Pipeline
	lim      *limiter
	stats    *counters
	shared   *shared
	refusals refusals
	health   *health
	usage    usageCheck
	tokens   *tokenBucket // nil without a TPM limit
	counter  cost.Counter
	base     time.Duration // first backoff step
	// reqCtx carries requests: it ends Grace after the run's ctx does,
	// so answers already paid for can still arrive and be recorded.
	reqCtx context.Context
	// settled are requests a batch run failed for good (see RunBatch).
	settled map[llm.Key]error
}

func newRun(p *Pipeline) *run {
	rn := &run{
		Pipeline: p,
		lim:      newLimiter(p.opts.Limits.RPM),
		stats:    &counters{start: time.Now()},
		shared:   newShared(p.opts.Resume.Cache),
		health:   newHealth(p.opts.Limits.UnreachableAtStart, p.opts.Limits.UnreachableMidRun),
		base:     500 * time.Millisecond,
	}
	rn.lim.shared = p.opts.Limits.Shared
	if tpm := p.opts.Limits.TPM; tpm > 0 {
		rn.tokens = newTokenBucket(tpm)
		rn.counter = cost.CounterFor(p.opts.Prompt.Model)
	}
	return rn
}

// graceful sets reqCtx to end Grace after ctx does.
func (rn *run) graceful(ctx context.Context) (release func()) {
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		if rn.opts.Resume.Grace <= 0 {
			cancel()
			return
		}
		time.AfterFunc(rn.opts.Resume.Grace, cancel)
	})
	rn.reqCtx = reqCtx
	return func() { stop(); cancel() }
}

// job is one row for a worker, and where its record goes: a channel of
// its own that the writer waits on in input order.
type job struct {
	seq int64
	row table.Row
	out chan<- writers.Record // buffered 1: a worker never waits to hand it over
	pre *rendered             // the prompt, when the reader rendered it (to shard); nil otherwise
}

// stages runs the pipeline. Ordering is a FIFO of per-row result
// channels (the shape of sourcegraph/conc's stream): the reader queues
// each row's channel in input order before a worker sees the row, and the
// writer takes the channels from the queue one by one, waiting on each.
// The queue's capacity bounds the window, so the reader can run at most
// Window rows ahead of the writer; no reorder map, nothing to reconcile
// at the end: each place in the queue gets exactly one record, or none
// when the input ends there, or the run is stopped.
func (rn *run) stages(ctx context.Context, r Rows, w writers.Writer) error {
	g, ctx := errgroup.WithContext(ctx)
	defer rn.graceful(ctx)()
	// The writer holds one place of the window, the queue the others.
	queue := make(chan (<-chan writers.Record), rn.opts.Limits.Window-1)
	jobs := make(chan job, rn.opts.Limits.Concurrency)

	g.Go(func() error {
		defer close(jobs)
		defer close(queue)
		return rn.read(ctx, r, queue, jobs)
	})
	for range rn.opts.Limits.Concurrency {
		g.Go(func() error {
			for j := range jobs {
				rec, err := rn.answer(ctx, j)
				if err != nil {
					return err
				}
				j.out <- rec
			}
			return nil
		})
	}
	g.Go(func() error { return rn.write(ctx, w, queue) })
	return g.Wait()
}

// read queues every row (up to Limit) for the writer and the workers. A
// row's place in the queue is taken before the row is read, so that rows
// read and not yet written never exceed the window.
func (rn *run) read(ctx context.Context, r Rows, queue chan<- (<-chan writers.Record), jobs chan<- job) error {
	next, stop := pull(ctx, r)
	defer stop()
	limit := int64(rn.opts.Limit)
	var seq int64
	// Rows read: a place at seq is taken before its row is pulled, and
	// the row at the end of the input is none.
	defer func() { rn.stats.input.Store(seq) }()
	first := true
	for ; limit == 0 || seq < limit; seq++ {
		out := make(chan writers.Record, 1)
		select {
		case queue <- out:
		case <-ctx.Done():
			return ctx.Err()
		}
		var row table.Row
		var err error
		var pre *rendered
		for {
			if row, err = next(); err != nil || !rn.opts.Shard.on() {
				break
			}
			if pre = rn.opts.render(row); rn.opts.Shard.owns(seq, pre.req, pre.err == nil) {
				break
			}
			// Another shard's row: this place waits for the next one.
			if seq++; limit > 0 && seq >= limit {
				close(out)
				return nil
			}
		}
		if err != nil {
			close(out) // no row for this place: the writer moves on
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if first {
			// No worker has a row yet, so a template that fails here
			// stops the run before anything is sent.
			first = false
			if pre == nil {
				pre = rn.opts.render(row)
			}
			if pre.err != nil {
				close(out)
				return &FirstRowError{Row: row.Num, Err: pre.err}
			}
		}
		if rn.opts.Shard.Kept != nil {
			rn.opts.Shard.Kept(seq, row.Num)
		}
		select {
		case jobs <- job{seq: seq, row: row, out: out, pre: pre}:
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
// ctx, and must not keep a cancelled run from ending. next asks for one
// row and waits for it or for ctx; rows are read only when asked for, so
// none is read past Limit. stop ends the goroutine, waiting for it unless
// ctx is done, when it may still be blocked; the process is then about
// to exit.
func pull(ctx context.Context, r Rows) (next func() (table.Row, error), stop func()) {
	want := make(chan struct{})
	rows := make(chan pulled, 1) // never blocks the goroutine, even when no one waits
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range want {
			row, err := r.Next(ctx)
			rows <- pulled{row, err}
		}
	}()
	next = func() (table.Row, error) {
		select {
		case want <- struct{}{}:
		case <-ctx.Done():
			return table.Row{}, ctx.Err()
		}
		select {
		case n := <-rows:
			return n.row, n.err
		case <-ctx.Done():
			return table.Row{}, ctx.Err()
		}
	}
	return next, func() {
		close(want)
		if ctx.Err() == nil {
			<-done
		}
	}
}

// write takes each row's record in input order as soon as it is ready.
func (rn *run) write(ctx context.Context, w writers.Writer, queue <-chan (<-chan writers.Record)) error {
	limit := 0
	if cl, ok := w.(writers.CellLimiter); ok {
		limit = cl.MaxCellChars()
	}
	for out := range queue {
		var rec writers.Record
		var ok bool
		select {
		case rec, ok = <-out:
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			continue // the input ended here
		}
		if limit > 0 {
			rn.fit(&rec, limit)
		}
		if err := w.Write(ctx, rec); err != nil {
			return fmt.Errorf("writing row %d: %w", rec.Row.Num, err)
		}
		rn.stats.rows.Add(1)
	}
	return ctx.Err()
}

// fit cuts answers too long for the output's cells (XLSX) and says so in
// the row's error column: the row keeps what fits instead of the writer
// failing the whole run.
func (rn *run) fit(rec *writers.Record, limit int) {
	errAt := rn.layout.errAt()
	for i := range rn.layout.answers {
		if n := writers.CellChars(rec.Values[i]); n > limit {
			rec.Values[i] = writers.FitCell(rec.Values[i], limit)
			msg := rn.opts.RowError(&CellCutError{Limit: limit, Len: n})
			if rec.Values[errAt] == "" {
				rn.stats.answered.Add(-1)
				rn.noteFailure(rec.Row.Num, msg)
			}
			rec.Values[errAt] = msg
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
