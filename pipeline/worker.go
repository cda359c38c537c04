package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/avast/retry-go/v4"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// answer renders one row's prompt and gets its answer: from the cache,
// from an identical request already under way, or from the model,
// retrying what is worth retrying. It returns the row's record; only a
// stopped run, a refusal every row would meet, or a cache that cannot
// record is an error.
func (r *run) answer(ctx context.Context, j job) (writers.Record, error) {
	pre := j.pre
	if pre == nil {
		pre = r.opts.render(j.row)
	}
	if pre.err != nil {
		return r.failed(j, pre.err), nil
	}
	req := pre.req
	key := r.opts.rowKey(req, j.seq)
	if err, ok := r.settled[key]; ok {
		return r.failed(j, err), nil
	}
	var errRecord error
	a, src, err := r.shared.do(ctx, key, func() (answer, error) {
		a, err := r.ask(ctx, req)
		if err == nil && r.opts.Resume.Cache != nil {
			errRecord = r.opts.Resume.Cache.Put(key, a.resp)
		}
		return a, err
	})
	switch {
	case errRecord != nil:
		return writers.Record{}, fmt.Errorf("recording the answer to row %d: %w", j.row.Num, errRecord)
	case err != nil && ctx.Err() != nil:
		return writers.Record{}, ctx.Err()
	case err != nil && src == fromJournal:
		return writers.Record{}, err // the cache could not be read
	case err != nil:
		var unreachable *UnreachableError
		if errors.As(err, &unreachable) {
			return writers.Record{}, unreachable
		}
		if src == asked {
			stop, first := r.refusals.note(err)
			if first {
				r.opts.Warn(err)
			}
			if stop != nil {
				return writers.Record{}, stop
			}
		}
		return r.failed(j, err), nil
	}
	switch src {
	case asked:
		r.refusals.reset()
	case fromJournal:
		r.stats.cached.Add(1)
	case fromRun:
		r.stats.shared.Add(1)
	}
	return r.answered(j, a), nil
}

// answer is a response worth keeping and, with a schema, its column
// values: parsed and validated once, where the response arrives (or, for
// one from the journal, where it is used).
type answer struct {
	resp   llm.Response
	vals   []string
	kinds  []table.Kind
	parsed bool
}

// parse fills a's values from its text, once.
func (r *run) parse(a *answer) error {
	if a.parsed {
		return nil
	}
	s := r.opts.Prompt.Schema
	if s == nil {
		a.vals, a.kinds, a.parsed = []string{a.resp.Text}, []table.Kind{table.Text}, true
		return nil
	}
	v, k, err := s.values(a.resp.Text)
	if err != nil {
		return err
	}
	a.vals, a.kinds, a.parsed = v, k, true
	return nil
}

// ask gets one answer worth keeping: with a schema, an answer that does not
// validate is asked for again, a bounded number of times, and never
// recorded.
func (r *run) ask(ctx context.Context, req llm.Request) (answer, error) {
	for try := 1; ; try++ {
		resp, attempts, err := r.complete(ctx, req)
		if err != nil {
			if attempts > 1 && ctx.Err() == nil {
				err = fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
			}
			return answer{resp: resp}, err
		}
		a := answer{resp: resp}
		if r.opts.Prompt.Schema == nil || resp.FinishReason == "length" {
			return a, nil
		}
		verr := r.parse(&a)
		if verr == nil {
			return a, nil
		}
		if try >= r.opts.Prompt.SchemaAttempts {
			if try > 1 {
				verr = fmt.Errorf("%w (asked %d times)", verr, try)
			}
			return a, verr
		}
		r.stats.retries.Add(1)
	}
}

