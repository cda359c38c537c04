package pipeline

import (
	"context"
	"time"
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
	// Take asks for one request's turn: 0 means send now (the turn is
	// taken), more means ask again after that long.
	Take(ctx context.Context) (time.Duration, error)
	// Pause holds every process for d, as a 429 asked.
	Pause(d time.Duration)
}

// TokenLimit is the same for a tokens-per-minute budget: Take charges n
// tokens (0 wait: charged), Settle corrects a charge by delta tokens once
// the provider's count is known (negative refunds).
type TokenLimit interface {
	TakeTokens(ctx context.Context, n int) (time.Duration, error)
	Settle(delta int)
}
