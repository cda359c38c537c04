package pipeline

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/enrich-dev/enrich/llm"
)

// clientFunc is a Client made of a function.
type clientFunc func(context.Context, llm.Request) (llm.Response, error)

func (f clientFunc) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	return f(ctx, req)
}

// refused is the error a dial to a closed port gives.
func refused() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

func TestUnreachableServerStopsTheRun(t *testing.T) {
	tests := []struct {
		name     string
		err      func() error
		wantStop time.Duration // when the run stops, on the fake clock
	}{
		{"connection refused from the start", refused, DefaultUnreachableAtStart},
		{"host does not resolve", func() error {
			return &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var calls atomic.Int64
				c := clientFunc(func(context.Context, llm.Request) (llm.Response, error) {
					calls.Add(1)
					return llm.Response{}, tt.err()
				})
				w := &memWriter{}
				start := time.Now()
				_, err := runPipeline(context.Background(), &sliceReader{n: 2000}, w, c, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}})
				took := time.Since(start)
				var u *UnreachableError
				if !errors.As(err, &u) {
					t.Fatalf("err = %v, want an UnreachableError", err)
				}
				if took < tt.wantStop || took > tt.wantStop+10*time.Second {
					t.Errorf("stopped after %s, want at about %s", took, tt.wantStop)
				}
				if !w.aborted || len(w.recs) != 0 {
					t.Errorf("wrote %d rows (aborted %v); want no OUTPUT", len(w.recs), w.aborted)
				}
				if calls.Load() > 200 {
					t.Errorf("%d attempts for an unreachable server", calls.Load())
				}
			})
		})
	}
}

// A server that answered and then goes away: rows keep their errors and
// the run goes on, until nothing has reached the server for a minute.
func TestServerGoneMidRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		up := true
		c := clientFunc(func(_ context.Context, req llm.Request) (llm.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			if up {
				up = req.Prompt != "row-3" // the server goes away after row 3
				return llm.Response{Text: "ok"}, nil
			}
			return llm.Response{}, refused()
		})
		w := &memWriter{}
		start := time.Now()
		stats, err := runPipeline(context.Background(), &sliceReader{n: 500}, w, c,
			Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: Limits{Concurrency: 1, Attempts: 2}})
		var u *UnreachableError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "no request reached the server for 1m") {
			t.Fatalf("err = %v, want an UnreachableError after a minute", err)
		}
		if took := time.Since(start); took < DefaultUnreachableMidRun {
			t.Errorf("stopped after %s, before the minute", took)
		}
		if stats.Answered != 4 || stats.Failed == 0 {
			t.Errorf("stats %+v: want 4 answered, then failed rows that kept their errors", stats)
		}
	})
}

// A small run meets a refusal no row can escape: it is told at once, once.
func TestFirstRefusalIsToldAtOnce(t *testing.T) {
	c := clientFunc(func(context.Context, llm.Request) (llm.Response, error) {
		return llm.Response{}, &llm.Error{Status: 401, Message: "Incorrect API key provided"}
	})
	var warned []error
	var mu sync.Mutex
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Warn: func(err error) {
		mu.Lock()
		warned = append(warned, err)
		mu.Unlock()
	}}
	stats, err := runPipeline(context.Background(), &sliceReader{n: 3}, &memWriter{}, c, opts)
	if err != nil || stats.Failed != 3 {
		t.Fatalf("stats %+v, err %v; want 3 failed rows", stats, err)
	}
	if len(warned) != 1 || llm.Diagnose(warned[0]) != llm.BadKey {
		t.Errorf("warned %v, want the 401 once", warned)
	}
}

func TestImplausibleUsageIsUnknown(t *testing.T) {
	tests := []struct {
		name  string
		usage llm.Usage
		ok    bool
	}{
		{"plausible", llm.Usage{PromptTokens: 5, CompletionTokens: 50}, true},
		{"over the cap", llm.Usage{PromptTokens: 5, CompletionTokens: 51}, false},
		{"negative", llm.Usage{PromptTokens: -1, CompletionTokens: 3}, false},
		{"more prompt tokens than bytes", llm.Usage{PromptTokens: 9_000_000, CompletionTokens: 3}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientFunc(func(context.Context, llm.Request) (llm.Response, error) {
				return llm.Response{Text: "ok", Usage: tt.usage}, nil
			})
			var warned atomic.Int64
			w := &memWriter{}
			opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), MaxTokens: 50}, Columns: Columns{Usage: true},
				Warn: func(err error) {
					var u *UsageError
					if errors.As(err, &u) {
						warned.Add(1)
					}
				}}
			stats, err := runPipeline(context.Background(), &sliceReader{n: 4}, w, c, opts)
			if err != nil {
				t.Fatal(err)
			}
			wantIn := int64(tt.usage.PromptTokens) * 4
			wantWarn := int64(0)
			if !tt.ok {
				wantIn, wantWarn = 0, 1
			}
			if stats.TokensIn != wantIn || warned.Load() != wantWarn || stats.Answered != 4 {
				t.Errorf("tokens in %d, warned %d times, %d answered; want %d, %d, 4", stats.TokensIn, warned.Load(), stats.Answered, wantIn, wantWarn)
			}
			if got := w.recs[0].Values[2]; (got == "") == tt.ok {
				t.Errorf("usage column %q", got)
			}
		})
	}
}

// With a schema, an answer cut at the token limit that is not valid is
// the row's error, not text in the first field's column.
func TestCutStructuredAnswerIsARowError(t *testing.T) {
	s, err := FieldsSchema("category, urgency:integer")
	if err != nil {
		t.Fatal(err)
	}
	c := clientFunc(func(context.Context, llm.Request) (llm.Response, error) {
		return llm.Response{Text: `{"category":"bil`, FinishReason: "length"}, nil
	})
	w := &memWriter{}
	stats, err := runPipeline(context.Background(), &sliceReader{n: 1}, w, c, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Schema: s}})
	if err != nil {
		t.Fatal(err)
	}
	rec := w.recs[0]
	if stats.Failed != 1 || rec.Values[0] != "" || rec.Values[1] != "" || !strings.Contains(rec.Values[2], "cut at the token limit") || !strings.Contains(rec.Values[2], "not JSON") {
		t.Errorf("stats %+v, values %q; want the row failed with empty fields and the reason", stats, rec.Values)
	}
}
