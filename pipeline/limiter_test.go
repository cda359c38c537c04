package pipeline

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"

	"github.com/enrich-dev/enrich/llm"
)

// Every test of time here runs in a synctest bubble: its clock moves only
// when every goroutine in the bubble is blocked, so durations are exact
// and a slow machine cannot make a test fail.

func rateLimited(retryAfter time.Duration) error {
	return &llm.Error{Status: 429, Retryable: true, RetryAfter: retryAfter}
}

// sameRate compares paces computed in floating point.
func sameRate(got, want rate.Limit) bool {
	return got == want || math.Abs(float64(got-want)) <= 1e-9*math.Abs(float64(want))
}

// gapOf is the time between two requests paced at r: a hair longer than
// 1/r (headroom).
func gapOf(r rate.Limit) time.Duration {
	return time.Duration(float64(time.Second) / (float64(r) * headroom))
}

// sleepUntil sleeps until start+d on the bubble's clock.
func sleepUntil(start time.Time, d time.Duration) { time.Sleep(time.Until(start.Add(d))) }

// succeed observes n successes, every apart, the last one now.
func succeed(l *limiter, n int, every time.Duration) {
	for i := range n {
		if i > 0 {
			time.Sleep(every)
		}
		l.Observe(llm.Response{}, nil)
	}
}

func TestFixedRateIsEvenlySpaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(1200) // 20/s: a hair over 50ms apart
		ctx := context.Background()
		start := time.Now()
		gap := gapOf(20)
		for i := range 6 {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			// The first goes at once, the next five 51ms apart.
			if got, want := time.Since(start), time.Duration(i)*gap; got != want {
				t.Errorf("wait %d of 6 at 1200 rpm returned at %s, want %s", i+1, got, want)
			}
		}
		l.Observe(llm.Response{}, rateLimited(time.Second))
		if got := l.Limit(); got != 20 {
			t.Errorf("a fixed rate changed to %v after a 429", got)
		}
		// It is still paused by the 429, and paces again after.
		start = time.Now()
		for i, want := range []time.Duration{time.Second, time.Second + gap} {
			if err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			if got := time.Since(start); got != want {
				t.Errorf("wait %d after a 429 with Retry-After 1s returned at %s, want %s", i+1, got, want)
			}
		}
	})
}

// Workers call Wait at arrive while the limiter observes the events at
// their times; want is when each is let go, in order.
func TestLimiterPausesEveryWorker(t *testing.T) {
	type event struct {
		at   time.Duration
		resp llm.Response
		err  error
	}
	emptied := llm.Response{Limits: llm.Limits{LimitRequests: 60, HasRemaining: true, RemainingRequests: 0, ResetRequests: 2 * time.Second}}
	tests := []struct {
		name   string
		rpm    float64
		events []event
		arrive time.Duration
		want   []time.Duration
	}{
		{"Retry-After 1s", 0, []event{{0, llm.Response{}, rateLimited(time.Second)}}, 0,
			[]time.Duration{time.Second, time.Second, time.Second}},
		{"no Retry-After", 0, []event{{0, llm.Response{}, rateLimited(0)}}, 0,
			[]time.Duration{500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}},
		{"a shorter hint does not end it sooner", 0, []event{
			{0, llm.Response{}, rateLimited(time.Second)},
			{300 * time.Millisecond, llm.Response{}, rateLimited(200 * time.Millisecond)},
		}, 600 * time.Millisecond, []time.Duration{time.Second, time.Second, time.Second}},
		{"a later 429 holds those already waiting", 0, []event{
			{0, llm.Response{}, rateLimited(time.Second)},
			{500 * time.Millisecond, llm.Response{}, rateLimited(time.Second)},
		}, 0, []time.Duration{1500 * time.Millisecond, 1500 * time.Millisecond, 1500 * time.Millisecond}},
		// The headers also set the pace, 60 a minute, once the bucket
		// is full again at 2s.
		{"remaining 0 pauses until the reset", 0, []event{{0, emptied, nil}}, 0,
			[]time.Duration{2 * time.Second, 2*time.Second + gapOf(1), 2*time.Second + 2*gapOf(1)}},
		{"a fixed rate paces after the pause", 1200, []event{{0, llm.Response{}, rateLimited(time.Second)}}, 0,
			[]time.Duration{time.Second, time.Second + gapOf(20), time.Second + 2*gapOf(20)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(tt.rpm)
				start := time.Now()
				events := tt.events
				for len(events) > 0 && events[0].at == 0 {
					l.Observe(events[0].resp, events[0].err)
					events = events[1:]
				}
				var mu sync.Mutex
				var got []time.Duration
				var wg sync.WaitGroup
				for range len(tt.want) {
					wg.Go(func() {
						sleepUntil(start, tt.arrive)
						if err := l.Wait(context.Background()); err != nil {
							t.Error(err)
						}
						mu.Lock()
						got = append(got, time.Since(start))
						mu.Unlock()
					})
				}
				for _, e := range events {
					sleepUntil(start, e.at)
					l.Observe(e.resp, e.err)
				}
				wg.Wait()
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("workers went at %v, want %v", got, tt.want)
				}
			})
		})
	}
}

