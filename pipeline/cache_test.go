package pipeline

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
)

// memCache is a Cache in a map.
type memCache struct {
	mu sync.Mutex
	m  map[llm.Key]llm.Response
}

func newMemCache() *memCache { return &memCache{m: map[llm.Key]llm.Response{}} }
func (c *memCache) Get(k llm.Key) (llm.Response, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok, nil
}
func (c *memCache) Has(k llm.Key) bool { _, ok, _ := c.Get(k); return ok }
func (c *memCache) Put(k llm.Key, r llm.Response) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = r
	return nil
}

// repeatReader yields n rows whose text cycles through distinct values.
type repeatReader struct{ n, distinct, i int }

func (r *repeatReader) Header() []string { return []string{"id", "text"} }
func (r *repeatReader) Close() error     { return nil }
func (r *repeatReader) Next(context.Context) (table.Row, error) {
	if r.i >= r.n {
		return table.Row{}, io.EOF
	}
	r.i++
	return table.Row{Num: r.i + 1, Cells: []string{fmt.Sprint(r.i), fmt.Sprintf("topic-%d", r.i%r.distinct)}}, nil
}

func TestIdenticalRequestsAreSentOnce(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Latency: 2 * time.Millisecond})
	w := &memWriter{}
	stats, err := runPipeline(context.Background(), &repeatReader{n: 1000, distinct: 40}, w, newClient(t, p),
		Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 16}, Resume: Resume{Cache: newMemCache()}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 40 || stats.Requests != 40 {
		t.Errorf("%d requests (stats %d) for 40 distinct prompts, want 40", p.Requests(), stats.Requests)
	}
	if stats.Answered != 1000 || stats.Cached+stats.Shared != 960 {
		t.Errorf("stats %+v, want 1000 answered, 960 of them reused", stats)
	}
	for i, rec := range w.recs {
		if want := "echo: " + rec.Row.Cells[1]; rec.Values[0] != want {
			t.Fatalf("record %d: got %q, want %q", i, rec.Values[0], want)
		}
	}
}

func TestNoDedupeSendsEveryRow(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	cache := newMemCache()
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Resume: Resume{Cache: cache, NoDedupe: true}}
	if _, err := runPipeline(context.Background(), &repeatReader{n: 100, distinct: 5}, &memWriter{}, newClient(t, p), opts); err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 100 {
		t.Errorf("%d requests, want one per row", p.Requests())
	}
	// Each row still resumes from its own answer.
	if _, err := runPipeline(context.Background(), &repeatReader{n: 100, distinct: 5}, &memWriter{}, newClient(t, p), opts); err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 100 {
		t.Errorf("the rerun sent %d more requests, want none", p.Requests()-100)
	}
}

func TestRerunReusesAnswersAndRetriesFailures(t *testing.T) {
	failing := true
	var mu sync.Mutex
	p := fakeprovider.New(fakeprovider.Options{Fault: func(_ int64, prompt string) fakeprovider.Fault {
		mu.Lock()
		defer mu.Unlock()
		if failing && (prompt == "row-3" || prompt == "row-7") {
			return fakeprovider.Status400
		}
		return fakeprovider.OK
	}})
	cache := newMemCache()
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Resume: Resume{Cache: cache}}
	first, err := runPipeline(context.Background(), &sliceReader{n: 10}, &memWriter{}, newClient(t, p), opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Failed != 2 || p.Requests() != 10 {
		t.Fatalf("first run: %+v with %d requests, want 2 failed of 10", first, p.Requests())
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	w := &memWriter{}
	second, err := runPipeline(context.Background(), &sliceReader{n: 10}, w, newClient(t, p), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Requests() - 10; got != 2 || second.Cached != 8 || second.Failed != 0 {
		t.Errorf("rerun: %d requests, stats %+v; want only the 2 failed rows asked again", got, second)
	}
	for i, rec := range w.recs {
		if want := fmt.Sprintf("echo: row-%d", i); rec.Values[0] != want {
			t.Errorf("record %d = %q, want %q", i, rec.Values[0], want)
		}
	}
}

// Answers in flight when the run is cancelled still arrive within the
// grace period and are recorded, so a rerun doesn't pay for them again.
func TestCancelRecordsAnswersInFlight(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Latency: 300 * time.Millisecond})
	cache := newMemCache()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 4}, Resume: Resume{Cache: cache, Grace: 2 * time.Second}}
	_, err := runPipeline(ctx, &sliceReader{n: 50}, &memWriter{}, newClient(t, p), opts)
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
	if p.Requests() != 4 || len(cache.m) != 4 {
		t.Errorf("%d requests sent, %d recorded; want the 4 in flight sent and recorded", p.Requests(), len(cache.m))
	}
}

