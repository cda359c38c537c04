package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/writers"
)

// Defaults for zero BatchOptions fields.
const (
	DefaultBatchPoll = 30 * time.Second
	// DefaultBatchSubmitTimeout bounds one submission (an upload and a
	// create), which a cancelled ctx does not cut short: a batch the
	// provider created must be recorded, or a rerun would pay for it again.
	DefaultBatchSubmitTimeout = 10 * time.Minute
)

// BatchLog keeps the record of submitted batches (journal.Batches is the
// one enrich uses). Append must be durable when it returns: a batch is
// recorded before anything waits on it, so that no rerun submits its
// requests again while it lives.
type BatchLog interface {
	Append(recs ...any) error
	Replay(fn func(line []byte) error) error
	Clear() error
}

// BatchOptions configures RunBatch and CancelBatches.
type BatchOptions struct {
	// Log records the batches; required.
	Log BatchLog
	// Size is the most requests one batch holds; 0, or more than the
	// provider allows, means the provider's limit. Batches are split by
	// bytes too, at the provider's limit.
	Size int
	// Poll is the first wait between status polls (default 30s); each
	// poll that finds batches still running waits half as long again, up
	// to MaxPoll (default 10 × Poll, at most 10 minutes unless Poll is
	// more).
	Poll, MaxPoll time.Duration
	// Detach returns a *PendingError as soon as every request is submitted
	// (or, on a later call, while batches still run) instead of waiting.
	Detach bool
	// SpoolDir holds the batch input files while they are built; default
	// the temporary folder.
	SpoolDir string
	// SubmitTimeout bounds one submission; default DefaultBatchSubmitTimeout.
	SubmitTimeout time.Duration
	// Progress, when set, hears where the batches stand after every
	// submission and every round of polls. It must return quickly.
	Progress func(BatchProgress)
}

// BatchStats counts what a batch run did.
type BatchStats struct {
	Submitted int   // batches this call created
	Requests  int64 // requests in them
	Collected int   // batches whose results this call read
	Succeeded int64 // result lines with an answer
	Failed    int64 // result lines with an error (retried or not)
	Retried   int64 // requests submitted again after failing in a batch
	Cancelled int   // batches CancelBatches stopped
	TokensIn  int64 // as the provider counted the answers collected
	TokensOut int64
	Live      int   // batches still running when the call returned
	Waiting   int64 // requests in them
	// FromJournal counts rows whose answer was recorded before this call.
	FromJournal int64
}

// BatchProgress is where a batch run stands.
type BatchProgress struct {
	Stage   string // "submitting", "waiting", "collecting", "cancelling"
	Batches []BatchView
	Stats   BatchStats
	Elapsed time.Duration
}

// BatchView is one batch as last polled.
type BatchView struct {
	ID       string
	Round    int // 0 for a request's first batch, 1 for the first retry, …
	Requests int
	Phase    llm.BatchPhase
	Counts   llm.BatchCounts
}

// ErrNoBatcher is a client without batch support.
var ErrNoBatcher = errors.New("the client has no batch API")

// PendingError is a detached batch run that returned while batches still
// run: nothing is lost, and calling RunBatch again later collects them.
type PendingError struct {
	Batches   int   // running now
	Requests  int64 // in them
	Done      int   // of those, as the provider counts
	Submitted int   // batches this call created
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("%d batches holding %d requests are still running at the provider (%d done)", e.Batches, e.Requests, e.Done)
}

// RunBatch is Run on the provider's batch engine. Every request the cache
// does not answer is submitted in batches (the client must be an
// llm.Batcher); their results go into the cache; then OUTPUT is written by
// an ordinary Run whose every answer comes from the cache, so it is what an
// online run with the same answers writes, byte for byte.
//
// open returns the input from its first row, each time it is called (the
// input is read once per submission round and once to write); create
// returns the writer, called only once every batch has ended, so no
// half-made output waits beside OUTPUT meanwhile. The Stats are the
// writing Run's.
//
// Batches are recorded in bo.Log before anything waits on them, and a call
// starts by resuming what the log holds: a rerun after an interruption or
// a crash polls the same batches and never submits a request that a live
// batch holds. Requests that fail inside a batch for a reason worth
// another try (a 5xx, an expired or cancelled batch) are submitted again,
// up to Limits.Attempts batches in all; the others become their rows'
// errors, as online. When the output is written, the log is cleared.
//
// With bo.Detach, RunBatch returns a *PendingError instead of waiting.
func (p *Pipeline) RunBatch(ctx context.Context, open func() (Rows, error), create func() (writers.Writer, error), bo BatchOptions) (Stats, BatchStats, error) {
	bt, err := p.newBatchRun(bo)
	if err != nil {
		return Stats{}, BatchStats{}, err
	}
	if err := bt.run(ctx, open); err != nil {
		_ = bt.pending() // counts what still runs, for the caller's words
		return Stats{}, bt.stats, err
	}
	rows, err := open()
	if err != nil {
		return Stats{}, bt.stats, err
	}
	w, err := create()
	if err != nil {
		rows.Close()
		return Stats{}, bt.stats, err
	}
	// Every answer is in the cache now, and every failure in settled:
	// the writing run asks no one.
	offline := *p
	offline.client = noOnline{}
	stats, err := offline.runRows(ctx, rows, w, bt.settled())
	if err == nil {
		err = bo.Log.Clear()
	}
	return stats, bt.stats, err
}

// CancelBatches cancels every live batch bo.Log records, waits for each
// to end, puts the answers they finished in the cache, and clears the log.
// Nothing is submitted.
func (p *Pipeline) CancelBatches(ctx context.Context, bo BatchOptions) (BatchStats, error) {
	bt, err := p.newBatchRun(bo)
	if err != nil {
		return BatchStats{}, err
	}
	if err := bt.cancelAll(ctx); err != nil {
		return bt.stats, err
	}
	return bt.stats, bo.Log.Clear()
}

// noOnline is the writing run's client: every answer should be in the
// cache or settled, so a request reaching it is a failure of the batches.
type noOnline struct{}

func (noOnline) Complete(context.Context, llm.Request) (llm.Response, error) {
	return llm.Response{}, errors.New("the batches returned no answer for this request")
}