// A worker already waiting its turn at the pace must not send during a
// pause that began while it waited.
func TestLimiterPauseHoldsWorkersAlreadyWaitingOnThePace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(600) // one every 100ms
		ctx := context.Background()
		start := time.Now()
		l.Wait(ctx) // takes the first slot
		done := make(chan time.Duration)
		go func() {
			l.Wait(ctx) // reserved for +100ms
			done <- time.Since(start)
		}()
		time.Sleep(20 * time.Millisecond)
		l.Observe(llm.Response{}, rateLimited(400*time.Millisecond))
		if got, want := <-done, 420*time.Millisecond; got != want {
			t.Errorf("a worker waiting on the pace went at %s, want %s, the end of the pause", got, want)
		}
	})
}

func TestLimiterWaitReturnsWhenCtxIsDone(t *testing.T) {
	tests := []struct {
		name     string
		rpm      float64
		retry    time.Duration // a 429's Retry-After before the Wait; 0 for none
		deadline time.Duration // ctx's timeout; 0 for none
		cancelAt time.Duration // when ctx is cancelled; 0 for never
		want     error         // nil: any error
		wantAt   time.Duration
	}{
		{"deadline during a pause", 0, time.Minute, 20 * time.Millisecond, 0, context.DeadlineExceeded, 20 * time.Millisecond},
		{"cancelled during a pause", 0, time.Minute, 0, 20 * time.Millisecond, context.Canceled, 20 * time.Millisecond},
		{"cancelled waiting on the pace", 1, 0, 0, 20 * time.Millisecond, context.Canceled, 20 * time.Millisecond},
		// x/time/rate gives up at once on a turn that comes after the
		// deadline, with an error of its own.
		{"the pace's turn is after the deadline", 1, 0, 20 * time.Millisecond, 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(tt.rpm)
				if tt.rpm > 0 {
					l.Wait(context.Background()) // the next turn is a minute away
				}
				if tt.retry > 0 {
					l.Observe(llm.Response{}, rateLimited(tt.retry))
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.deadline > 0 {
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				if tt.cancelAt > 0 {
					time.AfterFunc(tt.cancelAt, cancel)
				}
				start := time.Now()
				err := l.Wait(ctx)
				if got := time.Since(start); err == nil || tt.want != nil && !errors.Is(err, tt.want) || got != tt.wantAt {
					t.Errorf("Wait = %v after %s, want %v after %s", err, got, tt.want, tt.wantAt)
				}
			})
		})
	}
}

func TestLimiterAdaptiveCutsAndGrows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(0)
		// 30 successes within the last second, then a 429: pace to 30/s.
		succeed(l, 30, 30*time.Millisecond)
		l.Observe(llm.Response{}, rateLimited(0))
		if got := l.Limit(); got != 30 {
			t.Fatalf("after the first 429 the pace is %v, want the recent success rate of 30/s", got)
		}
		// More 429s from the same burst don't cut again within the cooldown.
		l.Observe(llm.Response{}, rateLimited(0))
		if got := l.Limit(); got != 30 {
			t.Errorf("a second 429 inside the cooldown cut the pace to %v", got)
		}
		time.Sleep(2 * time.Second)
		l.Observe(llm.Response{}, rateLimited(0))
		if got, want := l.Limit(), rate.Limit(20.1); !sameRate(got, want) {
			t.Errorf("a 429 after the cooldown left the pace at %v, want %v", got, want)
		}
		// Growth only while the pace is what holds requests back.
		before := l.Limit()
		time.Sleep(2 * time.Second)
		l.Observe(llm.Response{}, nil)
		if l.Limit() != before {
			t.Errorf("the pace grew to %v although no request was held back", l.Limit())
		}
		checked := time.Now()
		l.Wait(context.Background())
		l.Wait(context.Background()) // held back by the pace
		sleepUntil(checked, time.Second)
		l.Observe(llm.Response{}, nil)
		if got, want := l.Limit(), before*1.1; !sameRate(got, want) {
			t.Errorf("after a held second the pace is %v, want %v", got, want)
		}
	})
}

