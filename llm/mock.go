package llm

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// Mock is an offline Client for dry runs, demos and tests. Its answer says
// plainly that no model was called and quotes the end of the prompt, so
// equal requests get equal answers and different rows visibly differ.
// The zero value answers at once.
type Mock struct {
	Latency time.Duration // how long each answer takes; ctx can cut it short
}

var _ Client = Mock{}

// mockQuoteRunes is how much of the prompt the answer quotes.
const mockQuoteRunes = 60

// Complete answers without a network. Usage follows the same ~4 bytes a
// token estimate the pipeline uses, so token budgets behave plausibly.
func (m Mock) Complete(ctx context.Context, req Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	if m.Latency > 0 {
		t := time.NewTimer(m.Latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Response{}, ctx.Err()
		case <-t.C:
		}
	}
	text := "mock answer (no model was called): " + quote(req.Prompt, mockQuoteRunes)
	return Response{
		Text:         text,
		FinishReason: "stop",
		Usage: Usage{
			PromptTokens:     ceilDiv(len(req.System)+len(req.Prompt), 4),
			CompletionTokens: ceilDiv(len(text), 4),
		},
	}, nil
}

// quote returns the last n runes of s with every run of whitespace folded
// to one space, led by "…" when something was left out. The end, not the
// start: templates put their instructions first and the row's cells last,
// so the end is what tells one row's answer from another's.
func quote(s string, n int) string {
	folded := []rune(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
	if len(folded) <= n {
		return string(folded)
	}
	return "…" + string(folded[len(folded)-n:])
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
