package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/templates"
	"github.com/enrich-dev/enrich/writers"
)

// sliceReader yields n rows "row-0", "row-1", … and tracks how far it has
// read, so tests can check the window bound.
type sliceReader struct {
	n    int
	read atomic.Int64
}

func (r *sliceReader) Header() []string { return []string{"id", "text"} }
func (r *sliceReader) Close() error     { return nil }
func (r *sliceReader) Next(ctx context.Context) (table.Row, error) {
	i := int(r.read.Load())
	if i >= r.n {
		return table.Row{}, io.EOF
	}
	r.read.Add(1)
	return table.Row{Num: i + 2, Cells: []string{fmt.Sprint(i), fmt.Sprintf("row-%d", i)}}, nil
}

// memWriter keeps records and checks the reader never runs more than
// window rows ahead of it.
type memWriter struct {
	mu       sync.Mutex
	recs     []writers.Record
	closed   bool
	aborted  bool
	reader   *sliceReader
	maxAhead int64
	failAt   int
}

func (w *memWriter) Write(_ context.Context, rec writers.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failAt > 0 && len(w.recs)+1 == w.failAt {
		return errors.New("disk full")
	}
	w.recs = append(w.recs, rec)
	if w.reader != nil {
		w.maxAhead = max(w.maxAhead, w.reader.read.Load()-int64(len(w.recs)))
	}
	return nil
}
func (w *memWriter) Close() error { w.closed = true; return nil }
func (w *memWriter) Abort() error { w.aborted = true; return nil }

func mustTemplate(t testing.TB, text string) *templates.Template {
	t.Helper()
	tp, err := templates.Parse(text, []string{"id", "text"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func newClient(t testing.TB, p *fakeprovider.Provider) llm.Client {
	t.Helper()
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	c, err := llm.NewOpenAI(llm.OpenAIOptions{BaseURL: srv.URL + "/v1", MaxConns: 64})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRunKeepsOrderUnderRandomLatency(t *testing.T) {
	const n = 300
	// Later rows answer faster, so completion order is roughly reversed.
	p := fakeprovider.New(fakeprovider.Options{})
	slow := &slowClient{Client: newClient(t, p), delay: func(prompt string) time.Duration {
		var i int
		fmt.Sscanf(prompt, "row-%d", &i)
		return time.Duration(n-i) * 50 * time.Microsecond
	}}
	r := &sliceReader{n: n}
	w := &memWriter{reader: r}
	stats, err := runPipeline(context.Background(), r, w, slow, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 16}})
	if err != nil {
		t.Fatal(err)
	}
	if !w.closed || w.aborted {
		t.Errorf("writer closed=%v aborted=%v, want closed only", w.closed, w.aborted)
	}
	if len(w.recs) != n {
		t.Fatalf("got %d records, want %d", len(w.recs), n)
	}
	for i, rec := range w.recs {
		want := fmt.Sprintf("echo: row-%d", i)
		if rec.Row.Cells[1] != fmt.Sprintf("row-%d", i) || rec.Values[0] != want || rec.Values[1] != "" {
			t.Fatalf("record %d: got cells %q values %q, want row-%d with %q", i, rec.Row.Cells, rec.Values, i, want)
		}
	}
	if stats.Rows != n || stats.Answered != n || stats.Failed != 0 || stats.Requests != n {
		t.Errorf("stats %+v, want %d rows all answered in %d requests", stats, n, n)
	}
	if stats.TokensIn == 0 || stats.TokensOut == 0 {
		t.Errorf("tokens not counted: %+v", stats)
	}
}

type slowClient struct {
	llm.Client
	delay func(prompt string) time.Duration
}

func (c *slowClient) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	time.Sleep(c.delay(req.Prompt))
	return c.Client.Complete(ctx, req)
}

// One row that takes far longer than the rest must stall reading rather
// than let the reorder buffer grow without bound.
func TestWindowBoundsReadAhead(t *testing.T) {
	const window = 32
	p := fakeprovider.New(fakeprovider.Options{})
	c := &slowClient{Client: newClient(t, p), delay: func(prompt string) time.Duration {
		if prompt == "row-5" {
			return 300 * time.Millisecond
		}
		return 0
	}}
	r := &sliceReader{n: 500}
	w := &memWriter{reader: r}
	if _, err := runPipeline(context.Background(), r, w, c, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 8, Window: window}}); err != nil {
		t.Fatal(err)
	}
	if w.maxAhead > window {
		t.Errorf("reader ran %d rows ahead of the writer, want at most %d", w.maxAhead, window)
	}
	if len(w.recs) != 500 {
		t.Errorf("got %d records, want 500", len(w.recs))
	}
}

