// Package fakeprovider is an OpenAI-compatible chat-completions server for
// tests and benchmarks: configurable latency, a request rate limit enforced
// as a token bucket (with 429 + Retry-After, like real providers), optional
// x-ratelimit-* headers, and per-request fault injection (errors, hangs,
// truncated bodies). Its answer to a prompt is "echo: " + the prompt, so a
// test can tell which row an answer belongs to.
package fakeprovider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Fault is what the server does with one request instead of answering.
type Fault int

// The faults a test can inject.
const (
	OK             Fault = iota
	Status429            // 429 with Retry-After: 1
	Status500            // 500 with an error body
	Status503            // 503 with an error body
	Status400            // 400, not worth retrying
	Status401            // 401, not worth retrying
	Hang                 // never answers until the client gives up
	Truncated            // 200 with half a JSON body
	DropConnection       // the connection is closed without a response
	NoChoices            // 200 with "choices": []
	NullContent          // 200 with "content": null
	Refusal              // 200 with a refusal instead of content
	Length               // 200 with half the answer and finish_reason "length"
	ContentFilter        // 200 with no content and finish_reason "content_filter"
)

// Options configures a Provider.
type Options struct {
	Latency time.Duration // before every answer
	// RPM, when > 0, limits requests per minute with a token bucket of
	// Burst (default 1); requests over it get 429.
	RPM   float64
	Burst int
	// TPM, when > 0, limits tokens per minute with a bucket holding one
	// second's worth; a request costs its prompt (a token per 4 bytes)
	// plus its max_tokens, as providers count before answering.
	TPM          float64
	LimitHeaders bool // send x-ratelimit-{limit,remaining,reset}-requests
	// LimitHeadersOn429 sends them on 429s only, as some providers and
	// proxies do: a client learns the limit only by meeting it.
	LimitHeadersOn429 bool
	NoRetryAfter      bool // omit Retry-After on rate-limit 429s
	// Fault decides, from the 1-based request number and the prompt, what
	// to do with a request; nil answers every request.
	Fault func(n int64, prompt string) Fault
	// Batch configures the batch APIs (see batch.go).
	Batch BatchOptions
}

// Provider is an http.Handler; serve it with httptest.NewServer.
type Provider struct {
	opts     Options
	bucket   *rate.Limiter
	tokens   *rate.Limiter
	requests atomic.Int64
	limited  atomic.Int64
	answered atomic.Int64
	// tokensUsed counts the tokens the TPM bucket charged.
	tokensUsed atomic.Int64

	batchOnce sync.Once
	batches   *batchStore
}

// New returns a Provider.
func New(opts Options) *Provider {
	p := &Provider{opts: opts}
	if opts.RPM > 0 {
		p.bucket = rate.NewLimiter(rate.Limit(opts.RPM/60), max(opts.Burst, 1))
	}
	if opts.TPM > 0 {
		p.tokens = rate.NewLimiter(rate.Limit(opts.TPM/60), int(opts.TPM/60))
	}
	return p
}

// Requests counts every request received; RateLimited the 429s the bucket
// sent; Answered the 200s with an answer.
func (p *Provider) Requests() int64    { return p.requests.Load() }
func (p *Provider) RateLimited() int64 { return p.limited.Load() }
func (p *Provider) Answered() int64    { return p.answered.Load() }

// TokensCharged is what the TPM bucket charged for the requests it let in.
func (p *Provider) TokensCharged() int64 { return p.tokensUsed.Load() }

