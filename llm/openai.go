package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// DefaultBaseURL is where OpenAI's own API lives.
const DefaultBaseURL = "https://api.openai.com/v1"

// openAIName is the OpenAI-compatible client's name in New and Error.Provider.
const openAIName = "openai"

// openAIPath is where requests go under the base URL.
const openAIPath = "chat/completions"

// The two names a chat completion request may give its token cap.
const (
	MaxTokensField           = "max_tokens"
	MaxCompletionTokensField = "max_completion_tokens"
)

// OpenAIOptions configures an OpenAI-compatible chat completions client.
// The zero value talks to api.openai.com without a key.
type OpenAIOptions struct {
	// BaseURL is the API root; requests go to BaseURL + "/chat/completions".
	// Default DefaultBaseURL. A trailing slash and a query string
	// (e.g. "?api-version=…") are kept as they should be.
	// The library never reads $OPENAI_BASE_URL: that is the CLI's job.
	BaseURL string

	// APIKey is sent as "Authorization: Bearer KEY" when not empty.
	// Local servers (Ollama, vLLM, llama.cpp) usually need none.
	// NewOpenAI leaves it to you (an HTTPClient may add its own auth);
	// New refuses an empty key for api.openai.com.
	APIKey string

	// HTTPClient is used as given when not nil: bring your own transport,
	// proxy or TLS settings. It should have no Timeout: the ctx passed to
	// Complete carries the per-attempt deadline.
	HTTPClient *http.Client

	// MaxConns is how many idle keep-alive connections the default client
	// keeps per host; set it to at least the number of concurrent workers,
	// or workers beyond it open and close a socket per request.
	// Default DefaultMaxConns. Ignored when HTTPClient is set.
	MaxConns int

	// MaxTokensField names the token cap in the request body: MaxTokensField
	// or MaxCompletionTokensField. Default: max_completion_tokens when the
	// base URL's host is api.openai.com (OpenAI deprecated max_tokens and its
	// reasoning models reject it), max_tokens elsewhere (older vLLM,
	// llama.cpp and Ollama know only that one).
	MaxTokensField string
}

// OpenAI is a Client for OpenAI's chat completions API and the many servers
// that copy it. It is safe for concurrent use.
type OpenAI struct {
	poster
	maxTokensField string
}

var _ Client = (*OpenAI)(nil)

// NewOpenAI checks opts and returns a client.
func NewOpenAI(opts OpenAIOptions) (*OpenAI, error) {
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	p, err := newPoster(openAIName, base, openAIPath, opts.APIKey, opts.HTTPClient, opts.MaxConns)
	if err != nil {
		return nil, err
	}
	p.limits = parseLimits
	if opts.APIKey != "" {
		p.header["Authorization"] = []string{"Bearer " + opts.APIKey}
	}

	field := opts.MaxTokensField
	switch field {
	case "":
		field = MaxTokensField
		if isOpenAIHost(p.endpoint) {
			field = MaxCompletionTokensField
		}
	case MaxTokensField, MaxCompletionTokensField:
	default:
		return nil, fmt.Errorf("max tokens field %q is neither %q nor %q", field, MaxTokensField, MaxCompletionTokensField)
	}
	return &OpenAI{poster: p, maxTokensField: field}, nil
}

// isOpenAIHost reports whether rawURL is on OpenAI's own API host.
func isOpenAIHost(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

// openAINeedsKey: OpenAI's own API does; the servers that copy it
// usually do not.
func openAINeedsKey(base string) bool { return base == "" || isOpenAIHost(base) }

// openAIFrom is New's way in (see providers.go).
func openAIFrom(o Options) (Client, error) {
	c, err := NewOpenAI(OpenAIOptions{BaseURL: o.BaseURL, APIKey: o.APIKey, HTTPClient: o.HTTPClient, MaxConns: o.MaxConns})
	if err != nil {
		return nil, err // not a nil *OpenAI in a non-nil Client
	}
	return c, nil
}

// Endpoint is the URL requests are posted to.
func (c *OpenAI) Endpoint() string { return c.endpoint }

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	Temperature         *float64        `json:"temperature,omitempty"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
}

type responseFormat struct {
	Type       string     `json:"type"` // always "json_schema"
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict bool            `json:"strict"`
}

func (c *OpenAI) encode(req Request) ([]byte, error) {
	body := chatRequest{Model: req.Model, Temperature: req.Temperature}
	msgs := make([]chatMessage, 0, 2)
	if req.System != "" {
		msgs = append(msgs, chatMessage{Role: "system", Content: req.System})
	}
	body.Messages = append(msgs, chatMessage{Role: "user", Content: req.Prompt})
	if req.MaxTokens > 0 {
		if c.maxTokensField == MaxCompletionTokensField {
			body.MaxCompletionTokens = req.MaxTokens
		} else {
			body.MaxTokens = req.MaxTokens
		}
	}
	if req.Schema != nil {
		name, doc, err := req.Schema.parts()
		if err != nil {
			return nil, err
		}
		body.ResponseFormat = &responseFormat{
			Type:       "json_schema",
			JSONSchema: jsonSchema{Name: name, Schema: doc, Strict: req.Schema.Strict},
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return b, nil
}

// Complete sends one chat completion request: one attempt, no retries.
//
// A non-2xx answer, or a 2xx whose body carries no usable answer, is an
// *Error. Failures to reach the server or to read its answer (refused or
// reset connections, a body cut short, ctx's deadline) come back as the
// transport reported them, wrapped; Retryable sorts both kinds.
// A finish_reason of "length" is not an error: Response.FinishReason says so.
func (c *OpenAI) Complete(ctx context.Context, req Request) (Response, error) {
	body, err := c.encode(req)
	if err != nil {
		return Response{}, notSent(err)
	}
	raw, h, limits, err := c.post(ctx, body)
	if err != nil {
		return Response{}, err
	}
	out, e := decodeChat(raw)
	if e != nil {
		return Response{}, c.bodyError(e, h, limits)
	}
	return c.answer(out, limits), nil
}
