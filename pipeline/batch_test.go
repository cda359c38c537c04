package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/writers"
)

// memLog is a BatchLog in memory.
type memLog struct {
	mu    sync.Mutex
	lines [][]byte
}

func (l *memLog) Append(recs ...any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range recs {
		b, err := jsonLine(r)
		if err != nil {
			return err
		}
		l.lines = append(l.lines, b)
	}
	return nil
}

func (l *memLog) Replay(fn func([]byte) error) error {
	l.mu.Lock()
	lines := append([][]byte(nil), l.lines...)
	l.mu.Unlock()
	for _, b := range lines {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

func jsonLine(v any) ([]byte, error) { return json.Marshal(v) }

func (l *memLog) Clear() error { l.mu.Lock(); defer l.mu.Unlock(); l.lines = nil; return nil }

// batchFixture is a pipeline over n rows against a fake provider, with a
// cache and a log that outlive one call, as a rerun's do.
type batchFixture struct {
	t     *testing.T
	fp    *fakeprovider.Provider
	cache *memCache
	log   *memLog
	n     int
	opts  Options
}

func newBatchFixture(t *testing.T, n int, bo fakeprovider.BatchOptions) *batchFixture {
	return &batchFixture{t: t, fp: fakeprovider.New(fakeprovider.Options{Batch: bo}), cache: newMemCache(), log: &memLog{}, n: n,
		opts: Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Model: "m"}, Limits: Limits{Attempts: 3, MaxBackoff: time.Millisecond}}}
}

func (f *batchFixture) run(bo BatchOptions) (*memWriter, Stats, BatchStats, error) {
	f.t.Helper()
	opts := f.opts
	opts.Resume.Cache = f.cache
	p, err := New(newClient(f.t, f.fp), opts)
	if err != nil {
		f.t.Fatal(err)
	}
	bo.Log = f.log
	if bo.Poll == 0 {
		bo.Poll = 5 * time.Millisecond
	}
	w := &memWriter{}
	created := false
	stats, bstats, err := p.RunBatch(context.Background(),
		func() (Rows, error) { return &sliceReader{n: f.n}, nil },
		func() (writers.Writer, error) { created = true; return w, nil }, bo)
	if err != nil && created && !w.aborted {
		f.t.Errorf("a failed run left its writer open")
	}
	return w, stats, bstats, err
}

func values(w *memWriter) [][]string {
	var out [][]string
	for _, r := range w.recs {
		out = append(out, r.Values)
	}
	return out
}