// answered turns an answer into the row's record. An answer cut at the
// token limit keeps its text and says it was cut.
func (r *run) answered(j job, a answer) writers.Record {
	if err := r.parse(&a); err != nil {
		// Only a cut answer reaches here unvalidated (ask re-asks for the
		// others): what arrived is not a structured answer, so the row's
		// values stay empty and the error says why. The journal keeps
		// the text.
		return r.failedWith(j, fmt.Errorf("%w, and what arrived is not a valid answer: %v", ErrCut, err), a.resp.Usage)
	}
	msg := ""
	if a.resp.FinishReason == "length" {
		msg = r.opts.RowError(ErrCut)
		r.noteFailure(j.row.Num, msg)
	} else {
		r.stats.answered.Add(1)
	}
	return r.layout.record(j.row, a.vals, a.kinds, msg, a.resp.Usage)
}

func (r *run) failed(j job, err error) writers.Record { return r.failedWith(j, err, llm.Usage{}) }

// failedWith is a failed row whose request was still paid for (u).
func (r *run) failedWith(j job, err error, u llm.Usage) writers.Record {
	msg := r.opts.RowError(err)
	r.noteFailure(j.row.Num, msg)
	return r.layout.record(j.row, nil, nil, msg, u)
}

func (r *run) noteFailure(row int, msg string) {
	r.stats.failed.Add(1)
	located := fmt.Sprintf("row %d: %s", row, msg)
	r.stats.firstErr.CompareAndSwap(nil, &located)
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
		need, err := r.pace(ctx, req)
		if err != nil {
			return llm.Response{}, retry.Unrecoverable(err)
		}
		actx, cancel := context.WithTimeout(r.reqCtx, r.opts.Limits.Timeout)
		sent := time.Now()
		done := r.stats.begin()
		resp, err := r.client.Complete(actx, req)
		done()
		cancel()
		if !errors.Is(err, llm.ErrNotSent) {
			r.stats.requests.Add(1) // the provider saw it: it may bill it
		}
		if stop := r.health.observe(err); stop != nil {
			return resp, retry.Unrecoverable(stop)
		}
		if err == nil {
			resp.Usage = r.usage.check(req, resp.Usage, r.opts.Warn)
		}
		r.lim.ObserveSent(sent, resp, err)
		if r.tokens != nil {
			r.tokens.Settle(need, req, resp.Usage)
			r.tokens.Observe(limitsOf(resp, err))
		}
		if st := r.opts.Limits.SharedTokens; st != nil && need > 0 {
			if charge, ok := charged(req, resp.Usage); ok {
				st.Settle(charge - need)
			}
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
			err = &TimeoutError{After: r.opts.Limits.Timeout, Err: err}
		case !llm.Retryable(err):
			return resp, retry.Unrecoverable(err)
		}
		return resp, err
	},
		retry.Context(ctx),
		retry.Attempts(uint(r.opts.Limits.Attempts)),
		retry.LastErrorOnly(true),
		retry.DelayType(r.backoff),
	)
	return resp, attempts, err
}

// pace waits for the request's turn under the rate limits, and returns
// the tokens it took from the TPM budget.
func (r *run) pace(ctx context.Context, req llm.Request) (need int, err error) {
	r.stats.pacing.Add(1)
	defer r.stats.pacing.Add(-1)
	if err := r.lim.Wait(ctx); err != nil {
		return 0, err
	}
	if r.tokens != nil {
		need = estimate(r.counter, req)
		if err := r.tokens.Take(ctx, need); err != nil {
			return 0, err
		}
		if st := r.opts.Limits.SharedTokens; st != nil {
			if err := takeTokens(ctx, st, need); err != nil {
				return 0, err
			}
		}
	}
	return need, nil
}

// backoff is exponential with equal jitter (between half and all of
// 0.5s·2^n, capped at MaxBackoff), unless the provider said how long to
// wait, which wins.
func (r *run) backoff(n uint, err error, _ *retry.Config) time.Duration {
	if d := llm.RetryAfter(err); d > 0 {
		// A little jitter keeps workers released by the same hint apart.
		return d + rand.N(d/10+time.Millisecond)
	}
	ceiling := min(r.base<<min(n, 20), r.opts.Limits.MaxBackoff)
	return ceiling/2 + rand.N(ceiling/2+1)
}