func TestRowFailuresAndRetries(t *testing.T) {
	tests := []struct {
		name         string
		fault        func(n int64, prompt string) fakeprovider.Fault
		retries      int
		timeout      time.Duration
		wantAnswered int64
		wantErr      string // in the error column of row-1, "" if answered
		wantRequests int64
	}{
		{
			name:         "5xx then success",
			fault:        onceFor("row-1", fakeprovider.Status500),
			wantAnswered: 3, wantRequests: 4,
		},
		{
			name:         "429 with Retry-After then success",
			fault:        onceFor("row-1", fakeprovider.Status429),
			wantAnswered: 3, wantRequests: 4,
		},
		{
			name:         "truncated body is retried",
			fault:        onceFor("row-1", fakeprovider.Truncated),
			wantAnswered: 3, wantRequests: 4,
		},
		{
			name:         "dropped connection is retried",
			fault:        onceFor("row-1", fakeprovider.DropConnection),
			wantAnswered: 3, wantRequests: 4,
		},
		{
			name:         "hang times out and is retried",
			fault:        onceFor("row-1", fakeprovider.Hang),
			timeout:      200 * time.Millisecond,
			wantAnswered: 3, wantRequests: 4,
		},
		{
			name:         "400 is not retried",
			fault:        always("row-1", fakeprovider.Status400),
			wantAnswered: 2, wantErr: "status 400: Invalid value for 'model'", wantRequests: 3,
		},
		{
			name:         "401 is not retried",
			fault:        always("row-1", fakeprovider.Status401),
			wantAnswered: 2, wantErr: "status 401", wantRequests: 3,
		},
		{
			name:         "503 forever gives up after the retries",
			fault:        always("row-1", fakeprovider.Status503),
			retries:      2,
			wantAnswered: 2, wantErr: "gave up after 3 attempts", wantRequests: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeprovider.New(fakeprovider.Options{Fault: tt.fault})
			w := &memWriter{}
			opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 2, Attempts: attemptsFor(tt.retries), Timeout: tt.timeout}}
			stats, err := runFast(t, &sliceReader{n: 3}, w, newClient(t, p), opts)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Answered != tt.wantAnswered || stats.Rows != 3 || stats.Failed != 3-tt.wantAnswered {
				t.Errorf("stats %+v, want 3 rows, %d answered", stats, tt.wantAnswered)
			}
			if got := p.Requests(); got != tt.wantRequests {
				t.Errorf("provider saw %d requests, want %d", got, tt.wantRequests)
			}
			if stats.Requests != tt.wantRequests {
				t.Errorf("stats.Requests = %d, want %d", stats.Requests, tt.wantRequests)
			}
			rec := w.recs[1]
			if tt.wantErr == "" {
				if rec.Values[0] != "echo: row-1" || rec.Values[1] != "" {
					t.Errorf("row-1 values %q, want an answer", rec.Values)
				}
			} else if rec.Values[0] != "" || !strings.Contains(rec.Values[1], tt.wantErr) {
				t.Errorf("row-1 values %q, want an error containing %q", rec.Values, tt.wantErr)
			}
		})
	}
}

// runFast runs with a short backoff so retry tests take milliseconds.
func runFast(t *testing.T, r Rows, w writers.Writer, c llm.Client, opts Options) (Stats, error) {
	t.Helper()
	p, err := New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	rn := newRun(p)
	rn.base = time.Millisecond
	err = rn.stages(context.Background(), r, w)
	return rn.stats.snapshot(), err
}

func onceFor(prompt string, f fakeprovider.Fault) func(int64, string) fakeprovider.Fault {
	var done atomic.Bool
	return func(_ int64, p string) fakeprovider.Fault {
		if p == prompt && done.CompareAndSwap(false, true) {
			return f
		}
		return fakeprovider.OK
	}
}

func always(prompt string, f fakeprovider.Fault) func(int64, string) fakeprovider.Fault {
	return func(_ int64, p string) fakeprovider.Fault {
		if p == prompt {
			return f
		}
		return fakeprovider.OK
	}
}

func TestWriteErrorStopsTheRunAndAborts(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	w := &memWriter{failAt: 10}
	_, err := runPipeline(context.Background(), &sliceReader{n: 100}, w, newClient(t, p), Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "row 11") {
		t.Fatalf("got %v, want a located write error", err)
	}
	if !w.aborted || w.closed {
		t.Errorf("writer closed=%v aborted=%v, want aborted only", w.closed, w.aborted)
	}
}

