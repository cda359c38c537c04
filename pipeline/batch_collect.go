package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/enrich-dev/enrich/llm"
)

// errNoResult is a request its ended batch returned nothing for.
const errNoResult = "the batch returned no result for this request"

// collect reads the results of an ended batch into the cache, checking
// every line, and records the batch as collected with the failures among
// them. retry says whether some may succeed in another batch. Cancelling
// (CancelBatches) keeps the answers and records no failures: nothing is
// to be asked again.
func (bt *batchRun) collect(ctx context.Context, sb *sentBatch, polled llm.Batch, cancelling bool) (retry bool, err error) {
	bt.report("collecting")
	cache := bt.p.opts.Resume.Cache
	if polled.Failed() {
		// Nothing ran. The requests are not failed, only not asked: the
		// record is closed so that a rerun, once the cause is fixed,
		// submits them again.
		if err := bt.bo.Log.Append(batchRecord{T: "collected", ID: sb.id}); err != nil {
			return false, err
		}
		bt.st.collect(sb)
		if cancelling {
			return false, nil
		}
		return false, &llm.BatchFailedError{ID: sb.id, Problems: polled.Problems}
	}
	index := make(map[llm.Key]bool, len(sb.keys)) // keys of the batch; true once seen
	for _, k := range sb.keys {
		index[k] = false
	}
	var recs []any
	fail := func(k llm.Key, e *llm.Error) {
		bt.stats.Failed++
		if cancelling {
			return
		}
		bt.st.failed[k] = e
		recs = append(recs, failureRecord(k, e))
		if e.Retryable && bt.st.attempts[k] < bt.rounds {
			retry = true
		}
	}
	like := bt.p.opts.request("")
	err = bt.try(ctx, func(actx context.Context) error {
		// A retried download starts over; what was put is put again.
		recs, retry = recs[:0], false
		for k := range index {
			index[k] = false
		}
		return bt.b.BatchResults(ctx, polled, like, func(r llm.BatchResult) error {
			k, ok := parseKey(r.ID)
			if seen, mine := index[k]; !ok || !mine || seen {
				return nil // not a request of this batch, or a repeat
			}
			index[k] = true
			if r.Err != nil {
				fail(k, asLLMError(r.Err))
				return nil
			}
			if verr := bt.check(r.Response); verr != nil {
				fail(k, &llm.Error{Message: verr.Error(), Retryable: true})
				return nil
			}
			if err := cache.Put(k, r.Response); err != nil {
				return fmt.Errorf("recording an answer of batch %s: %w", sb.id, err)
			}
			bt.stats.Succeeded++
			bt.stats.TokensIn += int64(r.Response.Usage.PromptTokens)
			bt.stats.TokensOut += int64(r.Response.Usage.CompletionTokens)
			return nil
		})
	})
	if err != nil {
		return false, fmt.Errorf("reading the results of batch %s: %w", sb.id, err)
	}
	for k, seen := range index {
		if !seen {
			fail(k, &llm.Error{Message: errNoResult, Retryable: true})
		}
	}
	// The answers reach the disk before the record says they are there.
	if s, ok := cache.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			return false, err
		}
	}
	recs = append(recs, batchRecord{T: "collected", ID: sb.id})
	if err := bt.bo.Log.Append(recs...); err != nil {
		return false, err
	}
	bt.st.collect(sb)
	bt.stats.Collected++
	return retry, nil
}

// check validates an answer against the schema, as online answers are
// before they are kept; an answer cut at the token limit is kept as it is
// (the writing run says it was cut).
func (bt *batchRun) check(resp llm.Response) error {
	s := bt.p.opts.Prompt.Schema
	if s == nil || resp.FinishReason == "length" {
		return nil
	}
	_, _, err := s.values(resp.Text)
	return err
}

// asLLMError is a result's error as the *llm.Error the log can keep.
func asLLMError(err error) *llm.Error {
	var e *llm.Error
	if errors.As(err, &e) {
		return e
	}
	return &llm.Error{Message: err.Error(), Retryable: llm.Retryable(err)}
}

// cancelAll cancels every live batch, waits for each to end and collects
// what it finished.
func (bt *batchRun) cancelAll(ctx context.Context) error {
	live := bt.st.liveBatches()
	for _, sb := range live {
		err := bt.try(ctx, func(actx context.Context) error {
			b, err := bt.b.CancelBatch(actx, sb.id)
			if err == nil {
				sb.last = b
			}
			return err
		})
		if err != nil {
			// A batch that had already ended cannot be cancelled; polling
			// tells.
			var e *llm.Error
			if !errors.As(err, &e) || e.Status == 0 || e.Status >= 500 {
				return fmt.Errorf("cancelling batch %s: %w", sb.id, err)
			}
		}
		bt.stats.Cancelled++
	}
	bt.report("cancelling")
	wait := bt.bo.Poll
	for {
		if _, err := bt.pollAllCancelling(ctx); err != nil {
			return err
		}
		if len(bt.st.liveBatches()) == 0 {
			return nil
		}
		bt.report("cancelling")
		if err := batchSleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*3/2, bt.bo.MaxPoll, time.Minute)
	}
}

func (bt *batchRun) pollAllCancelling(ctx context.Context) (bool, error) {
	for _, sb := range bt.st.liveBatches() {
		var polled llm.Batch
		err := bt.try(ctx, func(actx context.Context) (err error) {
			polled, err = bt.b.PollBatch(actx, sb.id)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("polling batch %s: %w", sb.id, err)
		}
		sb.last = polled
		if polled.Phase == llm.BatchEnded {
			if _, err := bt.collect(ctx, sb, polled, true); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}