// The first 429 sets the pace to the success rate just seen.
func TestLimiterFirstCutIsTheRecentSuccessRate(t *testing.T) {
	tests := []struct {
		name    string
		observe func(l *limiter)
		want    rate.Limit
	}{
		{"30 in the last second", func(l *limiter) { succeed(l, 30, 30*time.Millisecond) }, 30},
		{"older successes don't count", func(l *limiter) {
			succeed(l, 50, time.Millisecond)
			time.Sleep(5 * time.Second)
			succeed(l, 5, 100*time.Millisecond)
		}, 5},
		// The ring holds the last 512, spread over 511ms.
		{"a full ring within a second", func(l *limiter) { succeed(l, 600, time.Millisecond) }, rate.Limit(512 / 0.511)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(0)
				tt.observe(l)
				l.Observe(llm.Response{}, rateLimited(0))
				if got := l.Limit(); !sameRate(got, tt.want) {
					t.Errorf("pace %v after the first 429, want %v", got, tt.want)
				}
			})
		})
	}
}

// A 429 before any success says nothing about the pace: keep it and pause.
func TestLimiterFirst429WithoutHistoryKeepsPace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(0)
		l.Observe(llm.Response{}, rateLimited(10*time.Millisecond))
		if got := l.Limit(); got != rate.Inf {
			t.Errorf("pace %v after a 429 with no successes seen, want unchanged", got)
		}
		start := time.Now()
		l.Wait(context.Background())
		if got := time.Since(start); got != 10*time.Millisecond {
			t.Errorf("the next request went after %s, want 10ms, the Retry-After", got)
		}
	})
}

// After a first cut to 30/s, a second 429 with Retry-After retry comes
// after; it cuts by a third only once the cooldown, stretched to a
// longer Retry-After, has passed since the first.
func TestLimiterCutsAtMostOncePerCooldown(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration
		retry time.Duration
		want  rate.Limit
	}{
		{"same burst", 0, 0, 30},
		{"just inside the cooldown", time.Second - time.Nanosecond, 0, 30},
		{"at the cooldown", time.Second, 0, 20.1},
		{"inside a longer Retry-After", 4 * time.Second, 5 * time.Second, 30},
		{"after a longer Retry-After", 5 * time.Second, 5 * time.Second, 20.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(0)
				succeed(l, 30, 30*time.Millisecond)
				l.Observe(llm.Response{}, rateLimited(0))
				time.Sleep(tt.after)
				l.Observe(llm.Response{}, rateLimited(tt.retry))
				if got := l.Limit(); !sameRate(got, tt.want) {
					t.Errorf("pace %v, want %v", got, tt.want)
				}
			})
		})
	}
}

func TestLimiterCutsNoLowerThanARequestAMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(0)
		l.Observe(llm.Response{}, nil)
		for range 20 { // 0.67^20 of 1/s is far below one a minute
			l.Observe(llm.Response{}, rateLimited(0))
			time.Sleep(time.Second)
		}
		if got, want := l.Limit(), rate.Limit(0.02); got != want {
			t.Errorf("pace %v after 20 cuts, want the floor %v", got, want)
		}
	})
}

// After a cut to 30/s at 0 (a ceiling of 40/s first cuts to 26.8/s), the
// pace grows 10% a second while requests are held back by it, once the
// cooldown has passed, up to the ceiling.
func TestLimiterGrowsWhileHeldBack(t *testing.T) {
	tests := []struct {
		name    string
		ceiling int // x-ratelimit-limit-requests; 0 for none
		waits   int // right after the cut; the second is held back
		at      time.Duration
		want    rate.Limit
	}{
		{"held for a second", 0, 2, time.Second, 33},
		{"held for two seconds", 0, 2, 2 * time.Second, 36.3},
		{"not held", 0, 0, 2 * time.Second, 30},
		{"a wait not delayed is not held", 0, 1, 2 * time.Second, 30},
		{"inside the cooldown", 0, 2, 500 * time.Millisecond, 30},
		{"up to the ceiling", 2400, 2, 10 * time.Second, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(0)
				if tt.ceiling > 0 {
					l.Observe(llm.Response{Limits: llm.Limits{LimitRequests: tt.ceiling}}, nil)
				}
				succeed(l, 30, 30*time.Millisecond)
				l.Observe(llm.Response{}, rateLimited(0))
				cut := time.Now()
				for range tt.waits {
					l.Wait(context.Background())
				}
				sleepUntil(cut, tt.at)
				l.Observe(llm.Response{}, nil)
				if got := l.Limit(); !sameRate(got, tt.want) {
					t.Errorf("pace %v, want %v", got, tt.want)
				}
			})
		})
	}
}

