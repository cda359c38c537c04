package pipeline

import (
	"context"
	"time"

	"github.com/enrich-dev/enrich/llm"
)

// SharedLimit is a request budget that several processes draw from, so
// that N copies of a run together keep to one rate instead of N times it
// (package ratelimit keeps one in Redis). The pipeline's limiter asks it
// for every request's turn, after its own pause and pace, and tells it of
// every 429, so one process's 429 holds all of them.
//
// A SharedLimit that loses its store must not fail the run nor let it go
// unlimited: it falls back to a share of the budget of its own and says
// so through its own means (package ratelimit tells Options.Warn's kind
// of callback once).
type SharedLimit interface {
	// Take books the next request's turn and says how long from now it
	// comes: the caller waits that long, then sends. The error is only
	// ctx's.
	Take(ctx context.Context) (time.Duration, error)
	// Pause holds every process's next turns for d, as a 429 asked.
	Pause(d time.Duration)
}

// TokenLimit is the same for a tokens-per-minute budget: TakeTokens books
// n tokens and says when they are there; Settle corrects a booking by
// delta tokens once the provider's count is known (negative refunds).
type TokenLimit interface {
	TakeTokens(ctx context.Context, n int) (time.Duration, error)
	Settle(delta int)
}

// takeTokens waits for n tokens of the shared budget.
func takeTokens(ctx context.Context, t TokenLimit, n int) error {
	wait, err := t.TakeTokens(ctx, n)
	if err != nil || wait <= 0 {
		return err
	}
	return sleep(ctx, wait)
}

// charged is what a provider charges a request against its token budget
// (see tokenBucket.Settle), and whether it said.
func charged(req llm.Request, used llm.Usage) (int, bool) {
	if used.PromptTokens == 0 {
		return 0, false
	}
	if req.MaxTokens > 0 {
		return used.PromptTokens + req.MaxTokens, true
	}
	return used.PromptTokens + used.CompletionTokens, true
}
