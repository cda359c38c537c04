package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/llm"
)

// DefaultOutputReserve is the answer tokens a request is assumed to use
// against the tokens-per-minute budget when no MaxTokens caps it; the provider's usage count
// corrects the estimate when the answer arrives.
const DefaultOutputReserve = 256

// tokenBucket shares a tokens-per-minute budget among all workers. Each
// request takes its estimate (prompt tokens plus the answer's reserve)
// before it is sent; when the answer arrives the provider's usage count
// replaces the estimate, refunding or charging the difference, which
// x/time/rate cannot do, hence this small bucket of our own.
//
// It holds at most a minute's budget but starts with one second's, so a
// run paces itself from the start instead of bursting a minute's worth
// at a provider whose own bucket may be smaller.
type tokenBucket struct {
	mu    sync.Mutex
	rate  float64 // tokens a second
	cap   float64
	level float64
	last  time.Time
}

func newTokenBucket(tpm float64) *tokenBucket {
	return &tokenBucket{rate: tpm / 60, cap: tpm, level: tpm / 60, last: time.Now()}
}

func (b *tokenBucket) refill(now time.Time) {
	b.level = min(b.cap, b.level+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
}

// Take waits until n tokens are available and takes them.
func (b *tokenBucket) Take(ctx context.Context, n int) error {
	if float64(n) > b.cap {
		return &BudgetError{Need: n, Budget: int(b.cap)}
	}
	for {
		b.mu.Lock()
		b.refill(time.Now())
		if b.level >= float64(n) {
			b.level -= float64(n)
			b.mu.Unlock()
			return nil
		}
		wait := time.Duration((float64(n) - b.level) / b.rate * float64(time.Second))
		b.mu.Unlock()
		if err := sleep(ctx, max(wait, time.Millisecond)); err != nil {
			return err
		}
	}
}

// Settle replaces an estimate by what the provider counted. Providers
// charge a capped request its prompt plus the whole cap (max_tokens is
// reserved, whatever the answer's length), so only the prompt part is
// corrected then; an uncapped request is charged what it used.
func (b *tokenBucket) Settle(estimate int, req llm.Request, used llm.Usage) {
	if used.PromptTokens == 0 {
		return // the provider sent no usage; keep the estimate
	}
	charge := used.PromptTokens + used.CompletionTokens
	if req.MaxTokens > 0 {
		charge = used.PromptTokens + req.MaxTokens
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(time.Now())
	b.level = min(b.cap, b.level+float64(estimate-charge))
}

// Observe lowers the level to what the provider says remains, when it
// says so: its count is the one that matters.
func (b *tokenBucket) Observe(lm llm.Limits) {
	if !lm.HasRemainingTokens {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(time.Now())
	b.level = min(b.level, float64(lm.RemainingTokens))
}

// estimate is the tokens a request is charged before it is sent.
func estimate(c cost.Counter, req llm.Request) int {
	reserve := req.MaxTokens
	if reserve <= 0 {
		reserve = DefaultOutputReserve
	}
	return c.Prompt(req.System, req.Prompt) + reserve
}
