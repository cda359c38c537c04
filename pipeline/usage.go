package pipeline

import (
	"fmt"
	"sync"

	"github.com/enrich-dev/enrich/llm"
)

// Bounds past which a provider's usage count is not believed.
const (
	// promptSlack is what a provider may add to a prompt's bytes when it
	// counts tokens: role markers, tool definitions, a template of its
	// own. A token is at least a byte of text in every tokenizer in use,
	// so more prompt tokens than bytes plus this cannot be right.
	promptSlack = 4096
	// maxAnswerTokens is more than any model writes in one answer today.
	maxAnswerTokens = 1 << 20
)

// UsageError is usage a provider reported that cannot be right: negative
// counts, more answer tokens than the request's cap, more prompt tokens
// than the prompt could hold. Such counts are taken as unknown, so they
// do not reach the totals, the cost or the usage columns.
type UsageError struct {
	Got       llm.Usage
	MaxTokens int // the request's cap; 0 for none
	Reason    string
}

func (e *UsageError) Error() string {
	return fmt.Sprintf("the provider reported implausible token usage (%d in, %d out: %s); such counts are left out of the totals and the cost",
		e.Got.PromptTokens, e.Got.CompletionTokens, e.Reason)
}

// usageCheck sorts out implausible usage and tells Warn about it once a run.
type usageCheck struct{ once sync.Once }

// check returns u, or zero usage (unknown) when u cannot be right.
func (c *usageCheck) check(req llm.Request, u llm.Usage, warn func(error)) llm.Usage {
	reason := implausible(req, u)
	if reason == "" {
		return u
	}
	c.once.Do(func() { warn(&UsageError{Got: u, MaxTokens: req.MaxTokens, Reason: reason}) })
	return llm.Usage{}
}

func implausible(req llm.Request, u llm.Usage) string {
	bytes := len(req.System) + len(req.Prompt) + promptSlack
	if req.Schema != nil {
		bytes += len(req.Schema.JSON)
	}
	switch {
	case u.PromptTokens < 0 || u.CompletionTokens < 0:
		return "a negative count"
	case req.MaxTokens > 0 && u.CompletionTokens > req.MaxTokens:
		return fmt.Sprintf("more answer tokens than the cap of %d", req.MaxTokens)
	case u.CompletionTokens > maxAnswerTokens:
		return "more answer tokens than any model writes"
	case u.PromptTokens > bytes:
		return fmt.Sprintf("more prompt tokens than the prompt's %d bytes could hold", bytes-promptSlack)
	}
	return ""
}