func TestCancelStopsPromptlyAndAborts(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Hang }})
	w := &memWriter{}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := runPipeline(ctx, &sliceReader{n: 50}, w, newClient(t, p), Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("run took %s to stop after cancellation", d)
	}
	if !w.aborted {
		t.Error("writer was not aborted")
	}
}

func TestRenderErrorIsARowError(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	w := &memWriter{}
	tp := mustTemplate(t, `{{if eq .id "1"}}{{truncate 0 .text}}{{else}}{{.text}}{{end}}`)
	stats, err := runPipeline(context.Background(), &sliceReader{n: 3}, w, newClient(t, p), Options{Prompt: Prompt{Template: tp}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Failed != 1 || p.Requests() != 2 {
		t.Errorf("failed=%d requests=%d, want 1 failed row and 2 requests", stats.Failed, p.Requests())
	}
	if !strings.Contains(w.recs[1].Values[1], "truncate") || !strings.Contains(stats.FirstError, "row 3") {
		t.Errorf("row error %q / first %q, want the render error located at row 3", w.recs[1].Values[1], stats.FirstError)
	}
}

func TestLimitAndEmptyInput(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	for _, tt := range []struct{ rows, limit, want int }{{10, 4, 4}, {0, 0, 0}, {3, 10, 3}} {
		w := &memWriter{}
		stats, err := runPipeline(context.Background(), &sliceReader{n: tt.rows}, w, newClient(t, p), Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limit: tt.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(w.recs) != tt.want || stats.Rows != int64(tt.want) || !w.closed {
			t.Errorf("rows=%d limit=%d: wrote %d (closed %v), want %d", tt.rows, tt.limit, len(w.recs), w.closed, tt.want)
		}
	}
}

func TestPreviewSendsNothing(t *testing.T) {
	p := mustNew(t, Options{Prompt: Prompt{Template: mustTemplate(t, "say {{.text}}")}, Limit: 7})
	pv, err := p.Preview(context.Background(), &sliceReader{n: 10}, PreviewOptions{Show: 2})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Rows != 7 || len(pv.Samples) != 2 || pv.Samples[1].Text != "say row-1" || pv.Samples[1].Row != 3 {
		t.Errorf("preview %+v, want 7 rows and the first 2 prompts", pv)
	}
}

// limitedWriter is a memWriter with a cell limit, like XLSX.
type limitedWriter struct{ memWriter }

func (w *limitedWriter) MaxCellChars() int { return 10 }

func TestAnswerTooLongForACellIsARowError(t *testing.T) {
	w := &limitedWriter{}
	tp, err := templates.Parse("a long prompt for {{.text}}", []string{"id", "text"}, "")
	if err != nil {
		t.Fatal(err)
	}
	stats, err := runPipeline(context.Background(), &sliceReader{n: 2}, w, llm.Mock{}, Options{Prompt: Prompt{Template: tp}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Failed != 2 || stats.Answered != 0 {
		t.Errorf("stats %+v, want both rows failed", stats)
	}
	got := w.recs[0].Values
	if len([]rune(got[0])) != 10 || !strings.Contains(got[1], "answer cut to 10 of its") {
		t.Errorf("values %q, want the answer cut to 10 characters and the cut reported", got)
	}
}

// runPipeline is New then Run, as the tests written before New had it:
// options that New refuses abort w.
func runPipeline(ctx context.Context, r Rows, w writers.Writer, c llm.Client, opts Options) (Stats, error) {
	p, err := New(c, opts)
	if err != nil {
		_ = w.Abort()
		return Stats{}, err
	}
	return p.Run(ctx, r, w)
}

// mustNew is New with a client that fails the test if it is ever asked.
func mustNew(t testing.TB, opts Options) *Pipeline {
	t.Helper()
	if opts.Prompt.Template == nil {
		opts.Prompt.Template = mustTemplate(t, "{{.text}}")
	}
	p, err := New(unasked{t}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type unasked struct{ t testing.TB }

func (u unasked) Complete(context.Context, llm.Request) (llm.Response, error) {
	u.t.Error("a request was sent")
	return llm.Response{}, errors.New("no requests here")
}

// attemptsFor is Limits.Attempts for a number of retries, 0 meaning the
// default.
func attemptsFor(retries int) int {
	if retries == 0 {
		return 0
	}
	return retries + 1
}
