package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// anthropicOK is a minimal valid Messages API answer.
const anthropicOK = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-x",
 "content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,
 "usage":{"input_tokens":5,"output_tokens":1}}`

func TestNewAnthropic(t *testing.T) {
	tests := []struct {
		name      string
		opts      AnthropicOptions
		endpoint  string
		wantError string
	}{
		{"default", AnthropicOptions{APIKey: "k"}, "https://api.anthropic.com/v1/messages", ""},
		{"trailing slash", AnthropicOptions{APIKey: "k", BaseURL: "https://api.anthropic.com/"}, "https://api.anthropic.com/v1/messages", ""},
		{"proxy prefix", AnthropicOptions{APIKey: "k", BaseURL: "http://localhost:4000/anthropic/"}, "http://localhost:4000/anthropic/v1/messages", ""},
		{"no key", AnthropicOptions{}, "", "an API key is required for anthropic"},
		{"ftp", AnthropicOptions{APIKey: "k", BaseURL: "ftp://h"}, "", `base URL "ftp://h" is not an http(s) URL`},
		{"no scheme", AnthropicOptions{APIKey: "k", BaseURL: "api.anthropic.com"}, "", `base URL "api.anthropic.com" is not an http(s) URL`},
		{"password hidden", AnthropicOptions{APIKey: "k", BaseURL: "ftp://u:hunter2@h/"}, "", `base URL "ftp://u:xxxxx@h/" is not an http(s) URL`},
		{"negative conns", AnthropicOptions{APIKey: "k", MaxConns: -1}, "", "max conns -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewAnthropic(tt.opts)
			if tt.wantError != "" {
				if err == nil || err.Error() != tt.wantError {
					t.Fatalf("got error %v, want %q", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Endpoint(); got != tt.endpoint {
				t.Errorf("got endpoint %q, want %q", got, tt.endpoint)
			}
		})
	}
}

// schema is a small structured-output schema, its properties out of
// alphabetical order on purpose.
const schema = `{"type":"object","properties":{"label":{"type":"string","enum":["fruit","veg"]},"score":{"type":"number"}},"required":["label","score"],"additionalProperties":false}`

func TestAnthropicWireFormat(t *testing.T) {
	tests := []struct {
		name     string
		base     string // appended to the server URL
		version  string
		req      Request
		wantPath string
		wantBody string
	}{
		{"minimal gets the default cap", "", "", Request{Model: "m", Prompt: "p"},
			"/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}]}`},
		{"trailing slash", "/", "", Request{Model: "m", Prompt: "p"},
			"/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}]}`},
		{"prefix", "/anthropic", "", Request{Model: "m", Prompt: "p"},
			"/anthropic/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}]}`},
		{"max tokens", "", "", Request{Model: "m", Prompt: "p", MaxTokens: 50},
			"/v1/messages", `{"model":"m","max_tokens":50,"messages":[{"role":"user","content":"p"}]}`},
		{"negative max tokens", "", "", Request{Model: "m", Prompt: "p", MaxTokens: -3},
			"/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}]}`},
		{"system is top-level", "", "", Request{Model: "m", System: "be brief", Prompt: "p"},
			"/v1/messages", `{"model":"m","max_tokens":1024,"system":"be brief","messages":[{"role":"user","content":"p"}]}`},
		{"temperature zero is sent", "", "", Request{Model: "m", Prompt: "p", Temperature: ptr(0.0)},
			"/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}],"temperature":0}`},
		{"version override", "", "2099-01-01", Request{Model: "m", Prompt: "p"},
			"/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}]}`},
		{"schema forces the tool", "", "", Request{Model: "m", Prompt: "p", Schema: &Schema{Name: "label_row", JSON: json.RawMessage(schema)}},
			"/v1/messages", `{"model":"m","max_tokens":1024,"messages":[{"role":"user","content":"p"}],` +
				`"tools":[{"name":"label_row","description":"Record the answer.","input_schema":` + schema + `}],` +
				`"tool_choice":{"type":"tool","name":"label_row"}}`},
		{"schema default name, compacted", "", "", Request{Model: "m", System: "s", Prompt: "p", MaxTokens: 9, Temperature: ptr(0.5),
			Schema: &Schema{JSON: json.RawMessage("\n{ \"type\": \"object\" }\n"), Strict: true}},
			"/v1/messages", `{"model":"m","max_tokens":9,"system":"s","messages":[{"role":"user","content":"p"}],"temperature":0.5,` +
				`"tools":[{"name":"answer","description":"Record the answer.","input_schema":{"type":"object"}}],` +
				`"tool_choice":{"type":"tool","name":"answer"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var body []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, body = r, must(io.ReadAll(r.Body))
				io.WriteString(w, message(`[{"type":"text","text":"hi"},{"type":"tool_use","name":"answer","input":{}},{"type":"tool_use","name":"label_row","input":{}}]`, `"end_turn"`))
			}))
			defer srv.Close()
			c, err := NewAnthropic(AnthropicOptions{BaseURL: srv.URL + tt.base, APIKey: fakeKey, Version: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Complete(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			if got.Method != http.MethodPost {
				t.Errorf("got method %q, want POST", got.Method)
			}
			if got.URL.Path != tt.wantPath {
				t.Errorf("got path %q, want %q", got.URL.Path, tt.wantPath)
			}
			wantVersion := tt.version
			if wantVersion == "" {
				wantVersion = "2023-06-01"
			}
			for name, want := range map[string]string{
				"X-Api-Key":         fakeKey,
				"Anthropic-Version": wantVersion,
				"Content-Type":      "application/json",
			} {
				if v := got.Header.Values(name); len(v) != 1 || v[0] != want {
					t.Errorf("got %s %q, want %q", name, v, want)
				}
			}
			if auth := got.Header.Get("Authorization"); auth != "" {
				t.Errorf("got Authorization %q, want none", auth)
			}
			if string(body) != tt.wantBody {
				t.Errorf("got body\n%s\nwant\n%s", body, tt.wantBody)
			}
		})
	}
}

// completeAnthropic serves one canned answer and returns what an
// Anthropic client asking req made of it.
func completeAnthropic(t *testing.T, a canned, req Request) (Response, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for k, v := range a.headers {
			w.Header().Set(k, v)
		}
		if a.status != 0 {
			w.WriteHeader(a.status)
		}
		io.WriteString(w, a.body)
	}))
	defer srv.Close()
	c, err := NewAnthropic(AnthropicOptions{BaseURL: srv.URL, APIKey: fakeKey})
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return testNow }
	return c.Complete(context.Background(), req)
}

// message is an Anthropic answer with the given content and stop_reason.
func message(content, stop string) string {
	return `{"type":"message","role":"assistant","content":` + content + `,"stop_reason":` + stop +
		`,"usage":{"input_tokens":11,"output_tokens":3}}`
}

func TestAnthropicResponses(t *testing.T) {
	plain := Request{Model: "m", Prompt: "p"}
	structured := Request{Model: "m", Prompt: "p", Schema: &Schema{JSON: json.RawMessage(schema)}}
	named := Request{Model: "m", Prompt: "p", Schema: &Schema{Name: "label_row", JSON: json.RawMessage(schema)}}
	tests := []struct {
		name string
		req  Request
		in   canned
		want Response
	}{
		{"text", plain, canned{body: anthropicOK}, Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}}},
		{"text blocks joined, thinking skipped", plain, canned{body: message(`[{"type":"thinking","thinking":"hmm","signature":"x"},{"type":"text","text":"a, "},{"type":"text","text":"b"}]`, `"end_turn"`)},
			Response{Text: "a, b", FinishReason: "stop", Usage: Usage{11, 3}}},
		{"stop sequence", plain, canned{body: message(`[{"type":"text","text":"x"}]`, `"stop_sequence"`)}, Response{Text: "x", FinishReason: "stop", Usage: Usage{11, 3}}},
		{"max tokens is length", plain, canned{body: message(`[{"type":"text","text":"cut sh"}]`, `"max_tokens"`)}, Response{Text: "cut sh", FinishReason: "length", Usage: Usage{11, 3}}},
		{"context window is length", plain, canned{body: message(`[{"type":"text","text":"x"}]`, `"model_context_window_exceeded"`)}, Response{Text: "x", FinishReason: "length", Usage: Usage{11, 3}}},
		{"unknown stop reason passes", plain, canned{body: message(`[{"type":"text","text":"x"}]`, `"pause_turn"`)}, Response{Text: "x", FinishReason: "pause_turn", Usage: Usage{11, 3}}},
		{"empty text is an answer", plain, canned{body: message(`[{"type":"text","text":""}]`, `"end_turn"`)}, Response{FinishReason: "stop", Usage: Usage{11, 3}}},
		{"tool input as compact JSON", structured, canned{body: message(`[{"type":"tool_use","id":"toolu_1","name":"answer","input":{ "label": "fruit",  "score": 0.9 }}]`, `"tool_use"`)},
			Response{Text: `{"label":"fruit","score":0.9}`, FinishReason: "stop", Usage: Usage{11, 3}}},
		{"tool input after text, by name", named, canned{body: message(`[{"type":"text","text":"Sure."},{"type":"tool_use","id":"t0","name":"other","input":{"x":1}},{"type":"tool_use","id":"t1","name":"label_row","input":{"label":"veg"}}]`, `"tool_use"`)},
			Response{Text: `{"label":"veg"}`, FinishReason: "stop", Usage: Usage{11, 3}}},
		{"cache tokens count as prompt", plain, canned{body: `{"content":[{"type":"text","text":"x"}],"stop_reason":"end_turn","usage":{"input_tokens":4,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":7}}`},
			Response{Text: "x", FinishReason: "stop", Usage: Usage{2104, 7}}},
		{"usage absent", plain, canned{body: `{"content":[{"type":"text","text":"x"}],"stop_reason":"end_turn"}`}, Response{Text: "x", FinishReason: "stop"}},
		{"limits with RFC 3339 resets", plain, canned{body: anthropicOK, headers: map[string]string{
			"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "49", "anthropic-ratelimit-requests-reset": "2026-11-22T10:00:01.5Z",
			"anthropic-ratelimit-tokens-limit": "90000", "anthropic-ratelimit-tokens-remaining": "80000", "anthropic-ratelimit-tokens-reset": "2026-11-22T10:00:09Z",
			"anthropic-ratelimit-input-tokens-limit": "40000", "anthropic-ratelimit-input-tokens-remaining": "39000", "anthropic-ratelimit-input-tokens-reset": "2026-11-22T10:00:03Z",
			"anthropic-ratelimit-output-tokens-limit": "8000", "anthropic-ratelimit-output-tokens-remaining": "10", "anthropic-ratelimit-output-tokens-reset": "2026-11-22T10:00:59Z"}},
			Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}, Limits: Limits{
				LimitRequests: 50, RemainingRequests: 49, HasRemaining: true, ResetRequests: 1500 * time.Millisecond,
				LimitTokens: 40000, RemainingTokens: 39000, HasRemainingTokens: true, ResetTokens: 3 * time.Second}}},
		{"reset in the past is 0, tokens tighter than input", plain, canned{body: anthropicOK, headers: map[string]string{
			"anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": "2026-11-22T09:59:00Z",
			"anthropic-ratelimit-tokens-limit": "90000", "anthropic-ratelimit-tokens-remaining": "100", "anthropic-ratelimit-tokens-reset": "2026-11-22T10:01:00+00:00",
			"anthropic-ratelimit-input-tokens-limit": "40000", "anthropic-ratelimit-input-tokens-remaining": "39000"}},
			Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}, Limits: Limits{
				LimitRequests: 50, HasRemaining: true,
				LimitTokens: 90000, RemainingTokens: 100, HasRemainingTokens: true, ResetTokens: time.Minute}}},
		{"openai's headers are not anthropic's", plain, canned{body: anthropicOK, headers: map[string]string{"x-ratelimit-limit-requests": "5"}},
			Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := completeAnthropic(t, tt.in, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnthropicErrors(t *testing.T) {
	plain := Request{Model: "m", Prompt: "p"}
	structured := Request{Model: "m", Prompt: "p", Schema: &Schema{JSON: json.RawMessage(schema)}}
	anthropicError := func(typ, msg string) string {
		return `{"type":"error","error":{"type":"` + typ + `","message":"` + msg + `"},"request_id":"req_1"}`
	}
	tests := []struct {
		name    string
		req     Request
		in      canned
		want    Error
		problem Problem
	}{
		// 2xx without a usable answer.
		{"refusal", plain, canned{body: message(`[]`, `"refusal"`)}, Error{Message: "model refused", Code: "refusal"}, Unknown},
		{"refusal with text", plain, canned{body: message(`[{"type":"text","text":"I can't\nhelp."}]`, `"refusal"`)}, Error{Message: "model refused: I can't help.", Code: "refusal"}, Unknown},
		{"empty content", plain, canned{body: message(`[]`, `"end_turn"`)}, Error{Message: "response has no content (finish_reason stop)"}, Unknown},
		{"content missing", plain, canned{body: `{"type":"message"}`}, Error{Message: "response has no content (finish_reason not given)"}, Unknown},
		{"cap ran out before any text", plain, canned{body: message(`[{"type":"thinking","thinking":"..."}]`, `"max_tokens"`)}, Error{Message: "response has no content (finish_reason length)"},
			CapBeforeAnswer},
		{"schema but only text", structured, canned{body: message(`[{"type":"text","text":"{\"label\":\"fruit\"}"}]`, `"end_turn"`)}, Error{Message: "response has no content (finish_reason stop)"}, Unknown},
		{"tool input null", structured, canned{body: message(`[{"type":"tool_use","name":"answer","input":null}]`, `"tool_use"`)}, Error{Message: "response has no content (finish_reason stop)"}, Unknown},
		{"overloaded in a 200", plain, canned{body: anthropicError("overloaded_error", "Overloaded")}, Error{Message: "provider error: Overloaded", Code: "overloaded_error", Retryable: true},
			Overloaded},
		{"invalid request in a 200", plain, canned{body: anthropicError("invalid_request_error", "bad")}, Error{Message: "provider error: bad", Code: "invalid_request_error"}, Unknown},
		{"truncated", plain, canned{body: anthropicOK[:30], headers: map[string]string{"retry-after": "4"}},
			Error{Message: `unreadable response body: unexpected end of JSON input (body starts "{\"id\":\"msg_1\",\"type\":\"message\"")`, Retryable: true, RetryAfter: 4 * time.Second}, Unknown},

		// Not worth retrying.
		{"400", plain, canned{status: 400, body: anthropicError("invalid_request_error", "max_tokens: Field required")},
			Error{Status: 400, Message: "max_tokens: Field required", Code: "invalid_request_error"}, Unknown},
		{"400 credits", plain, canned{status: 400, body: anthropicError("invalid_request_error", "Your credit balance is too low to access the Anthropic API.")},
			Error{Status: 400, Message: "Your credit balance is too low to access the Anthropic API.", Code: "invalid_request_error"},
			OutOfQuota},
		{"401 echoes the key", plain, canned{status: 401, body: anthropicError("authentication_error", "invalid x-api-key "+fakeKey)},
			Error{Status: 401, Message: "invalid x-api-key [redacted]", Code: "authentication_error"}, BadKey},
		{"403", plain, canned{status: 403, body: anthropicError("permission_error", "no access")},
			Error{Status: 403, Message: "no access", Code: "permission_error"}, Forbidden},
		{"404", plain, canned{status: 404, body: anthropicError("not_found_error", "model: claude-9")},
			Error{Status: 404, Message: "model: claude-9", Code: "not_found_error"}, NotFound},
		{"413", plain, canned{status: 413, body: anthropicError("request_too_large", "Request exceeds the maximum allowed number of bytes.")},
			Error{Status: 413, Message: "Request exceeds the maximum allowed number of bytes.", Code: "request_too_large"},
			TooLarge},

		// Worth retrying.
		{"429 with retry-after and limits", plain, canned{status: 429, body: anthropicError("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
			headers: map[string]string{"retry-after": "7", "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-reset": "2026-11-22T10:00:07Z"}},
			Error{Status: 429, Message: "Number of request tokens has exceeded your per-minute rate limit", Code: "rate_limit_error", Retryable: true, RetryAfter: 7 * time.Second,
				Limits: Limits{LimitRequests: 50, HasRemaining: true, ResetRequests: 7 * time.Second}},
			RateLimited},
		{"500", plain, canned{status: 500, body: anthropicError("api_error", "Internal server error")},
			Error{Status: 500, Message: "Internal server error", Code: "api_error", Retryable: true}, Unknown},
		{"529 overloaded", plain, canned{status: 529, body: anthropicError("overloaded_error", "Overloaded"), headers: map[string]string{"retry-after": "1"}},
			Error{Status: 529, Message: "Overloaded", Code: "overloaded_error", Retryable: true, RetryAfter: time.Second},
			Overloaded},
		{"x-should-retry false", plain, canned{status: 529, body: anthropicError("overloaded_error", "Overloaded"), headers: map[string]string{"x-should-retry": "false"}},
			Error{Status: 529, Message: "Overloaded", Code: "overloaded_error"}, Overloaded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := completeAnthropic(t, tt.in, tt.req)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got error %v (%T), want *Error", err, err)
			}
			tt.want.Provider = anthropicName
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if Retryable(err) != tt.want.Retryable {
				t.Errorf("Retryable = %v, want %v", Retryable(err), tt.want.Retryable)
			}
			if p := Diagnose(err); p != tt.problem {
				t.Errorf("Diagnose = %v, want %v", p, tt.problem)
			}
			if s := err.Error(); strings.Contains(s, fakeKey) {
				t.Errorf("the API key leaked: %s", s)
			}
		})
	}
}

// TestAnthropicTransportErrors: below HTTP the client fails as OpenAI's
// does, without the key, and a hanging server gives way to ctx.
func TestAnthropicTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	defer srv.CloseClientConnections()
	for _, base := range []string{refusedURL(t), srv.URL} {
		c, err := NewAnthropic(AnthropicOptions{BaseURL: base, APIKey: fakeKey})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err = c.Complete(ctx, Request{Model: "m", Prompt: "p"})
		cancel()
		var e *Error
		if err == nil || errors.As(err, &e) || !Retryable(err) {
			t.Errorf("%s: got %v, want a retryable transport error", base, err)
		}
		if err != nil && strings.Contains(err.Error(), fakeKey) {
			t.Errorf("%s: the API key leaked: %v", base, err)
		}
	}
}
