package pipeline

import (
	"sync/atomic"
	"time"
)

// Stats counts a run. Run returns the final Stats as its summary.
type Stats struct {
	Rows        int64 // rows written
	Answered    int64 // rows with an answer
	Failed      int64 // rows written with an error
	Cached      int64 // rows answered from the cache (an earlier run)
	Shared      int64 // rows answered by an identical request of this run
	Requests    int64 // attempts sent (one that failed with llm.ErrNotSent was not)
	Retries     int64 // attempts after a row's first
	RateLimited int64 // attempts answered 429
	TokensIn    int64 // prompt tokens, as the provider counted them
	TokensOut   int64 // completion tokens, as the provider counted them
	Elapsed     time.Duration
	FirstError  string // the first failed row's error, located, for the summary
}

// counters is the live, concurrently updated form of Stats.
type counters struct {
	start                                              time.Time
	rows, answered, failed, requests, retries, limited atomic.Int64
	cached, shared                                     atomic.Int64
	tokensIn, tokensOut                                atomic.Int64
	firstErr                                           atomic.Pointer[string]
}

func (c *counters) snapshot() Stats {
	return Stats{
		Rows:        c.rows.Load(),
		Answered:    c.answered.Load(),
		Failed:      c.failed.Load(),
		Cached:      c.cached.Load(),
		Shared:      c.shared.Load(),
		Requests:    c.requests.Load(),
		Retries:     c.retries.Load(),
		RateLimited: c.limited.Load(),
		TokensIn:    c.tokensIn.Load(),
		TokensOut:   c.tokensOut.Load(),
		Elapsed:     time.Since(c.start),
		FirstError:  c.firstError(),
	}
}

func (c *counters) firstError() string {
	if p := c.firstErr.Load(); p != nil {
		return *p
	}
	return ""
}