// A batch run writes what an online run writes for the same answers,
// refused rows included.
func TestRunBatchMatchesOnline(t *testing.T) {
	fault := func(prompt string) fakeprovider.Fault {
		if prompt == "row-3" {
			return fakeprovider.Status400
		}
		return fakeprovider.OK
	}
	f := newBatchFixture(t, 20, fakeprovider.BatchOptions{LineFault: fault, Processing: 20 * time.Millisecond})
	w, stats, bstats, err := f.run(BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	online := fakeprovider.New(fakeprovider.Options{Fault: func(_ int64, prompt string) fakeprovider.Fault { return fault(prompt) }})
	r := &sliceReader{n: 20}
	want := &memWriter{}
	if _, err := runPipeline(context.Background(), r, want, newClient(t, online), f.opts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(values(want), values(w)); diff != "" {
		t.Errorf("batch output differs from online (-online +batch):\n%s", diff)
	}
	if stats.Failed != 1 || stats.Answered != 19 || bstats.Submitted != 1 || bstats.Requests != 20 || online.Requests() != 20 {
		t.Errorf("stats %+v, batch %+v; want 19 answered, 1 failed, one batch of 20", stats, bstats)
	}
	if f.fp.BatchesCreated() != 1 {
		t.Errorf("%d batches, want 1 (a refused line is not retried)", f.fp.BatchesCreated())
	}
	if len(f.log.lines) != 0 {
		t.Errorf("the log holds %d lines after the output was written, want none", len(f.log.lines))
	}
}

func TestRunBatchSplitsBySize(t *testing.T) {
	f := newBatchFixture(t, 10, fakeprovider.BatchOptions{})
	w, _, bstats, err := f.run(BatchOptions{Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	if f.fp.BatchesCreated() != 4 || bstats.Submitted != 4 || len(w.recs) != 10 {
		t.Errorf("%d batches (stats %+v), %d rows; want 4 and 10", f.fp.BatchesCreated(), bstats, len(w.recs))
	}
}

// smallBatches is a provider whose batches hold little.
type smallBatches struct {
	*llm.OpenAI
	limits llm.BatchLimits
}

func (s smallBatches) BatchLimits() llm.BatchLimits { return s.limits }

func TestRunBatchSplitsByBytes(t *testing.T) {
	f := newBatchFixture(t, 10, fakeprovider.BatchOptions{})
	// A line is 162 bytes here: 350 bytes a batch take two.
	client := smallBatches{newClient(t, f.fp).(*llm.OpenAI), llm.BatchLimits{Requests: 100, Bytes: 350}}
	opts := f.opts
	opts.Resume.Cache = f.cache
	p, err := New(client, opts)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := p.PlanBatches(context.Background(), &sliceReader{n: 10}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Batches != 5 || plan.Requests != 10 || plan.Largest > 350 {
		t.Errorf("plan %+v, want 5 batches of at most 350 bytes", plan)
	}
	w := &memWriter{}
	_, bstats, err := p.RunBatch(context.Background(), func() (Rows, error) { return &sliceReader{n: 10}, nil },
		func() (writers.Writer, error) { return w, nil }, BatchOptions{Log: f.log, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if f.fp.BatchesCreated() != 5 || bstats.Submitted != 5 || len(w.recs) != 10 {
		t.Errorf("%d batches created, stats %+v; want 5, as planned", f.fp.BatchesCreated(), bstats)
	}
}

// An expired batch's unfinished requests go in a new batch.
func TestRunBatchResubmitsExpired(t *testing.T) {
	f := newBatchFixture(t, 10, fakeprovider.BatchOptions{Expire: func(n int64) bool { return n == 1 }})
	w, stats, bstats, err := f.run(BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.fp.BatchesCreated() != 2 || bstats.Retried != 5 || stats.Answered != 10 {
		t.Errorf("%d batches, stats %+v, batch %+v; want 2 batches, 5 retried, 10 answered", f.fp.BatchesCreated(), stats, bstats)
	}
	for i, rec := range w.recs {
		if rec.Values[0] != fmt.Sprintf("echo: row-%d", i) {
			t.Errorf("row %d: %q", i, rec.Values)
		}
	}
}

// A failure worth retrying is retried in up to Attempts batches, then is
// the row's error.
func TestRunBatchRetryRoundsAreBounded(t *testing.T) {
	f := newBatchFixture(t, 4, fakeprovider.BatchOptions{LineFault: func(p string) fakeprovider.Fault {
		if p == "row-1" {
			return fakeprovider.Status500
		}
		return fakeprovider.OK
	}})
	w, stats, _, err := f.run(BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.fp.BatchesCreated() != 3 || stats.Failed != 1 || !strings.Contains(w.recs[1].Values[1], "500") {
		t.Errorf("%d batches, %d failed, row 1 %q; want 3 batches (Attempts), 1 failed with the 500", f.fp.BatchesCreated(), stats.Failed, w.recs[1].Values)
	}
}

// Detached, a run submits and returns; the next call collects, and
// submits nothing again.
func TestRunBatchDetachThenCollect(t *testing.T) {
	f := newBatchFixture(t, 6, fakeprovider.BatchOptions{Processing: 50 * time.Millisecond})
	_, _, _, err := f.run(BatchOptions{Detach: true})
	var pending *PendingError
	if !errors.As(err, &pending) || pending.Batches != 1 || pending.Requests != 6 {
		t.Fatalf("got %v, want a PendingError for one batch of 6", err)
	}
	_, _, _, err = f.run(BatchOptions{Detach: true})
	if !errors.As(err, &pending) || pending.Submitted != 0 {
		t.Fatalf("second call: got %v, want pending with nothing submitted", err)
	}
	time.Sleep(60 * time.Millisecond)
	w, stats, _, err := f.run(BatchOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.fp.BatchesCreated() != 1 || stats.Answered != 6 || len(w.recs) != 6 {
		t.Errorf("%d batches, %d answered; want 1 and 6", f.fp.BatchesCreated(), stats.Answered)
	}
}

func TestRunBatchValidationFailureStops(t *testing.T) {
	f := newBatchFixture(t, 3, fakeprovider.BatchOptions{Invalid: func(int64) bool { return true }})
	_, _, _, err := f.run(BatchOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 1:") {
		t.Fatalf("got %v, want the provider's line-numbered refusal", err)
	}
}

func TestCancelBatchesCollectsWhatFinished(t *testing.T) {
	f := newBatchFixture(t, 10, fakeprovider.BatchOptions{Processing: 100 * time.Millisecond})
	if _, _, _, err := f.run(BatchOptions{Detach: true}); err == nil {
		t.Fatal("want pending")
	}
	time.Sleep(50 * time.Millisecond)
	p, _ := New(newClient(t, f.fp), func() Options { o := f.opts; o.Resume.Cache = f.cache; return o }())
	bstats, err := p.CancelBatches(context.Background(), BatchOptions{Log: f.log, Poll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if bstats.Cancelled != 1 || bstats.Succeeded == 0 || bstats.Succeeded == 10 || len(f.cache.m) != int(bstats.Succeeded) {
		t.Errorf("stats %+v, %d cached; want one batch cancelled part way, its answers kept", bstats, len(f.cache.m))
	}
	if len(f.log.lines) != 0 {
		t.Errorf("the log still holds %d lines", len(f.log.lines))
	}
}
