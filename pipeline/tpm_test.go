package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
)

// Against a provider that enforces a token bucket, --tpm paces requests so
// that few are refused and the run takes about total tokens ÷ TPM.
func TestTPMPacesToTheTokenBudget(t *testing.T) {
	const tpm = 120_000 // 2,000 tokens a second
	p := fakeprovider.New(fakeprovider.Options{TPM: tpm})
	tp := mustTemplate(t, "Please summarise the following text in one line: {{.text}} "+strings.Repeat("padding ", 40))
	opts := Options{Prompt: Prompt{Template: tp, Model: "test-model", MaxTokens: 50}, Limits: Limits{Concurrency: 16, TPM: tpm}}
	start := time.Now()
	stats, err := runPipeline(context.Background(), &sliceReader{n: 30}, &memWriter{}, newClient(t, p), opts)
	wall := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Failed != 0 {
		t.Fatalf("%d rows failed: %s", stats.Failed, stats.FirstError)
	}
	// What the provider charged, at its rate, less the second's worth its
	// bucket starts with.
	ideal := time.Duration(float64(p.TokensCharged()-tpm/60) / (tpm / 60) * float64(time.Second))
	if wall < ideal*8/10 || wall > ideal*3/2 {
		t.Errorf("wall %s, want near the ideal %s for %d tokens", wall, ideal, p.TokensCharged())
	}
	t.Logf("wall %s, ideal %s, %d tokens, %d refused", wall, ideal, p.TokensCharged(), p.RateLimited())
	if limited := p.RateLimited(); limited > 3 {
		t.Errorf("%d requests were refused with 429, want few", limited)
	}
}

func TestRequestLargerThanTheBudgetIsARowError(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	w := &memWriter{}
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Model: "test-model", MaxTokens: 5000}, Limits: Limits{TPM: 1000}}
	start := time.Now()
	stats, err := runPipeline(context.Background(), &sliceReader{n: 2}, w, newClient(t, p), opts)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("took %s: a request over the whole budget must fail at once, not wait", time.Since(start))
	}
	if stats.Failed != 2 || p.Requests() != 0 || !strings.Contains(w.recs[0].Values[1], "more than the whole budget of 1000 tokens a minute") {
		t.Errorf("stats %+v, %d requests, error %q; want both rows failed unsent", stats, p.Requests(), w.recs[0].Values[1])
	}
}

func TestTokenBucketSettlesToUsage(t *testing.T) {
	b := newTokenBucket(6000) // 100 a second, starts with 100
	if err := b.Take(context.Background(), 80); err != nil {
		t.Fatal(err)
	}
	b.Settle(80, llm.Request{}, llm.Usage{PromptTokens: 10, CompletionTokens: 10}) // uncapped: 60 back
	if b.level < 79 || b.level > 82 {
		t.Errorf("level %.1f after a refund of 60, want about 80", b.level)
	}
	b.Take(context.Background(), 60)
	b.Settle(60, llm.Request{MaxTokens: 40}, llm.Usage{PromptTokens: 10, CompletionTokens: 3}) // capped: 10 back
	if b.level < 29 || b.level > 32 {
		t.Errorf("level %.1f after a capped request, want about 30 (the cap stays charged)", b.level)
	}
	b.Observe(llm.Limits{HasRemainingTokens: true, RemainingTokens: 5})
	if b.level > 5.5 {
		t.Errorf("level %.1f, want lowered to the provider's 5", b.level)
	}
	var tb *BudgetError
	if err := b.Take(context.Background(), 7000); !errors.As(err, &tb) || tb.Need != 7000 {
		t.Errorf("Take(7000) = %v, want a BudgetError", err)
	}
}
