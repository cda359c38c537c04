package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/readers"
)

// memCache is a Cache in a map.
type memCache struct {
	mu sync.Mutex
	m  map[journal.Key]llm.Response
}

func newMemCache() *memCache { return &memCache{m: map[journal.Key]llm.Response{}} }
func (c *memCache) Get(k journal.Key) (llm.Response, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[k]
	return r, ok, nil
}
func (c *memCache) Has(k journal.Key) bool { _, ok, _ := c.Get(k); return ok }
func (c *memCache) Put(k journal.Key, r llm.Response) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = r
	return nil
}

// repeatReader yields n rows whose text cycles through distinct values.
type repeatReader struct{ n, distinct, i int }

func (r *repeatReader) Header() []string { return []string{"id", "text"} }
func (r *repeatReader) Close() error     { return nil }
func (r *repeatReader) Next(context.Context) (readers.Row, error) {
	if r.i >= r.n {
		return readers.Row{}, io.EOF
	}
	r.i++
	return readers.Row{Num: r.i + 1, Cells: []string{fmt.Sprint(r.i), fmt.Sprintf("topic-%d", r.i%r.distinct)}}, nil
}

func TestIdenticalRequestsAreSentOnce(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Latency: 2 * time.Millisecond})
	w := &memWriter{}
	stats, err := Run(context.Background(), &repeatReader{n: 1000, distinct: 40}, w, newClient(t, p),
		Options{Template: mustTemplate(t, "{{.text}}"), Concurrency: 16, Cache: newMemCache()})
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
	opts := Options{Template: mustTemplate(t, "{{.text}}"), Cache: cache, NoDedupe: true}
	if _, err := Run(context.Background(), &repeatReader{n: 100, distinct: 5}, &memWriter{}, newClient(t, p), opts); err != nil {
		t.Fatal(err)
	}
	if p.Requests() != 100 {
		t.Errorf("%d requests, want one per row", p.Requests())
	}
	// Each row still resumes from its own answer.
	if _, err := Run(context.Background(), &repeatReader{n: 100, distinct: 5}, &memWriter{}, newClient(t, p), opts); err != nil {
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
	opts := Options{Template: mustTemplate(t, "{{.text}}"), Cache: cache}
	first, err := Run(context.Background(), &sliceReader{n: 10}, &memWriter{}, newClient(t, p), opts)
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
	second, err := Run(context.Background(), &sliceReader{n: 10}, w, newClient(t, p), opts)
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
	opts := Options{Template: mustTemplate(t, "{{.text}}"), Cache: cache, Concurrency: 4, Grace: 2 * time.Second}
	_, err := Run(ctx, &sliceReader{n: 50}, &memWriter{}, newClient(t, p), opts)
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
	if p.Requests() != 4 || len(cache.m) != 4 {
		t.Errorf("%d requests sent, %d recorded; want the 4 in flight sent and recorded", p.Requests(), len(cache.m))
	}
}
