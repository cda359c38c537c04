package pipeline

import (
	"context"
	"math"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/enrich-dev/enrich/llm"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time               { return c.t }
func (c *fakeClock) add(d time.Duration)          { c.t = c.t.Add(d) }
func withClock(l *limiter, c *fakeClock) *limiter { l.now = c.now; return l }

func rateLimited(retryAfter time.Duration) error {
	return &llm.Error{Status: 429, Retryable: true, RetryAfter: retryAfter}
}

func TestFixedRateIsEvenlySpaced(t *testing.T) {
	l := newLimiter(1200) // 20/s: 50ms apart
	ctx := context.Background()
	start := time.Now()
	for range 6 {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The first goes at once, the next five 50ms apart.
	if d := time.Since(start); d < 240*time.Millisecond || d > 400*time.Millisecond {
		t.Errorf("6 waits at 1200 rpm took %s, want about 250ms", d)
	}
	l.Observe(llm.Response{}, rateLimited(time.Second))
	if got := l.Limit(); got != 20 {
		t.Errorf("a fixed rate changed to %v after a 429", got)
	}
}

func TestRateLimitPausesEveryWorker(t *testing.T) {
	l := newLimiter(0)
	l.Observe(llm.Response{}, rateLimited(150*time.Millisecond))
	start := time.Now()
	done := make(chan time.Duration, 3)
	for range 3 {
		go func() {
			_ = l.Wait(context.Background())
			done <- time.Since(start)
		}()
	}
	for range 3 {
		if d := <-done; d < 140*time.Millisecond {
			t.Errorf("a worker went after %s, inside the 150ms pause", d)
		}
	}
}

func TestPauseRespectsCancellation(t *testing.T) {
	l := newLimiter(0)
	l.Observe(llm.Response{}, rateLimited(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx); err == nil {
		t.Fatal("Wait returned nil during a one-minute pause with a cancelled context")
	}
}

func TestAdaptiveCutsAndGrows(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := withClock(newLimiter(0), clk)
	// 30 successes within the last second, then a 429: pace to 30/s.
	for range 30 {
		clk.add(30 * time.Millisecond)
		l.Observe(llm.Response{}, nil)
	}
	l.Observe(llm.Response{}, rateLimited(0))
	if got := l.Limit(); math.Abs(float64(got)-30) > 1 {
		t.Fatalf("after the first 429 the pace is %v, want the recent success rate of about 30/s", got)
	}
	// More 429s from the same burst don't cut again within the cooldown.
	l.Observe(llm.Response{}, rateLimited(0))
	if got := l.Limit(); math.Abs(float64(got)-30) > 1 {
		t.Errorf("a second 429 inside the cooldown cut the pace to %v", got)
	}
	clk.add(2 * time.Second)
	l.Observe(llm.Response{}, rateLimited(0))
	if got, want := l.Limit(), rate.Limit(30*cutFactor); math.Abs(float64(got-want)) > 1 {
		t.Errorf("a 429 after the cooldown left the pace at %v, want about %v", got, want)
	}
	// Growth only while the pace is what holds requests back.
	before := l.Limit()
	clk.add(2 * time.Second)
	l.Observe(llm.Response{}, nil)
	if l.Limit() != before {
		t.Errorf("the pace grew to %v although no request was held back", l.Limit())
	}
	l.held = true
	clk.add(time.Second)
	l.Observe(llm.Response{}, nil)
	if got, want := l.Limit(), before*rate.Limit(1+growPerSec); math.Abs(float64(got-want)) > 0.5 {
		t.Errorf("after a held second the pace is %v, want about %v", got, want)
	}
}

func TestHeadersSetTheCeiling(t *testing.T) {
	tests := []struct {
		name   string
		limits llm.Limits
		want   rate.Limit
	}{
		{"per minute", llm.Limits{LimitRequests: 600, RemainingRequests: 599, HasRemaining: true, ResetRequests: 100 * time.Millisecond}, 10},
		{"fresh bucket", llm.Limits{LimitRequests: 3000, RemainingRequests: 3000, HasRemaining: true}, 50},
		// A per-day limit sent under the same name: 30 used, full again in
		// 3 minutes, so the real pace is 30/180s, not 14400/60s.
		{"per day", llm.Limits{LimitRequests: 14400, RemainingRequests: 14370, HasRemaining: true, ResetRequests: 3 * time.Minute}, rate.Limit(30.0 / 180)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(0)
			l.Observe(llm.Response{Limits: tt.limits}, nil)
			if got := l.Limit(); math.Abs(float64(got-tt.want)) > 0.01 {
				t.Errorf("pace %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRemainingZeroPausesUntilReset(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := withClock(newLimiter(0), clk)
	l.Observe(llm.Response{Limits: llm.Limits{LimitRequests: 60, HasRemaining: true, RemainingRequests: 0, ResetRequests: 2 * time.Second}}, nil)
	if got := l.pauseUntil.Sub(clk.t); got != 2*time.Second {
		t.Errorf("pause of %s, want 2s until the reset", got)
	}
}

// A 429 before any success says nothing about the pace: keep it and pause.
func TestFirst429WithoutHistoryKeepsPace(t *testing.T) {
	l := newLimiter(0)
	l.Observe(llm.Response{}, rateLimited(10*time.Millisecond))
	if got := l.Limit(); got != rate.Inf {
		t.Errorf("pace %v after a 429 with no successes seen, want unchanged", got)
	}
}

// A worker already waiting its turn at the pace must not send during a
// pause that began while it waited.
func TestPauseHoldsWorkersAlreadyWaitingOnThePace(t *testing.T) {
	l := newLimiter(600) // one every 100ms
	ctx := context.Background()
	l.Wait(ctx) // takes the first slot
	start := time.Now()
	done := make(chan time.Duration)
	go func() {
		l.Wait(ctx) // reserved for +100ms
		done <- time.Since(start)
	}()
	time.Sleep(20 * time.Millisecond)
	l.Observe(llm.Response{}, rateLimited(400*time.Millisecond))
	if d := <-done; d < 400*time.Millisecond {
		t.Errorf("a waiting worker went after %s, inside the 400ms pause", d)
	}
}
