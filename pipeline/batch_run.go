package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/enrich-dev/enrich/llm"
)

// batchRun is one RunBatch or CancelBatches call.
type batchRun struct {
	p       *Pipeline
	b       llm.Batcher
	bo      BatchOptions
	limits  llm.BatchLimits
	rounds  int // batches a request may be in
	st      *batchState
	stats   BatchStats
	start   time.Time
	stage   string
	scanned bool // the first scan has counted FromJournal
}

func (p *Pipeline) newBatchRun(bo BatchOptions) (*batchRun, error) {
	b, ok := p.client.(llm.Batcher)
	if !ok {
		return nil, ErrNoBatcher
	}
	if bo.Log == nil {
		return nil, errors.New("pipeline: batch mode needs a log to record its batches in")
	}
	if p.opts.Resume.Cache == nil {
		return nil, errors.New("pipeline: batch mode needs a cache to collect the answers in")
	}
	if bo.Size < 0 {
		return nil, fmt.Errorf("batch size must not be negative, got %d", bo.Size)
	}
	if bo.Poll < 0 || bo.MaxPoll < 0 {
		return nil, fmt.Errorf("poll interval must not be negative, got %s", bo.Poll)
	}
	limits := b.BatchLimits()
	if bo.Size == 0 || bo.Size > limits.Requests {
		bo.Size = limits.Requests
	}
	if bo.Poll == 0 {
		bo.Poll = DefaultBatchPoll
	}
	if bo.MaxPoll == 0 {
		bo.MaxPoll = max(bo.Poll, min(10*bo.Poll, 10*time.Minute))
	}
	if bo.SubmitTimeout <= 0 {
		bo.SubmitTimeout = DefaultBatchSubmitTimeout
	}
	st, err := loadBatchState(bo.Log)
	if err != nil {
		return nil, err
	}
	return &batchRun{p: p, b: b, bo: bo, limits: limits, rounds: p.opts.Limits.Attempts, st: st, start: time.Now()}, nil
}

// run submits, polls and collects until no batch is left running, or,
// detached, until every request is submitted.
func (bt *batchRun) run(ctx context.Context, open func() (Rows, error)) error {
	scan := true
	wait := bt.bo.Poll
	for {
		if scan {
			before := bt.stats.Submitted
			if err := bt.submitMissing(ctx, open); err != nil {
				return err
			}
			scan = false
			if bt.bo.Detach && bt.stats.Submitted > before {
				return bt.pending() // submitted: exit at once, collect later
			}
		}
		retry, err := bt.pollAll(ctx)
		if err != nil {
			return err
		}
		if retry {
			scan = true // submit the retries at once, then poll again
			continue
		}
		if len(bt.st.liveBatches()) == 0 {
			bt.stats.Live, bt.stats.Waiting = 0, 0
			return nil
		}
		if bt.bo.Detach {
			return bt.pending()
		}
		bt.report("waiting")
		if err := batchSleep(ctx, wait); err != nil {
			bt.pending()
			return err
		}
		wait = min(wait*3/2, bt.bo.MaxPoll)
	}
}

// pending counts the live batches into the stats, as a *PendingError.
func (bt *batchRun) pending() error {
	live := bt.st.liveBatches()
	bt.stats.Live, bt.stats.Waiting = len(live), 0
	done := 0
	for _, sb := range live {
		bt.stats.Waiting += int64(sb.n)
		done += sb.last.Counts.Succeeded + sb.last.Counts.Failed
	}
	return &PendingError{Batches: len(live), Requests: bt.stats.Waiting, Done: done, Submitted: bt.stats.Submitted}
}

// pollAll polls every live batch once and collects those that ended. retry
// says whether some of their requests failed in a way worth another batch.
func (bt *batchRun) pollAll(ctx context.Context) (retry bool, err error) {
	for _, sb := range bt.st.liveBatches() {
		var polled llm.Batch
		err := bt.try(ctx, func(ctx context.Context) (err error) {
			polled, err = bt.b.PollBatch(ctx, sb.id)
			return err
		})
		if err != nil {
			return retry, fmt.Errorf("polling batch %s: %w", sb.id, err)
		}
		sb.last = polled
		if polled.Phase != llm.BatchEnded {
			continue
		}
		again, err := bt.collect(ctx, sb, polled, false)
		if err != nil {
			return retry, err
		}
		retry = retry || again
	}
	return retry, nil
}

// settled is every failure final for this run, for the writing Run: keys
// the cache does not answer whose last batch failed them.
func (bt *batchRun) settled() map[llm.Key]error {
	cache := bt.p.opts.Resume.Cache
	out := make(map[llm.Key]error, len(bt.st.failed))
	for k, e := range bt.st.failed {
		if !cache.Has(k) {
			out[k] = e
		}
	}
	return out
}

// try makes up to Limits.Attempts attempts at one exchange with the batch
// API, backing off between them as online requests do; an error not
// worth retrying ends it at once.
func (bt *batchRun) try(ctx context.Context, fn func(context.Context) error) error {
	l := bt.p.opts.Limits
	var err error
	for attempt := 0; attempt < l.Attempts; attempt++ {
		if attempt > 0 {
			d := llm.RetryAfter(err)
			if d == 0 {
				ceiling := min(500*time.Millisecond<<min(attempt-1, 20), l.MaxBackoff)
				d = ceiling/2 + rand.N(ceiling/2+1)
			}
			if serr := batchSleep(ctx, d); serr != nil {
				return serr
			}
		}
		actx, cancel := context.WithTimeout(ctx, l.Timeout)
		err = fn(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !llm.Retryable(err) {
			break
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// report tells Progress where the batches stand.
func (bt *batchRun) report(stage string) {
	bt.stage = stage
	if bt.bo.Progress == nil {
		return
	}
	var views []BatchView
	for _, sb := range bt.st.batches {
		views = append(views, BatchView{ID: sb.id, Round: sb.round, Requests: sb.n, Phase: sb.last.Phase, Counts: sb.last.Counts})
	}
	bt.bo.Progress(BatchProgress{Stage: stage, Batches: views, Stats: bt.stats, Elapsed: time.Since(bt.start)})
}

// batchSleep waits d, or until ctx is done.
func batchSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
