package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Client sends one request to a model and returns its answer.
//
// Complete makes exactly one attempt: retries, rate limits and timeouts are
// the caller's (the pipeline's), so that every attempt is seen and paced.
// Failures are returned as *Error when the provider said something (status,
// message, rate-limit hints), or as transport errors otherwise.
type Client interface {
	Complete(ctx context.Context, req Request) (Response, error)
}

// Request is the provider-neutral shape of one chat completion.
type Request struct {
	Model       string
	System      string   // empty: no system message
	Prompt      string   // the rendered user message
	MaxTokens   int      // 0: provider default
	Temperature *float64 // nil: provider default
	// Schema, when set, asks for structured output: the answer's Text is
	// then one JSON object meant to match it (providers that enforce
	// schemas do; callers still validate).
	Schema *Schema
}

// Schema is a JSON Schema for a structured answer. Its top level is an
// object.
type Schema struct {
	Name   string          // a short identifier, [a-zA-Z0-9_-], max 64
	JSON   json.RawMessage // the schema document
	Strict bool            // ask the provider to enforce it exactly (OpenAI strict mode)
}

// Response is one answer.
type Response struct {
	Text         string
	FinishReason string // in OpenAI's words: "stop", "length", "content_filter", …
	Usage        Usage
	Limits       Limits // rate-limit headers seen on this response, if any
}

// Usage counts tokens as the provider reported them.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Limits holds the provider's request rate-limit headers
// (x-ratelimit-limit-requests, -remaining-requests, -reset-requests)
// and their token counterparts (x-ratelimit-*-tokens).
// Zero values mean "not sent".
type Limits struct {
	LimitRequests     int
	RemainingRequests int
	HasRemaining      bool // RemainingRequests was sent (it may be 0)
	ResetRequests     time.Duration

	LimitTokens        int
	RemainingTokens    int
	HasRemainingTokens bool // RemainingTokens was sent (it may be 0)
	ResetTokens        time.Duration
}

// Error is a failed attempt the provider answered.
type Error struct {
	Status     int           // HTTP status; 0 when the body, not the status, was bad
	Message    string        // the provider's own message, or what was wrong with the body
	RetryAfter time.Duration // from Retry-After / retry-after-ms; 0 when absent
	Retryable  bool          // 408, 409, 429, 5xx and unparseable 200s
	Limits     Limits
	Code       string // the provider's error code or type, e.g. "insufficient_quota"; may be empty
	Provider   string // the client that made it, as New names it ("openai", "anthropic"); Diagnose uses it
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return e.Message
	}
	if e.Message == "" {
		return fmt.Sprintf("status %d", e.Status)
	}
	return fmt.Sprintf("status %d: %s", e.Status, e.Message)
}

// IsRateLimited reports whether err is a 429 from the provider.
func IsRateLimited(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 429
}

// ErrNotSent is wrapped by the errors of a Complete that failed before the
// request left: it could not be encoded (a NaN temperature, a bad schema)
// or built. The provider never saw it, so a caller counting requests sent
// does not count it.
var ErrNotSent = errors.New("request not sent")

// notSent marks err as a failure before sending; its text is unchanged.
func notSent(err error) error { return &notSentError{err} }

type notSentError struct{ err error }

func (e *notSentError) Error() string   { return e.err.Error() }
func (e *notSentError) Unwrap() []error { return []error{e.err, ErrNotSent} }
