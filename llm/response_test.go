package llm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeKey is recognisable in any string it leaks into.
const fakeKey = "sk-test-DO-NOT-LEAK-4f1c2b9e"

type canned struct {
	status  int
	headers map[string]string
	body    string
}

// complete serves one canned answer and returns what Complete made of it.
func complete(t *testing.T, a canned) (Response, error) {
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
	c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL + "/v1", APIKey: fakeKey})
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC) }
	return c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
}

func choice(message string, finish string) string {
	return `{"choices":[{"index":0,"message":` + message + `,"finish_reason":` + finish + `}],"usage":{"prompt_tokens":11,"completion_tokens":3}}`
}

func TestResponses(t *testing.T) {
	tests := []struct {
		name string
		in   canned
		want Response
	}{
		{"normal", canned{body: okBody}, Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}}},
		{"array content", canned{body: choice(`{"role":"assistant","content":[{"type":"text","text":"a, "},{"type":"image_url","image_url":{}},{"type":"text","text":"b"}]}`, `"stop"`)},
			Response{Text: "a, b", FinishReason: "stop", Usage: Usage{11, 3}}},
		{"usage absent", canned{body: `{"choices":[{"message":{"content":"x"},"finish_reason":"stop"}]}`}, Response{Text: "x", FinishReason: "stop"}},
		{"usage null, odd types", canned{body: `{"choices":[{"message":{"content":"x"},"finish_reason":null}],"usage":{"prompt_tokens":"7","completion_tokens":2.0}}`},
			Response{Text: "x", Usage: Usage{7, 2}}},
		{"length is an answer", canned{body: choice(`{"content":"cut sh"}`, `"length"`)}, Response{Text: "cut sh", FinishReason: "length", Usage: Usage{11, 3}}},
		{"empty content is an answer", canned{body: choice(`{"content":""}`, `"stop"`)}, Response{FinishReason: "stop", Usage: Usage{11, 3}}},
		{"legacy text", canned{body: `{"choices":[{"text":"old","finish_reason":"stop"}]}`}, Response{Text: "old", FinishReason: "stop"}},
		{"ollama extra fields", canned{body: `{"model":"llama3","created_at":"2026","choices":[{"message":{"role":"assistant","content":"ok","reasoning_content":"hmm"},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`},
			Response{Text: "ok", FinishReason: "stop", Usage: Usage{1, 1}}},
		{"201", canned{status: 201, body: okBody}, Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}}},
		{"limits on success", canned{body: okBody, headers: map[string]string{
			"x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1m30.5s",
			"x-ratelimit-limit-tokens": "30000", "x-ratelimit-remaining-tokens": "29000", "x-ratelimit-reset-tokens": "120ms"}},
			Response{Text: "hi", FinishReason: "stop", Usage: Usage{5, 1}, Limits: Limits{
				LimitRequests: 500, HasRemaining: true, ResetRequests: 90500 * time.Millisecond,
				LimitTokens: 30000, RemainingTokens: 29000, HasRemainingTokens: true, ResetTokens: 120 * time.Millisecond}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := complete(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResponseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   canned
		want Error
	}{
		// 2xx without a usable answer.
		{"no choices", canned{body: `{"choices":[]}`}, Error{Message: "response has no choices"}},
		{"choices missing", canned{body: `{}`}, Error{Message: "response has no choices"}},
		{"content null", canned{body: choice(`{"role":"assistant","content":null}`, `"stop"`)}, Error{Message: "response has no content (finish_reason stop)"}},
		{"reasoning ate the cap", canned{body: choice(`{"content":null,"reasoning_content":"..."}`, `"length"`)}, Error{Message: "response has no content (finish_reason length)"}},
		{"no message", canned{body: `{"choices":[{"finish_reason":null}]}`}, Error{Message: "response has no content (finish_reason not given)"}},
		{"refusal", canned{body: choice(`{"content":null,"refusal":"I can't help with that."}`, `"stop"`)}, Error{Message: "model refused: I can't help with that.", Code: "refusal"}},
		{"refusal part", canned{body: choice(`{"content":[{"type":"refusal","refusal":"No."}]}`, `"stop"`)}, Error{Message: "model refused: No.", Code: "refusal"}},
		{"content filter", canned{body: choice(`{"content":null}`, `"content_filter"`)}, Error{Message: "answer withheld by the provider's content filter", Code: "content_filter"}},
		{"error in a 200", canned{body: `{"error":{"message":"upstream timed out","code":502}}`}, Error{Message: "provider error: upstream timed out", Code: "502", Retryable: true}},
		{"truncated", canned{body: okBody[:40]}, Error{Message: `unreadable response body: unexpected end of JSON input (body starts "{\"id\":\"chatcmpl-1\",\"object\":\"chat.comple")`, Retryable: true}},
		{"html", canned{body: "<html><body>Gateway</body></html>", headers: map[string]string{"Retry-After": "3"}},
			Error{Message: `unreadable response body: invalid character '<' looking for beginning of value (body starts "<html><body>Gateway</body></html>")`, Retryable: true, RetryAfter: 3 * time.Second}},
		{"empty 200", canned{body: ""}, Error{Message: `unreadable response body: unexpected end of JSON input (body starts "")`, Retryable: true}},

		// Not worth retrying.
		{"400", canned{status: 400, body: `{"error":{"message":"Unsupported parameter: 'max_tokens'","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}`},
			Error{Status: 400, Message: "Unsupported parameter: 'max_tokens'", Code: "unsupported_parameter"}},
		{"401 echoes the key", canned{status: 401, body: `{"error":{"message":"Incorrect API key provided: ` + fakeKey + `.","type":"invalid_request_error","code":"invalid_api_key"}}`},
			Error{Status: 401, Message: "Incorrect API key provided: [redacted].", Code: "invalid_api_key"}},
		{"403 text", canned{status: 403, body: "Forbidden: region\n  not   supported"}, Error{Status: 403, Message: "Forbidden: region not supported"}},
		{"404 ollama", canned{status: 404, body: `{"error":"model \"llama9\" not found, try pulling it first"}`}, Error{Status: 404, Message: `model "llama9" not found, try pulling it first`}},
		{"404 empty", canned{status: 404}, Error{Status: 404, Message: "Not Found"}},
		{"422 prism", canned{status: 422, body: `{"type":"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY","title":"Invalid request","status":422,"detail":"Your request is not valid.","validation":[{"location":["body"],"severity":"Error","code":"required","message":"must have required property 'messages'"}]}`},
			Error{Status: 422, Message: "Your request is not valid: body must have required property 'messages'", Code: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY"}},
		{"422 fastapi", canned{status: 422, body: `{"detail":[{"loc":["body","messages"],"msg":"field required"}]}`},
			Error{Status: 422, Message: `[{"loc":["body","messages"],"msg":"field required"}]`}},
		{"400 vllm", canned{status: 400, body: `{"object":"error","message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400}`},
			Error{Status: 400, Message: "This model's maximum context length is 4096 tokens.", Code: "400"}},
		{"429 out of credits", canned{status: 429, body: `{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}}`},
			Error{Status: 429, Message: "You exceeded your current quota.", Code: "insufficient_quota"}},
		{"x-should-retry false", canned{status: 500, headers: map[string]string{"x-should-retry": "false"}}, Error{Status: 500, Message: "Internal Server Error"}},

		// Worth retrying.
		{"408", canned{status: 408}, Error{Status: 408, Message: "Request Timeout", Retryable: true}},
		{"409", canned{status: 409, body: `{"message":"conflict"}`}, Error{Status: 409, Message: "conflict", Retryable: true}},
		{"429", canned{status: 429, body: `{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}`,
			headers: map[string]string{"Retry-After": "2", "retry-after-ms": "1500", "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"}},
			Error{Status: 429, Message: "Rate limit reached for requests", Code: "rate_limit_exceeded", Retryable: true, RetryAfter: 1500 * time.Millisecond,
				Limits: Limits{LimitRequests: 60, HasRemaining: true, ResetRequests: time.Second}}},
		{"500", canned{status: 500, body: `{"error":"llama runner process has terminated"}`}, Error{Status: 500, Message: "llama runner process has terminated", Retryable: true}},
		{"502 html", canned{status: 502, body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"}, Error{Status: 502, Message: "502 Bad Gateway", Retryable: true}},
		{"503 date", canned{status: 503, headers: map[string]string{"Retry-After": "Sun, 22 Nov 2026 10:00:30 GMT"}}, Error{Status: 503, Message: "Service Unavailable", Retryable: true, RetryAfter: 30 * time.Second}},
		{"504", canned{status: 504, body: "upstream request timeout"}, Error{Status: 504, Message: "upstream request timeout", Retryable: true}},
		{"529", canned{status: 529, body: `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`}, Error{Status: 529, Message: "Overloaded", Code: "overloaded_error", Retryable: true}},
		{"x-should-retry true", canned{status: 400, headers: map[string]string{"x-should-retry": "true"}}, Error{Status: 400, Message: "Bad Request", Retryable: true}},
		{"long body cut", canned{status: 500, body: strings.Repeat("é", 300)}, Error{Status: 500, Message: strings.Repeat("é", 100) + "…", Retryable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := complete(t, tt.in)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got error %v (%T), want *Error", err, err)
			}
			tt.want.Provider = openAIName
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if Retryable(err) != tt.want.Retryable {
				t.Errorf("Retryable = %v, want %v", Retryable(err), tt.want.Retryable)
			}
			if RetryAfter(err) != tt.want.RetryAfter {
				t.Errorf("RetryAfter = %v, want %v", RetryAfter(err), tt.want.RetryAfter)
			}
			if IsRateLimited(err) != (tt.want.Status == 429) {
				t.Errorf("IsRateLimited = %v for status %d", IsRateLimited(err), tt.want.Status)
			}
			if s := err.Error(); strings.Contains(s, fakeKey) {
				t.Errorf("the API key leaked: %s", s)
			}
		})
	}
}
