package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
)

// handlerTransport serves requests by calling h: no socket, so a run fits
// in a synctest bubble, whose clock cannot wait on the network.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// inProcessClient is newClient without the server, for synctest bubbles.
func inProcessClient(t testing.TB, p *fakeprovider.Provider) llm.Client {
	t.Helper()
	c, err := llm.NewOpenAI(llm.OpenAIOptions{BaseURL: "http://fake.test/v1", HTTPClient: &http.Client{Transport: handlerTransport{p}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Against a provider that enforces a token bucket, Limits.TPM paces requests so
// that few are refused and the run takes about total tokens ÷ TPM.
func TestTPMPacesToTheTokenBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const tpm = 120_000 // 2,000 tokens a second
		p := fakeprovider.New(fakeprovider.Options{TPM: tpm})
		tp := mustTemplate(t, "Please summarise the following text in one line: {{.text}} "+strings.Repeat("padding ", 40))
		opts := Options{Prompt: Prompt{Template: tp, Model: "test-model", MaxTokens: 50}, Limits: Limits{Concurrency: 16, TPM: tpm}}
		start := time.Now()
		stats, err := runPipeline(context.Background(), &sliceReader{n: 30}, &memWriter{}, inProcessClient(t, p), opts)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if stats.Failed != 0 {
			t.Fatalf("%d rows failed: %s", stats.Failed, stats.FirstError)
		}
		// What the provider charged, at its rate, less the second's worth its
		// bucket starts with: the provider refuses anything faster, so no
		// run beats it, and pacing may waste a little.
		ideal := time.Duration(float64(p.TokensCharged()-tpm/60) / (tpm / 60) * float64(time.Second))
		if took < ideal || took > ideal*11/10 {
			t.Errorf("took %s, want near the ideal %s for %d tokens", took, ideal, p.TokensCharged())
		}
		t.Logf("took %s, ideal %s, %d tokens, %d refused", took, ideal, p.TokensCharged(), p.RateLimited())
		if limited := p.RateLimited(); limited > 3 {
			t.Errorf("%d requests were refused with 429, want few", limited)
		}
	})
}

func TestRequestLargerThanTheTokenBudgetIsARowError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := fakeprovider.New(fakeprovider.Options{})
		w := &memWriter{}
		opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Model: "test-model", MaxTokens: 5000}, Limits: Limits{TPM: 1000}}
		start := time.Now()
		stats, err := runPipeline(context.Background(), &sliceReader{n: 2}, w, inProcessClient(t, p), opts)
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("took %s: a request over the whole budget must fail at once, not wait", took)
		}
		if stats.Failed != 2 || p.Requests() != 0 || !strings.Contains(w.recs[0].Values[1], "more than the whole budget of 1000 tokens a minute") {
			t.Errorf("stats %+v, %d requests, error %q; want both rows failed unsent", stats, p.Requests(), w.recs[0].Values[1])
		}
	})
}

// take runs b.Take and reports how long it waited.
func take(t *testing.T, b *tokenBucket, n int) time.Duration {
	t.Helper()
	start := time.Now()
	if err := b.Take(context.Background(), n); err != nil {
		t.Fatalf("Take(%d): %v", n, err)
	}
	return time.Since(start)
}

// A bucket of 6000 a minute refills 100 a second, starts with a second's
// worth and holds at most a minute's.
func TestTokenBucketTakeWaitsForTheRefill(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newTokenBucket(6000)
		for i, step := range []struct {
			n    int
			want time.Duration
		}{
			{100, 0},
			{50, 500 * time.Millisecond},
			{100, time.Second},
			{1, 10 * time.Millisecond},
		} {
			if got := take(t, b, step.n); got != step.want {
				t.Errorf("step %d: Take(%d) waited %s, want %s", i+1, step.n, got, step.want)
			}
		}
		time.Sleep(2 * time.Minute)
		if got := take(t, b, 6000); got != 0 {
			t.Errorf("Take(6000) after two idle minutes waited %s, want 0", got)
		}
		if got := take(t, b, 1); got != 10*time.Millisecond {
			t.Errorf("the bucket held more than a minute's budget: Take(1) waited %s, want 10ms", got)
		}
	})
}

