package ratelimit

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/enrich-dev/enrich/internal/redistest"
)

func open(t *testing.T, url string, o Options) *Store {
	t.Helper()
	if o.Key == "" {
		o.Key = t.Name()
	}
	s, err := Open(context.Background(), url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Three processes' stores, one key: together they keep to one rate.
func TestStoresShareOneRate(t *testing.T) {
	srv := redistest.Start(t)
	const perMinute, each = 60_000, 100 // 1000 a second: 300 turns take ~0.3s
	var stores []*Store
	for range 3 {
		stores = append(stores, open(t, srv.URL, Options{Key: "shared", RPM: perMinute}))
	}
	start := time.Now()
	var mu sync.Mutex
	var last time.Time
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			for range each {
				wait, err := s.Take(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(wait)
				mu.Lock()
				last = maxTime(last, time.Now())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	want := time.Duration(3*each-1) * interval(perMinute) // the first turn is at once
	if got := last.Sub(start); got < want-5*time.Millisecond || got > want*3/2 {
		t.Errorf("300 turns shared by three stores took %s, want about %s (one rate, not three)", got, want)
	}
}

// A pause one process asks for holds the others' next turns.
func TestPauseHoldsEveryProcess(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, srv.URL, Options{Key: "k", RPM: 6000})
	b := open(t, srv.URL, Options{Key: "k", RPM: 6000})
	a.Pause(300 * time.Millisecond)
	wait, err := b.Take(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if wait < 290*time.Millisecond || wait > 300*time.Millisecond {
		t.Errorf("after another process's 300ms pause the next turn is in %s", wait)
	}
	// Another key is not paused.
	c := open(t, srv.URL, Options{Key: "other", RPM: 6000})
	if wait, _ := c.Take(context.Background()); wait != 0 {
		t.Errorf("a pause on one key held another's turn for %s", wait)
	}
}

// Tokens booked and refunded.
func TestTokensBookAndSettle(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, srv.URL, Options{Key: "t", TPM: 60_000}) // 1000 a second, a second's worth may burst
	ctx := context.Background()
	if wait, _ := s.TakeTokens(ctx, 900); wait != 0 {
		t.Errorf("under a second's worth waited %s", wait)
	}
	wait, _ := s.TakeTokens(ctx, 500)
	if want := 1400*interval(60_000) - time.Second; wait < want-20*time.Millisecond || wait > want {
		t.Errorf("the next 500 tokens come in %s, want about %s", wait, want)
	}
	s.Settle(-1400) // the provider counted nothing of it
	if wait, _ := s.TakeTokens(ctx, 900); wait != 0 {
		t.Errorf("after a refund, 900 tokens waited %s", wait)
	}
}

func TestPassword(t *testing.T) {
	srv := redistest.Start(t, "--requirepass", "hunter2")
	if _, err := Open(context.Background(), srv.URL, Options{Key: "k", RPM: 60}); err == nil {
		t.Error("Open without the password succeeded")
	}
	open(t, srv.URL, Options{Key: "k", RPM: 60, Password: "hunter2"})
	open(t, strings.Replace(srv.URL, "redis://", "redis://:hunter2@", 1), Options{Key: "k", RPM: 60})
}

func TestUnreachableAtOpen(t *testing.T) {
	mr := miniredis.RunT(t)
	addr := mr.Addr()
	url := "redis://:s3cret@" + addr + "/0"
	mr.Close()
	_, err := Open(context.Background(), url, Options{Key: "k", RPM: 60, Timeout: 200 * time.Millisecond})
	var u *UnreachableError
	if !errors.As(err, &u) {
		t.Fatalf("Open = %v, want an *UnreachableError", err)
	}
	if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), addr) {
		t.Errorf("the error %q shows the password or hides the address", err)
	}
}

// A store gone mid-run is told once, and the process keeps to its share,
// never to no limit at all.
func TestLostStoreFallsBackToAShare(t *testing.T) {
	mr := miniredis.RunT(t)
	var warned []error
	var mu sync.Mutex
	s := open(t, "redis://"+mr.Addr()+"/0", Options{Key: "k", RPM: 6000, Share: 3, Timeout: 200 * time.Millisecond,
		Warn: func(err error) { mu.Lock(); warned = append(warned, err); mu.Unlock() }})
	if _, err := s.Take(context.Background()); err != nil {
		t.Fatal(err)
	}
	mr.Close()
	var waits []time.Duration
	for range 4 {
		w, err := s.Take(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	mu.Lock()
	defer mu.Unlock()
	var lost *LostError
	if len(warned) != 1 || !errors.As(warned[0], &lost) || lost.Share != 3 || lost.RPM != 2000 {
		t.Fatalf("warnings %v, want one *LostError with a share of 1/3, 2000 a minute", warned)
	}
	share := 3 * interval(6000)
	for i, w := range waits[1:] {
		if want := time.Duration(i+1) * share; w < want-5*time.Millisecond || w > want {
			t.Errorf("turn %d after the store went away waits %s, want about %s (a third of the rate)", i+2, w, want)
		}
	}
}
