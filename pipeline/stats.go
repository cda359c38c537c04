package pipeline

import (
	"sync"
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

	// What the run is doing now, for a progress display.
	InFlight int64         // requests sent and not yet answered
	Oldest   time.Duration // how long the oldest of them has waited
	Pacing   int64         // requests held back by the rate limits
	// Input is the rows read from the input (up to Limit): with a Shard,
	// every shard's rows, not only the ones this run wrote.
	Input int64
}

// counters is the live, concurrently updated form of Stats.
type counters struct {
	start                                              time.Time
	rows, answered, failed, requests, retries, limited atomic.Int64
	cached, shared                                     atomic.Int64
	tokensIn, tokensOut                                atomic.Int64
	firstErr                                           atomic.Pointer[string]
	pacing                                             atomic.Int64
	input                                              atomic.Int64

	mu       sync.Mutex
	inflight map[uint64]time.Time // start of each request in flight
	nextID   uint64
}

// begin notes a request sent; done notes its answer.
func (c *counters) begin() (done func()) {
	c.mu.Lock()
	if c.inflight == nil {
		c.inflight = make(map[uint64]time.Time)
	}
	id := c.nextID
	c.nextID++
	c.inflight[id] = time.Now()
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.inflight, id)
		c.mu.Unlock()
	}
}

// flight is the number of requests in flight and the age of the oldest.
func (c *counters) flight() (n int64, oldest time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for _, t := range c.inflight {
		oldest = max(oldest, now.Sub(t))
	}
	return int64(len(c.inflight)), oldest
}

func (c *counters) snapshot() Stats {
	n, oldest := c.flight()
	return Stats{
		InFlight:    n,
		Oldest:      oldest,
		Pacing:      c.pacing.Load(),
		Input:       c.input.Load(),
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
