package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
)

var errServer = &llm.Error{Status: 500, Retryable: true}

// backoff is random, so each case draws it many times: every draw must lie
// in [lo, hi] and the draws must come near both ends. The n-th retry waits
// between half and all of 0.5s·2^n, capped at MaxBackoff; a Retry-After
// wins, plus up to a tenth of it and a millisecond.
func TestBackoffGrowsJittersAndIsCapped(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name   string
		max    time.Duration
		n      uint
		err    error
		lo, hi time.Duration
	}{
		{"first retry", 30 * time.Second, 1, errServer, 500 * ms, time.Second},
		{"second retry", 30 * time.Second, 2, errServer, time.Second, 2 * time.Second},
		{"fifth retry", 30 * time.Second, 5, errServer, 8 * time.Second, 16 * time.Second},
		{"sixth retry reaches the cap", 30 * time.Second, 6, errServer, 15 * time.Second, 30 * time.Second},
		{"far past the cap", 30 * time.Second, 1000, errServer, 15 * time.Second, 30 * time.Second},
		{"a lower cap", 3 * time.Second, 3, errServer, 1500 * ms, 3 * time.Second},
		{"a 429 without Retry-After", 30 * time.Second, 1, rateLimited(0), 500 * ms, time.Second},
		{"Retry-After wins", 30 * time.Second, 4, rateLimited(2 * time.Second), 2 * time.Second, 2201*ms - 1},
		{"Retry-After over the cap", time.Second, 1, rateLimited(5 * time.Second), 5 * time.Second, 5501*ms - 1},
		{"Retry-After wrapped", 30 * time.Second, 1, fmt.Errorf("attempt 2: %w", rateLimited(time.Second)), time.Second, 1101*ms - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &run{Pipeline: &Pipeline{opts: Options{Limits: Limits{MaxBackoff: tt.max}}}, base: 500 * ms}
			lo, hi := tt.hi, tt.lo
			for range 2000 {
				d := r.backoff(tt.n, tt.err, nil)
				if d < tt.lo || d > tt.hi {
					t.Fatalf("backoff(%d) = %s, want within [%s, %s]", tt.n, d, tt.lo, tt.hi)
				}
				lo, hi = min(lo, d), max(hi, d)
			}
			// 2000 uniform draws all missing a tenth of the range at one
			// end has a chance of 0.9^2000.
			if tenth := (tt.hi - tt.lo) / 10; lo > tt.lo+tenth || hi < tt.hi-tenth {
				t.Errorf("2000 draws of backoff(%d) spread over [%s, %s], want over [%s, %s]", tt.n, lo, hi, tt.lo, tt.hi)
			}
		})
	}
}

// A run of one row whose first faults attempts fail: it takes as long as
// the backoff between them, on the fake clock, and no longer.
func TestBackoffPacesRetriesInARun(t *testing.T) {
	tests := []struct {
		name     string
		fault    fakeprovider.Fault
		faults   int64
		max      time.Duration // MaxBackoff; 0 for the default 30s
		requests int64
		lo, hi   time.Duration
	}{
		{"a 500, then an answer", fakeprovider.Status500, 1, 0, 2, 500 * time.Millisecond, time.Second},
		{"two 503s", fakeprovider.Status503, 2, 0, 3, 1500 * time.Millisecond, 3 * time.Second},
		{"a lower MaxBackoff", fakeprovider.Status500, 2, 200 * time.Millisecond, 3, 200 * time.Millisecond, 400 * time.Millisecond},
		// The limiter's pause for the same 1s runs alongside, not after.
		{"a 429 with Retry-After 1s", fakeprovider.Status429, 1, 0, 2, time.Second, 1101*time.Millisecond - 1},
		{"a 400 is not retried", fakeprovider.Status400, 1, 0, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := fakeprovider.New(fakeprovider.Options{Fault: func(n int64, _ string) fakeprovider.Fault {
					if n <= tt.faults {
						return tt.fault
					}
					return fakeprovider.OK
				}})
				opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Model: "test-model"}, Limits: Limits{MaxBackoff: tt.max}}
				start := time.Now()
				if _, err := runPipeline(context.Background(), &sliceReader{n: 1}, &memWriter{}, inProcessClient(t, p), opts); err != nil {
					t.Fatal(err)
				}
				if took := time.Since(start); took < tt.lo || took > tt.hi || p.Requests() != tt.requests {
					t.Errorf("%d requests in %s, want %d within [%s, %s]", p.Requests(), took, tt.requests, tt.lo, tt.hi)
				}
			})
		})
	}
}

// A run stopped during a backoff ends then, without waiting it out.
func TestBackoffEndsWhenTheRunIsCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Status500 }})
		opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Model: "test-model"}}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := runPipeline(ctx, &sliceReader{n: 1}, &memWriter{}, inProcessClient(t, p), opts)
		if took := time.Since(start); !errors.Is(err, context.Canceled) || took != 100*time.Millisecond || p.Requests() != 1 {
			t.Errorf("Run = %v after %s and %d requests, want context.Canceled after 100ms and 1", err, took, p.Requests())
		}
	})
}
