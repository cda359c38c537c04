package llm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxConns is the default size of the keep-alive pool per host.
const DefaultMaxConns = 64

const (
	maxBodyBytes  = 16 << 20 // a successful answer larger than this is refused
	maxErrorBytes = 64 << 10 // read this much of an error body for its message
	maxDrainBytes = 64 << 10 // and drain at most this much more to reuse the connection
)

// poster is the plumbing the HTTP providers share: one POST, one attempt,
// its answer read and sorted. Each provider keeps one, built in its
// constructor, and adds only its own wire format.
type poster struct {
	provider string      // Error.Provider
	endpoint string      // where requests go
	red      redactor    // takes the API key out of anything the server sends back
	header   http.Header // sent with every request; built once, never changed
	http     *http.Client
	limits   func(http.Header, time.Time) Limits // the provider's rate-limit headers
	now      func() time.Time                    // for Retry-After dates; tests replace it
}

// newPoster checks what every HTTP provider's options have in common.
// path, the endpoint, is joined to base's path.
func newPoster(provider, base, path string, apiKey string, hc *http.Client, maxConns int) (poster, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		shown := base
		if err == nil {
			shown = u.Redacted()
		}
		return poster{}, fmt.Errorf("base URL %q is not an http(s) URL", shown)
	}
	u.Fragment, u.RawFragment = "", ""
	if maxConns < 0 {
		return poster{}, fmt.Errorf("max conns %d is negative", maxConns)
	}
	if hc == nil {
		hc = newHTTPClient(maxConns)
	}
	return poster{
		provider: provider,
		endpoint: u.JoinPath(path).String(),
		red:      newRedactor(apiKey),
		header:   http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		http:     hc,
		now:      time.Now,
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

// post sends body: one attempt, no retries. It returns a 2xx answer's body
// with its headers and Limits; any other status, or a body too large to
// read, is an *Error. Failures to reach the server or to read its answer
// come back as the transport reported them. The API key is redacted from
// every body before it is read, cut or quoted, and from every error.
func (p *poster) post(ctx context.Context, body []byte) ([]byte, http.Header, Limits, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, nil, Limits{}, notSent(fmt.Errorf("build request: %w", err))
	}
	for k, v := range p.header { // shared slices: net/http only reads them
		hreq.Header[k] = v
	}

	resp, err := p.http.Do(hreq)
	if err != nil {
		// *url.Error: "Post URL: cause"; a server that does not speak HTTP
		// may have its answer quoted in the cause.
		return nil, nil, Limits{}, p.red.err(err)
	}
	defer closeBody(resp.Body)

	limits := p.limits(resp.Header, p.now())
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The status decides; a broken error body only costs the message.
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
		return nil, resp.Header, limits, p.statusError(resp, p.red.body(raw), limits)
	}

	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, resp.Header, limits, p.red.err(fmt.Errorf("read response body: %w", err))
	}
	if len(raw) > maxBodyBytes {
		return nil, resp.Header, limits, &Error{Message: fmt.Sprintf("response body is larger than %d MiB", maxBodyBytes>>20), Limits: limits, Provider: p.provider}
	}
	return p.red.body(raw), resp.Header, limits, nil
}

// answer redacts the API key from a decoded answer: a body's JSON escapes
// can spell the key in a way the raw body did not.
func (p *poster) answer(out Response, limits Limits) Response {
	out.Text = p.red.answer(out.Text)
	out.FinishReason = p.red.answer(out.FinishReason)
	out.Limits = limits
	return out
}

// bodyError completes the *Error a provider's decoder made of a 2xx body.
func (p *poster) bodyError(e *Error, h http.Header, limits Limits) *Error {
	e.Provider = p.provider
	e.Limits = limits
	if e.Retryable {
		e.RetryAfter = parseRetryAfter(h, p.now())
	}
	e.Message = p.red.text(e.Message)
	e.Code = p.red.text(e.Code)
	return e
}

// statusError builds the *Error for a non-2xx answer.
func (p *poster) statusError(resp *http.Response, body []byte, limits Limits) *Error {
	msg, code := errorMessage(body)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := &Error{
		Status:     resp.StatusCode,
		Message:    p.red.text(msg),
		Code:       p.red.text(code),
		RetryAfter: parseRetryAfter(resp.Header, p.now()),
		Retryable:  retryableStatus(resp.StatusCode),
		Limits:     limits,
		Provider:   p.provider,
	}
	if code == "insufficient_quota" {
		// OpenAI's 429 for an account out of credits: waiting will not help.
		e.Retryable = false
	}
	// OpenAI and Anthropic both send it, and know better than the status.
	switch strings.ToLower(strings.TrimSpace(get(resp.Header, "X-Should-Retry"))) {
	case "true":
		e.Retryable = true
	case "false":
		e.Retryable = false
	}
	return e
}

// retryableStatus: timeouts, conflicts, rate limits and server trouble
// (including Anthropic's 529 "overloaded") may pass; other 4xx will not.
func retryableStatus(status int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusConflict, status == http.StatusTooManyRequests:
		return true
	case status >= 500 && status <= 599:
		return true
	}
	return false
}

// closeBody drains a bounded remainder so the connection goes back to the
// pool, then closes. Bodies larger than that lose their connection, which
// beats reading megabytes of junk.
func closeBody(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, maxDrainBytes)
	_ = body.Close()
}
