package llm

import (
	"context"
	"net/http"
)

// Defaults for AnthropicOptions and for requests that leave them unset.
const (
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	DefaultAnthropicVersion = "2023-06-01"

	// DefaultAnthropicMaxTokens is sent when Request.MaxTokens is 0: the
	// Messages API requires a cap and has no default of its own.
	DefaultAnthropicMaxTokens = 1024
)

// anthropicName is the Anthropic client's name in New and Error.Provider.
const anthropicName = "anthropic"

// anthropicPath is where requests go under the base URL.
const anthropicPath = "v1/messages"

// AnthropicOptions configures a client for Anthropic's Messages API.
type AnthropicOptions struct {
	// BaseURL is the API root, without "/v1"; requests go to
	// BaseURL + "/v1/messages". Default DefaultAnthropicBaseURL.
	// A trailing slash is fine. The library never reads
	// $ANTHROPIC_BASE_URL: that is the CLI's job.
	BaseURL string

	// APIKey is sent as "x-api-key: KEY". Required: NewAnthropic fails
	// with a *KeyError without one.
	APIKey string

	// HTTPClient is used as given when not nil; see OpenAIOptions.HTTPClient.
	HTTPClient *http.Client

	// MaxConns is the default client's keep-alive pool per host; see
	// OpenAIOptions.MaxConns. Default DefaultMaxConns.
	MaxConns int

	// Version is sent as "anthropic-version". Default
	// DefaultAnthropicVersion.
	Version string
}

// Anthropic is a Client for Anthropic's Messages API. It is safe for
// concurrent use.
type Anthropic struct {
	poster
}

var _ Client = (*Anthropic)(nil)

// NewAnthropic checks opts and returns a client.
func NewAnthropic(opts AnthropicOptions) (*Anthropic, error) {
	if opts.APIKey == "" {
		return nil, &KeyError{Provider: anthropicName, Env: KeyEnv(anthropicName)}
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultAnthropicBaseURL
	}
	p, err := newPoster(anthropicName, base, anthropicPath, opts.APIKey, opts.HTTPClient, opts.MaxConns)
	if err != nil {
		return nil, err
	}
	version := opts.Version
	if version == "" {
		version = DefaultAnthropicVersion
	}
	p.limits = parseAnthropicLimits
	p.header["X-Api-Key"] = []string{opts.APIKey}
	p.header["Anthropic-Version"] = []string{version}
	return &Anthropic{poster: p}, nil
}

// anthropicFrom is New's way in (see providers.go).
func anthropicFrom(o Options) (Client, error) {
	c, err := NewAnthropic(AnthropicOptions{BaseURL: o.BaseURL, APIKey: o.APIKey, HTTPClient: o.HTTPClient, MaxConns: o.MaxConns})
	if err != nil {
		return nil, err // not a nil *Anthropic in a non-nil Client
	}
	return c, nil
}

// Endpoint is the URL requests are posted to.
func (c *Anthropic) Endpoint() string { return c.endpoint }

// Complete sends one Messages API request: one attempt, no retries.
// Failures are sorted as OpenAI.Complete sorts them; a stop_reason of
// "max_tokens" is not an error: Response.FinishReason says "length".
func (c *Anthropic) Complete(ctx context.Context, req Request) (Response, error) {
	body, tool, err := encodeMessages(req)
	if err != nil {
		return Response{}, notSent(err)
	}
	raw, h, limits, err := c.post(ctx, body)
	if err != nil {
		return Response{}, err
	}
	out, e := decodeMessages(raw, tool)
	if e != nil {
		return Response{}, c.bodyError(e, h, limits)
	}
	return c.answer(out, limits), nil
}
