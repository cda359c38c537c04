package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/avast/retry-go/v4"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
)

// answer renders one row's prompt and gets its answer: from the cache,
// from an identical request already under way, or from the model,
// retrying what is worth retrying. It returns the row's record values;
// only a stopped run or a cache that cannot record is an error.
func (r *run) answer(ctx context.Context, j job) (values []string, kinds []table.Kind, err error) {
	prompt, err := r.opts.Template.Render(j.row.Cells)
	if err != nil {
		return r.failed(j, err)
	}
	req := r.opts.request(prompt)
	key := r.opts.rowKey(req, j.seq)
	var errRecord error
	resp, src, err := r.shared.do(ctx, key, func() (llm.Response, error) {
		resp, err := r.ask(ctx, req)
		if err == nil && r.opts.Cache != nil {
			errRecord = r.opts.Cache.Put(key, resp)
		}
		return resp, err
	})
	switch {
	case errRecord != nil:
		return nil, nil, fmt.Errorf("recording the answer to row %d: %w", j.row.Num, errRecord)
	case err != nil && ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case err != nil && src == fromJournal:
		return nil, nil, err // the cache could not be read
	case err != nil:
		if src == asked {
			if stop := r.refusals.note(err); stop != nil {
				return nil, nil, stop
			}
		}
		return r.failed(j, err)
	}
	switch src {
	case asked:
		r.refusals.reset()
	case fromJournal:
		r.stats.cached.Add(1)
	case fromRun:
		r.stats.shared.Add(1)
	}
	return r.answered(j, resp)
}

// ask gets one answer worth keeping: with a schema, an answer that does not
// validate is asked for again, a bounded number of times, and never
// recorded.
func (r *run) ask(ctx context.Context, req llm.Request) (llm.Response, error) {
	for try := 0; ; try++ {
		resp, attempts, err := r.complete(ctx, req)
		if err != nil {
			if attempts > 1 && ctx.Err() == nil {
				err = fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
			}
			return resp, err
		}
		if r.opts.Schema == nil || resp.FinishReason == "length" {
			return resp, nil
		}
		_, _, verr := r.opts.Schema.values(resp.Text)
		if verr == nil {
			return resp, nil
		}
		if try >= r.opts.SchemaRetries {
			if try > 0 {
				verr = fmt.Errorf("%w (asked %d times)", verr, try+1)
			}
			return resp, verr
		}
		r.stats.retries.Add(1)
	}
}

// answered turns a response into the row's values. An answer cut at the
// token limit keeps its text and says it was cut.
func (r *run) answered(j job, resp llm.Response) ([]string, []table.Kind, error) {
	var vals []string
	var kinds []table.Kind
	msg := ""
	if r.opts.Schema == nil {
		vals = []string{resp.Text}
		kinds = []table.Kind{table.Text}
	} else if v, k, err := r.opts.Schema.values(resp.Text); err == nil {
		vals, kinds = v, k
	} else {
		// Only a cut answer reaches here unvalidated: keep its text in the
		// first column so nothing paid for is lost.
		vals = make([]string, len(r.opts.Schema.Columns()))
		kinds = make([]table.Kind, len(vals))
		vals[0] = resp.Text
	}
	if resp.FinishReason == "length" {
		msg = "answer cut at the token limit (finish_reason length); raise --max-tokens for the whole answer"
		r.noteFailure(j.row.Num, msg)
	} else {
		r.stats.answered.Add(1)
	}
	return r.record(vals, kinds, msg, resp.Usage)
}

func (r *run) failed(j job, err error) ([]string, []table.Kind, error) {
	r.noteFailure(j.row.Num, err.Error())
	n := 1
	if r.opts.Schema != nil {
		n = len(r.opts.Schema.Columns())
	}
	return r.record(make([]string, n), make([]table.Kind, n), err.Error(), llm.Usage{})
}

func (r *run) noteFailure(row int, msg string) {
	r.stats.failed.Add(1)
	located := fmt.Sprintf("row %d: %s", row, msg)
	r.stats.firstErr.CompareAndSwap(nil, &located)
}

// record lays out the added columns: answer values, error, usage.
func (r *run) record(vals []string, kinds []table.Kind, errMsg string, u llm.Usage) ([]string, []table.Kind, error) {
	vals = append(vals, errMsg)
	kinds = append(kinds, table.Text)
	if r.opts.UsageColumns {
		in, out := "", ""
		if u.PromptTokens+u.CompletionTokens > 0 {
			in, out = strconv.Itoa(u.PromptTokens), strconv.Itoa(u.CompletionTokens)
		}
		vals = append(vals, in, out)
		kinds = append(kinds, table.Number, table.Number)
	}
	return vals, kinds, nil
}

// complete makes up to 1+Retries attempts, each paced by the shared
// limiter, so that retries pay for their place in the rate like any
// request.
func (r *run) complete(ctx context.Context, req llm.Request) (llm.Response, int, error) {
	attempts := 0
	resp, err := retry.DoWithData(func() (llm.Response, error) {
		attempts++
		if attempts > 1 {
			r.stats.retries.Add(1)
		}
		if err := r.lim.Wait(ctx); err != nil {
			return llm.Response{}, retry.Unrecoverable(err)
		}
		need := 0
		if r.tokens != nil {
			need = estimate(r.counter, req)
			if err := r.tokens.Take(ctx, need); err != nil {
				return llm.Response{}, retry.Unrecoverable(err)
			}
		}
		actx, cancel := context.WithTimeout(r.reqCtx, r.opts.Timeout)
		resp, err := r.client.Complete(actx, req)
		cancel()
		r.stats.requests.Add(1)
		r.lim.Observe(resp, err)
		if r.tokens != nil {
			r.tokens.Settle(need, req, resp.Usage)
			r.tokens.Observe(limitsOf(resp, err))
		}
		if err == nil {
			r.stats.tokensIn.Add(int64(resp.Usage.PromptTokens))
			r.stats.tokensOut.Add(int64(resp.Usage.CompletionTokens))
			return resp, nil
		}
		if llm.IsRateLimited(err) {
			r.stats.limited.Add(1)
		}
		switch {
		case ctx.Err() != nil:
			return resp, retry.Unrecoverable(err)
		case errors.Is(err, context.DeadlineExceeded):
			err = fmt.Errorf("no answer within %s (--timeout): %w", r.opts.Timeout, err)
		case !llm.Retryable(err):
			return resp, retry.Unrecoverable(err)
		}
		return resp, err
	},
		retry.Context(ctx),
		retry.Attempts(uint(r.opts.Retries)+1),
		retry.LastErrorOnly(true),
		retry.DelayType(r.backoff),
	)
	return resp, attempts, err
}

// backoff is exponential with full jitter (0.5s·2^n, capped), unless the
// provider said how long to wait, which wins.
func (r *run) backoff(n uint, err error, _ *retry.Config) time.Duration {
	if d := llm.RetryAfter(err); d > 0 {
		// A little jitter keeps workers released by the same hint apart.
		return d + rand.N(d/10+time.Millisecond)
	}
	ceiling := min(r.base<<min(n, 20), r.opts.MaxBackoff)
	return ceiling/2 + rand.N(ceiling/2+1)
}