// A prompt whose request fails is not paid for again on every row that
// repeats it.
func TestIdenticalFailingRequestIsSentOnce(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Status400 }})
	stats, err := runPipeline(context.Background(), &repeatReader{n: 300, distinct: 1}, &memWriter{}, newClient(t, p),
		Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 16}, Resume: Resume{Cache: newMemCache()}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 1 || stats.Failed != 300 {
		t.Errorf("%d requests, %d failed; want 1 request and every row failed", p.Requests(), stats.Failed)
	}
}

// Without a cache, identical requests are still sent once.
func TestDedupeWithoutCache(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	stats, err := runPipeline(context.Background(), &repeatReader{n: 500, distinct: 7}, &memWriter{}, newClient(t, p),
		Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 7 || stats.Shared != 493 || stats.Cached != 0 {
		t.Errorf("%d requests, stats %+v; want 7 requests and 493 shared", p.Requests(), stats)
	}
}

// Within one run, a reused answer counts as shared, not as from the journal.
func TestSharedIsNotCountedAsJournal(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	stats, err := runPipeline(context.Background(), &repeatReader{n: 200, distinct: 4}, &memWriter{}, newClient(t, p),
		Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 4}, Resume: Resume{Cache: newMemCache()}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Cached != 0 || stats.Shared != 196 {
		t.Errorf("stats %+v; want 196 shared, 0 from the journal", stats)
	}
}

// A bad key fails every row the same way: the run stops instead.
func TestRepeatedRefusalsStopTheRun(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Status401 }})
	w := &memWriter{}
	_, err := runPipeline(context.Background(), &sliceReader{n: 1000}, w, newClient(t, p), Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 4}})
	if err == nil || !strings.Contains(err.Error(), "refused 10 requests in a row") || !strings.Contains(err.Error(), "status 401") {
		t.Fatalf("got %v, want the run stopped on repeated 401s", err)
	}
	if p.Requests() > 20 || !w.aborted {
		t.Errorf("%d requests sent, aborted=%v; want the run to stop early and leave no output", p.Requests(), w.aborted)
	}
}

// With an OwnCache, the dedupe keeps nothing per key once a run is done:
// memory stays flat however many rows go by.
func TestSharedKeepsNothingPerKeyWithOwnCache(t *testing.T) {
	j, err := journal.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	p, err := New(llm.Mock{}, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Resume: Resume{Cache: j}})
	if err != nil {
		t.Fatal(err)
	}
	rn := newRun(p)
	w := &memWriter{}
	if err := rn.stages(context.Background(), &repeatReader{n: 3000, distinct: 1000}, w); err != nil {
		t.Fatal(err)
	}
	if len(rn.shared.flights) != 0 || rn.shared.mine != nil {
		t.Errorf("after the run the dedupe holds %d flights and a set of %d keys, want none", len(rn.shared.flights), len(rn.shared.mine))
	}
	if got := rn.stats.snapshot(); got.Shared != 2000 || got.Cached != 0 {
		t.Errorf("shared %d, from the journal %d; want 2000 and 0", got.Shared, got.Cached)
	}
}

// Failures are remembered up to maxFailed; the oldest is forgotten and
// asked again.
func TestSharedForgetsOldestFailure(t *testing.T) {
	s := newShared(newMemCache())
	fail := func() (answer, error) { return answer{}, fmt.Errorf("no") }
	k := func(i int) llm.Key { return llm.KeyOf("t", llm.Request{Prompt: fmt.Sprint(i)}) }
	for i := range maxFailed + 10 {
		s.do(context.Background(), k(i), fail)
	}
	if len(s.flights) != maxFailed {
		t.Errorf("%d failures kept, want %d", len(s.flights), maxFailed)
	}
	asked := func(i int) (n int) {
		s.do(context.Background(), k(i), func() (answer, error) { n++; return answer{}, fmt.Errorf("no") })
		return n
	}
	for _, tt := range []struct{ i, want int }{{10, 0}, {maxFailed + 9, 0}, {0, 1}, {9, 1}} {
		if got := asked(tt.i); got != tt.want {
			t.Errorf("failure %d asked %d times again, want %d", tt.i, got, tt.want)
		}
	}
}