// After Take(100) empties a 6000-a-minute bucket, Settle corrects the
// estimate, and the next Take(60) waits for what is missing at 100/s.
func TestTokenBucketSettleRefundsOrCharges(t *testing.T) {
	tests := []struct {
		name string
		req  llm.Request
		used llm.Usage
		want time.Duration
	}{
		{"uncapped, used less: refunded", llm.Request{}, llm.Usage{PromptTokens: 10, CompletionTokens: 30}, 0},
		{"capped: the cap stays charged", llm.Request{MaxTokens: 50}, llm.Usage{PromptTokens: 10, CompletionTokens: 5}, 200 * time.Millisecond},
		{"uncapped, used more: charged", llm.Request{}, llm.Usage{PromptTokens: 100, CompletionTokens: 60}, 1200 * time.Millisecond},
		{"no usage: the estimate stands", llm.Request{}, llm.Usage{}, 600 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newTokenBucket(6000)
				take(t, b, 100)
				b.Settle(100, tt.req, tt.used)
				if got := take(t, b, 60); got != tt.want {
					t.Errorf("Take(60) after Settle waited %s, want %s", got, tt.want)
				}
			})
		})
	}
}

func TestTokenBucketSettlesToUsage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newTokenBucket(6000) // 100 a second, starts with 100
		if err := b.Take(context.Background(), 80); err != nil {
			t.Fatal(err)
		}
		b.Settle(80, llm.Request{}, llm.Usage{PromptTokens: 10, CompletionTokens: 10}) // uncapped: 60 back
		if b.level != 80 {
			t.Errorf("level %.1f after a refund of 60, want 80", b.level)
		}
		b.Take(context.Background(), 60)
		b.Settle(60, llm.Request{MaxTokens: 40}, llm.Usage{PromptTokens: 10, CompletionTokens: 3}) // capped: 10 back
		if b.level != 30 {
			t.Errorf("level %.1f after a capped request, want 30 (the cap stays charged)", b.level)
		}
		b.Observe(llm.Limits{HasRemainingTokens: true, RemainingTokens: 5})
		if b.level != 5 {
			t.Errorf("level %.1f, want lowered to the provider's 5", b.level)
		}
		b.Observe(llm.Limits{HasRemainingTokens: true, RemainingTokens: 500})
		b.Observe(llm.Limits{})
		if b.level != 5 {
			t.Errorf("level %.1f, want 5: the provider's count only lowers it, and only when sent", b.level)
		}
		if got := take(t, b, 25); got != 200*time.Millisecond {
			t.Errorf("Take(25) from the provider's 5 waited %s, want 200ms", got)
		}
	})
}

// A request bigger than the whole budget fails at once; one of exactly the
// budget waits for it.
func TestTokenBucketTooBigFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newTokenBucket(6000)
		start := time.Now()
		var tb *BudgetError
		if err := b.Take(context.Background(), 6001); !errors.As(err, &tb) || time.Since(start) != 0 {
			t.Errorf("Take(6001) = %v after %s, want a BudgetError at once", err, time.Since(start))
		}
		if tb != nil && *tb != (BudgetError{Need: 6001, Budget: 6000}) {
			t.Errorf("BudgetError %+v, want need 6001 of 6000", *tb)
		}
		if got := take(t, b, 6000); got != 59*time.Second {
			t.Errorf("Take(6000) waited %s, want 59s for the minute's budget less the second's it starts with", got)
		}
	})
}

func TestTokenBucketTakeReturnsWhenCtxIsDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newTokenBucket(6000)
		take(t, b, 100)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		if err := b.Take(ctx, 6000); !errors.Is(err, context.Canceled) || time.Since(start) != 20*time.Millisecond {
			t.Errorf("Take = %v after %s, want context.Canceled after 20ms", err, time.Since(start))
		}
		// The cancelled Take took nothing: 20ms refilled 2.
		if got := take(t, b, 2); got != 0 {
			t.Errorf("Take(2) after a cancelled Take waited %s, want 0", got)
		}
	})
}
