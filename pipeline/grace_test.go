package pipeline

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// After the run's ctx ends, requests in flight keep their context for
// exactly Grace, so answers already paid for can arrive and be recorded;
// with no grace they are abandoned at once.
func TestGraceOutlivesTheRunByExactlyGrace(t *testing.T) {
	for _, grace := range []time.Duration{0, 5 * time.Second} {
		synctest.Test(t, func(t *testing.T) {
			rn := newRun(mustNew(t, Options{Resume: Resume{Grace: grace}}))
			ctx, cancel := context.WithCancel(context.Background())
			release := rn.graceful(ctx)
			defer release()

			time.Sleep(time.Hour) // a run may last long before it is stopped
			if rn.reqCtx.Err() != nil {
				t.Fatal("requests lost their context while the run went on")
			}
			cancel()
			start := time.Now()
			<-rn.reqCtx.Done()
			if got := time.Since(start); got != grace {
				t.Errorf("grace %s: requests were stopped %s after the run", grace, got)
			}
		})
	}
}

// Releasing a run that finished normally ends its request context too, so
// no timer outlives it.
func TestGraceReleaseEndsRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rn := newRun(mustNew(t, Options{Resume: Resume{Grace: time.Minute}}))
		release := rn.graceful(context.Background())
		release()
		synctest.Wait()
		if rn.reqCtx.Err() == nil {
			t.Error("the request context outlived the run")
		}
	})
}