type chatRequest struct {
	Model               string `json:"model"`
	MaxTokens           int    `json:"max_tokens"`
	MaxCompletionTokens int    `json:"max_completion_tokens"`
	Messages            []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.requests.Add(1)
	if p.serveBatch(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"method not allowed"}}`, http.StatusMethodNotAllowed)
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
		writeError(w, http.StatusBadRequest, "invalid request body")
		return
	}
	prompt := req.Messages[len(req.Messages)-1].Content

	if p.bucket != nil {
		res := p.bucket.Reserve()
		if d := res.Delay(); d > 0 {
			res.Cancel()
			p.limited.Add(1)
			if !p.opts.NoRetryAfter {
				w.Header().Set("retry-after-ms", strconv.FormatInt(max(d.Milliseconds(), 1), 10))
				w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())+1))
			}
			p.limitHeaders(w, true)
			writeError(w, http.StatusTooManyRequests, "Rate limit reached for requests")
			return
		}
	}
	if p.tokens != nil {
		n := req.MaxTokens + req.MaxCompletionTokens
		for _, m := range req.Messages {
			n += (len(m.Content) + 3) / 4
		}
		res := p.tokens.ReserveN(time.Now(), n)
		if d := res.Delay(); !res.OK() || d > 0 {
			res.Cancel()
			p.limited.Add(1)
			w.Header().Set("retry-after-ms", strconv.FormatInt(max(d.Milliseconds(), 1), 10))
			writeError(w, http.StatusTooManyRequests, "Rate limit reached for tokens per min")
			return
		}
		p.tokensUsed.Add(int64(n))
	}
	fault := OK
	if p.opts.Fault != nil {
		fault = p.opts.Fault(n, prompt)
	}
	if p.opts.Latency > 0 {
		select {
		case <-time.After(p.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	switch fault {
	case Status429:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "Rate limit reached for requests")
		return
	case Status500:
		writeError(w, http.StatusInternalServerError, "The server had an error while processing your request")
		return
	case Status503:
		writeError(w, http.StatusServiceUnavailable, "The engine is currently overloaded")
		return
	case Status400:
		writeError(w, http.StatusBadRequest, "Invalid value for 'model'")
		return
	case Status401:
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided")
		return
	case Hang:
		<-r.Context().Done()
		return
	case DropConnection:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	body := completion(req.Model, "echo: "+prompt, len(prompt))
	switch fault {
	case NoChoices:
		body = []byte(`{"id":"x","object":"chat.completion","choices":[]}`)
	case NullContent:
		body = []byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}]}`)
	case Refusal:
		body = []byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}`)
	case ContentFilter:
		body = []byte(`{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]}`)
	case Length:
		text := "echo: " + prompt
		body = bytes.Replace(completion(req.Model, text[:len(text)/2], len(prompt)), []byte(`"finish_reason":"stop"`), []byte(`"finish_reason":"length"`), 1)
	}
	if fault == Truncated {
		body = body[:len(body)/2]
	} else {
		p.answered.Add(1)
	}
	p.limitHeaders(w, false)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func (p *Provider) limitHeaders(w http.ResponseWriter, limited bool) {
	if !(p.opts.LimitHeaders || p.opts.LimitHeadersOn429 && limited) || p.bucket == nil {
		return
	}
	limit := int(p.opts.RPM)
	tokens := p.bucket.Tokens()
	remaining := max(int(tokens), 0)
	// Time until the bucket is full again: what OpenAI calls the reset.
	reset := time.Duration((float64(p.bucket.Burst()) - tokens) / float64(p.bucket.Limit()) * float64(time.Second))
	w.Header().Set("x-ratelimit-limit-requests", strconv.Itoa(limit))
	w.Header().Set("x-ratelimit-remaining-requests", strconv.Itoa(remaining))
	w.Header().Set("x-ratelimit-reset-requests", max(reset, 0).Round(time.Millisecond).String())
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"fake_error"}}`, msg)
}

func completion(model, text string, promptLen int) []byte {
	b, _ := json.Marshal(map[string]any{
		"id":      "chatcmpl-fake",
		"object":  "chat.completion",
		"created": 1700000000,
		"model":   model,
		"choices": []map[string]any{{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": text},
			"finish_reason": "stop",
		}},
		"usage": map[string]int{
			"prompt_tokens":     (promptLen + 3) / 4,
			"completion_tokens": (len(text) + 3) / 4,
			"total_tokens":      (promptLen+3)/4 + (len(text)+3)/4,
		},
	})
	return b
}