// The pace adopted from x-ratelimit-* headers is the one Wait keeps: gap
// is the time between two requests.
func TestLimiterHeadersSetTheCeiling(t *testing.T) {
	tests := []struct {
		name   string
		rpm    float64
		limits llm.Limits
		want   rate.Limit
	}{
		{"per minute", 0, llm.Limits{LimitRequests: 600, RemainingRequests: 599, HasRemaining: true, ResetRequests: 100 * time.Millisecond}, 10},
		{"fresh bucket", 0, llm.Limits{LimitRequests: 3000, RemainingRequests: 3000, HasRemaining: true}, 50},
		// A per-day limit sent under the same name: 30 used, full again in
		// 3 minutes, so the real pace is 30/180s, not 14400/60s.
		{"per day", 0, llm.Limits{LimitRequests: 14400, RemainingRequests: 14370, HasRemaining: true, ResetRequests: 3 * time.Minute}, rate.Limit(30.0 / 180)},
		{"a fixed rate keeps its own", 600, llm.Limits{LimitRequests: 60}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLimiter(tt.rpm)
				l.Observe(llm.Response{Limits: tt.limits}, nil)
				if got := l.Limit(); !sameRate(got, tt.want) {
					t.Errorf("pace %v, want %v", got, tt.want)
				}
				l.Wait(context.Background())
				start := time.Now()
				l.Wait(context.Background())
				if got := time.Since(start); got != gapOf(tt.want) {
					t.Errorf("the second request went %s after the first, want %s", got, gapOf(tt.want))
				}
			})
		})
	}
}

// A 429 for a request that left before the pace was last lowered says
// nothing about the new pace: it pauses, and cuts nothing.
func TestLimiterIgnoresOld429sForTheCut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(0)
		sent := time.Now()
		time.Sleep(time.Millisecond)
		onLimit := &llm.Error{Status: 429, Retryable: true, RetryAfter: 40 * time.Millisecond, Limits: llm.Limits{LimitRequests: 1200, HasRemaining: true, ResetRequests: 250 * time.Millisecond}}
		l.ObserveSent(sent, llm.Response{}, onLimit) // the limit on the 429 is adopted
		if got := l.Limit(); got != 20 {
			t.Fatalf("pace %v after a 429 saying 1200 a minute, want 20/s", got)
		}
		time.Sleep(2 * time.Second)
		l.ObserveSent(sent, llm.Response{}, onLimit) // sent before the pace was set
		if got := l.Limit(); got != 20 {
			t.Errorf("a 429 of a request sent before the pace was set cut it to %v", got)
		}
		l.ObserveSent(time.Now(), llm.Response{}, onLimit) // sent under it: a tenth off
		if got, want := l.Limit(), rate.Limit(18); !sameRate(got, want) {
			t.Errorf("a 429 under a known limit cut the pace to %v, want %v", got, want)
		}
		// The pause is the 429's hint, not the time until the bucket is full.
		start := time.Now()
		l.Wait(context.Background())
		if got := time.Since(start); got != 40*time.Millisecond {
			t.Errorf("the next request left after %s, want the 40ms retry-after-ms", got)
		}
	})
}

// A late departure does not push the schedule back, but the next one never
// comes closer than the pace itself.
func TestLimiterLateWakeUpKeepsTheScheduleNotTheGap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLimiter(1200)
		start := time.Now()
		l.Wait(context.Background())
		time.Sleep(gapOf(20) + 2*time.Millisecond) // the second is 2ms late
		l.Wait(context.Background())
		second := time.Since(start)
		l.Wait(context.Background())
		third := time.Since(start)
		if want := max(2*gapOf(20), second+50*time.Millisecond); third != want {
			t.Errorf("after a departure at %s the next left at %s, want %s", second, third, want)
		}
	})
}
