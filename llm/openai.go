package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is where OpenAI's own API lives.
const DefaultBaseURL = "https://api.openai.com/v1"

// DefaultMaxConns is the default size of the keep-alive pool per host.
const DefaultMaxConns = 64

// The two names a chat completion request may give its token cap.
const (
	MaxTokensField           = "max_tokens"
	MaxCompletionTokensField = "max_completion_tokens"
)

const (
	maxBodyBytes  = 16 << 20 // a successful answer larger than this is refused
	maxErrorBytes = 64 << 10 // read this much of an error body for its message
	maxDrainBytes = 64 << 10 // and drain at most this much more to reuse the connection
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
	endpoint       string // BASE/chat/completions
	apiKey         string
	auth           string // "Bearer " + apiKey, built once
	http           *http.Client
	maxTokensField string
	now            func() time.Time // for Retry-After dates; tests replace it
}

var _ Client = (*OpenAI)(nil)

// NewOpenAI checks opts and returns a client.
func NewOpenAI(opts OpenAIOptions) (*OpenAI, error) {
	base := opts.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		shown := base
		if err == nil {
			shown = u.Redacted()
		}
		return nil, fmt.Errorf("base URL %q is not an http(s) URL", shown)
	}
	u.Fragment, u.RawFragment = "", ""
	endpoint := u.JoinPath("chat", "completions")

	field := opts.MaxTokensField
	switch field {
	case "":
		field = MaxTokensField
		if strings.EqualFold(u.Hostname(), "api.openai.com") {
			field = MaxCompletionTokensField
		}
	case MaxTokensField, MaxCompletionTokensField:
	default:
		return nil, fmt.Errorf("max tokens field %q is neither %q nor %q", field, MaxTokensField, MaxCompletionTokensField)
	}

	if opts.MaxConns < 0 {
		return nil, fmt.Errorf("max conns %d is negative", opts.MaxConns)
	}
	client := opts.HTTPClient
	if client == nil {
		client = newHTTPClient(opts.MaxConns)
	}
	return &OpenAI{
		endpoint:       endpoint.String(),
		apiKey:         opts.APIKey,
		auth:           "Bearer " + opts.APIKey,
		http:           client,
		maxTokensField: field,
		now:            time.Now,
	}, nil
}

// newHTTPClient returns a client whose keep-alive pool is as large as the
// worker pool. http.DefaultTransport keeps only 2 idle connections per host,
// so 64 workers would close and redial 62 sockets per round.
// MaxConnsPerHost stays unlimited: a cap would make workers queue inside the
// transport, unseen by the caller's limiter and eating its per-attempt timeout.
// There is no client Timeout: the caller's ctx carries it.
func newHTTPClient(maxConns int) *http.Client {
	if maxConns == 0 {
		maxConns = DefaultMaxConns
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = maxConns
	if t.MaxIdleConns < maxConns {
		t.MaxIdleConns = maxConns
	}
	return &http.Client{Transport: t}
}

// Endpoint is the URL requests are posted to.
func (c *OpenAI) Endpoint() string { return c.endpoint }

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model               string        `json:"model"`
	Messages            []chatMessage `json:"messages"`
	Temperature         *float64      `json:"temperature,omitempty"`
	MaxTokens           int           `json:"max_tokens,omitempty"`
	MaxCompletionTokens int           `json:"max_completion_tokens,omitempty"`
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
		return Response{}, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", err)
	}
	hreq.Header["Content-Type"] = []string{"application/json"}
	hreq.Header["Accept"] = []string{"application/json"}
	if c.apiKey != "" {
		hreq.Header["Authorization"] = []string{c.auth}
	}

	resp, err := c.http.Do(hreq)
	if err != nil {
		return Response{}, err // *url.Error: "Post URL: cause"; it never holds headers
	}
	defer closeBody(resp.Body)

	limits := parseLimits(resp.Header, c.now())
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The status decides; a broken error body only costs the message.
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
		return Response{}, c.statusError(resp, raw, limits)
	}

	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return Response{}, fmt.Errorf("read response body: %w", err)
	}
	if len(raw) > maxBodyBytes {
		return Response{}, &Error{Message: fmt.Sprintf("response body is larger than %d MiB", maxBodyBytes>>20), Limits: limits}
	}
	out, e := decodeChat(raw)
	if e != nil {
		e.Limits = limits
		if e.Retryable {
			e.RetryAfter = parseRetryAfter(resp.Header, c.now())
		}
		e.Message = c.redact(e.Message)
		return Response{}, e
	}
	out.Limits = limits
	return out, nil
}

// statusError builds the *Error for a non-2xx answer.
func (c *OpenAI) statusError(resp *http.Response, body []byte, limits Limits) *Error {
	msg, code := errorMessage(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := &Error{
		Status:     resp.StatusCode,
		Message:    c.redact(msg),
		Code:       c.redact(code),
		RetryAfter: parseRetryAfter(resp.Header, c.now()),
		Retryable:  retryableStatus(resp.StatusCode),
		Limits:     limits,
	}
	if code == "insufficient_quota" {
		// OpenAI's 429 for an account out of credits: waiting will not help.
		e.Retryable = false
	}
	switch strings.ToLower(strings.TrimSpace(get(resp.Header, "X-Should-Retry"))) {
	case "true":
		e.Retryable = true
	case "false":
		e.Retryable = false
	}
	return e
}

// retryableStatus: timeouts, conflicts, rate limits and server trouble
// (including Anthropic-style 529 "overloaded") may pass; other 4xx will not.
func retryableStatus(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusConflict, status == http.StatusTooManyRequests:
		return true
	case status >= 500 && status <= 599:
		return true
	}
	return false
}

// redact removes the API key from text that came from the server, which
// may echo it back (OpenAI masks it; not every local server does).
func (c *OpenAI) redact(s string) string {
	if c.apiKey == "" || !strings.Contains(s, c.apiKey) {
		return s
	}
	return strings.ReplaceAll(s, c.apiKey, "[redacted]")
}

// closeBody drains a bounded remainder so the connection goes back to the
// pool, then closes. Bodies larger than that lose their connection, which
// beats reading megabytes of junk.
func closeBody(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrainBytes)
	_ = body.Close()
}
