package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// roundTripFunc lets a test answer requests without a network, e.g. to
// pretend to be api.openai.com.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewOpenAI(t *testing.T) {
	tests := []struct {
		name      string
		opts      OpenAIOptions
		endpoint  string
		field     string
		wantError string
	}{
		{"default", OpenAIOptions{}, "https://api.openai.com/v1/chat/completions", MaxCompletionTokensField, ""},
		{"openai host any case", OpenAIOptions{BaseURL: "https://API.OpenAI.com/v1/"}, "https://API.OpenAI.com/v1/chat/completions", MaxCompletionTokensField, ""},
		{"trailing slash", OpenAIOptions{BaseURL: "http://localhost:11434/v1/"}, "http://localhost:11434/v1/chat/completions", MaxTokensField, ""},
		{"no slash", OpenAIOptions{BaseURL: "http://localhost:11434/v1"}, "http://localhost:11434/v1/chat/completions", MaxTokensField, ""},
		{"bare host", OpenAIOptions{BaseURL: "http://127.0.0.1:8000"}, "http://127.0.0.1:8000/chat/completions", MaxTokensField, ""},
		{"bare host slash", OpenAIOptions{BaseURL: "http://127.0.0.1:8000/"}, "http://127.0.0.1:8000/chat/completions", MaxTokensField, ""},
		{"query kept", OpenAIOptions{BaseURL: "https://x.openai.azure.com/openai/v1?api-version=preview"}, "https://x.openai.azure.com/openai/v1/chat/completions?api-version=preview", MaxTokensField, ""},
		{"override on openai", OpenAIOptions{MaxTokensField: MaxTokensField}, "https://api.openai.com/v1/chat/completions", MaxTokensField, ""},
		{"override elsewhere", OpenAIOptions{BaseURL: "http://h/v1", MaxTokensField: MaxCompletionTokensField}, "http://h/v1/chat/completions", MaxCompletionTokensField, ""},
		{"ftp", OpenAIOptions{BaseURL: "ftp://h/v1"}, "", "", `base URL "ftp://h/v1" is not an http(s) URL`},
		{"no scheme", OpenAIOptions{BaseURL: "localhost:8080/v1"}, "", "", `base URL "localhost:8080/v1" is not an http(s) URL`},
		{"relative", OpenAIOptions{BaseURL: "/v1"}, "", "", `base URL "/v1" is not an http(s) URL`},
		{"no host", OpenAIOptions{BaseURL: "http:///v1"}, "", "", `base URL "http:///v1" is not an http(s) URL`},
		{"bad escape", OpenAIOptions{BaseURL: "http://h/%zz"}, "", "", `base URL "http://h/%zz" is not an http(s) URL`},
		{"password hidden", OpenAIOptions{BaseURL: "ftp://u:hunter2@h/"}, "", "", `base URL "ftp://u:xxxxx@h/" is not an http(s) URL`},
		{"bad field", OpenAIOptions{MaxTokensField: "max_output_tokens"}, "", "", `max tokens field "max_output_tokens" is neither "max_tokens" nor "max_completion_tokens"`},
		{"negative conns", OpenAIOptions{MaxConns: -1}, "", "", "max conns -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewOpenAI(tt.opts)
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
			if c.maxTokensField != tt.field {
				t.Errorf("got field %q, want %q", c.maxTokensField, tt.field)
			}
		})
	}
}

func TestDefaultTransport(t *testing.T) {
	for _, tt := range []struct{ conns, want int }{{0, DefaultMaxConns}, {8, 8}, {500, 500}} {
		c, err := NewOpenAI(OpenAIOptions{MaxConns: tt.conns})
		if err != nil {
			t.Fatal(err)
		}
		tr := c.http.Transport.(*http.Transport)
		if tr.MaxIdleConnsPerHost != tt.want || tr.MaxIdleConns < tt.want || tr.MaxConnsPerHost != 0 {
			t.Errorf("MaxConns %d: got idle/host %d, idle %d, conns/host %d; want %d, >= %d, 0",
				tt.conns, tr.MaxIdleConnsPerHost, tr.MaxIdleConns, tr.MaxConnsPerHost, tt.want, tt.want)
		}
		if c.http.Timeout != 0 || tr.Proxy == nil {
			t.Errorf("got Timeout %v, Proxy set %v; want 0 and the default's proxy", c.http.Timeout, tr.Proxy != nil)
		}
	}
}

func TestWireFormat(t *testing.T) {
	tests := []struct {
		name     string
		base     string // appended to the server URL
		key      string
		field    string
		req      Request
		wantPath string
		wantBody string
	}{
		{"minimal", "", "", "", Request{Model: "m", Prompt: "p"},
			"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}]}`},
		{"slash", "/", "", "", Request{Model: "m", Prompt: "p"},
			"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}]}`},
		{"prefix", "/v1", "k", "", Request{Model: "m", Prompt: "p"},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}]}`},
		{"prefix slash", "/api/v1/", "k", "", Request{Model: "m", Prompt: "p"},
			"/api/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}]}`},
		{"system", "/v1", "", "", Request{Model: "m", System: "be brief", Prompt: "p"},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"p"}]}`},
		{"temperature zero is sent", "/v1", "", "", Request{Model: "m", Prompt: "p", Temperature: ptr(0.0)},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}],"temperature":0}`},
		{"temperature", "/v1", "", "", Request{Model: "m", Prompt: "p", Temperature: ptr(0.7)},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}],"temperature":0.7}`},
		{"max tokens local", "/v1", "", "", Request{Model: "m", Prompt: "p", MaxTokens: 100},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}],"max_tokens":100}`},
		{"max completion tokens override", "/v1", "", MaxCompletionTokensField, Request{Model: "m", Prompt: "p", MaxTokens: 100},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}],"max_completion_tokens":100}`},
		{"negative max tokens omitted", "/v1", "", "", Request{Model: "m", Prompt: "p", MaxTokens: -5},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}]}`},
		{"everything", "/v1", "k", "", Request{Model: "m", System: "s", Prompt: "<p> & \"q\"", MaxTokens: 9, Temperature: ptr(1.0)},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"\u003cp\u003e \u0026 \"q\""}],"temperature":1,"max_tokens":9}`},
		{"schema", "/v1", "", "", Request{Model: "m", Prompt: "p", Schema: &Schema{Name: "label_row", JSON: json.RawMessage(schema), Strict: true}},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}],` +
				`"response_format":{"type":"json_schema","json_schema":{"name":"label_row","schema":` + schema + `,"strict":true}}}`},
		{"schema default name, compacted", "/v1", "", "", Request{Model: "m", Prompt: "p", MaxTokens: 5, Schema: &Schema{JSON: json.RawMessage("\n{ \"type\": \"object\" }\n")}},
			"/v1/chat/completions", `{"model":"m","messages":[{"role":"user","content":"p"}],"max_tokens":5,` +
				`"response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":false}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *http.Request
			var body []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, body = r, must(io.ReadAll(r.Body))
				io.WriteString(w, okBody)
			}))
			defer srv.Close()
			c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL + tt.base, APIKey: tt.key, MaxTokensField: tt.field})
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
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("got Content-Type %q, want application/json", ct)
			}
			wantAuth := ""
			if tt.key != "" {
				wantAuth = "Bearer " + tt.key
			}
			if auth, ok := got.Header["Authorization"]; strings.Join(auth, ",") != wantAuth || (tt.key == "" && ok) {
				t.Errorf("got Authorization %q, want %q", auth, wantAuth)
			}
			if string(body) != tt.wantBody {
				t.Errorf("got body\n%s\nwant\n%s", body, tt.wantBody)
			}
		})
	}
}

// TestSchemaErrors: a schema no provider would take fails before any
// request is sent, and is not worth retrying.
func TestSchemaErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request was sent: %s %s", r.Method, r.URL)
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	openai, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	anthropic, err := NewAnthropic(AnthropicOptions{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		schema Schema
		want   string
	}{
		{"no document", Schema{}, `schema "answer" is not valid JSON`},
		{"not JSON", Schema{Name: "x", JSON: json.RawMessage(`{"type":`)}, `schema "x" is not valid JSON`},
		{"not an object", Schema{JSON: json.RawMessage(` ["string"]`)}, `schema "answer" is not a JSON object`},
		{"name with a space", Schema{Name: "my answer", JSON: json.RawMessage(schema)}, `schema name "my answer" is not 1 to 64 letters, digits, '_' or '-'`},
		{"name too long", Schema{Name: strings.Repeat("a", 65), JSON: json.RawMessage(schema)}, `schema name "` + strings.Repeat("a", 65) + `" is not 1 to 64 letters, digits, '_' or '-'`},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			name   string
			client Client
		}{{"openai", openai}, {"anthropic", anthropic}, {"mock", Mock{}}} {
			t.Run(tt.name+"/"+c.name, func(t *testing.T) {
				_, err := c.client.Complete(context.Background(), Request{Model: "m", Prompt: "p", Schema: &tt.schema})
				if err == nil || err.Error() != tt.want {
					t.Errorf("got %v, want %q", err, tt.want)
				}
				if Retryable(err) {
					t.Errorf("got a retryable error, want a final one")
				}
			})
		}
	}
}

// TestOpenAIHostUsesMaxCompletionTokens pretends to be api.openai.com.
func TestOpenAIHostUsesMaxCompletionTokens(t *testing.T) {
	var url, body string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		url, body = r.URL.String(), string(must(io.ReadAll(r.Body)))
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(okBody))}, nil
	})
	c, err := NewOpenAI(OpenAIOptions{APIKey: "k", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Complete(context.Background(), Request{Model: "o3", Prompt: "p", MaxTokens: 7}); err != nil {
		t.Fatal(err)
	}
	const wantBody = `{"model":"o3","messages":[{"role":"user","content":"p"}],"max_completion_tokens":7}`
	if url != "https://api.openai.com/v1/chat/completions" || body != wantBody {
		t.Errorf("got %s %s, want https://api.openai.com/v1/chat/completions %s", url, body, wantBody)
	}
}

// TestConnectionReuse checks that workers keep their keep-alive connections,
// after errors too: the pipeline's throughput depends on it.
func TestConnectionReuse(t *testing.T) {
	const workers, perWorker = 8, 50
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch n.Add(1) % 4 {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":{"message":"boom"}}`)
		case 2:
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, strings.Repeat("x", 10<<10)) // longer than the message we keep
		default:
			io.WriteString(w, okBody)
		}
	}))
	var conns atomic.Int64
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL, MaxConns: workers})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
			}
		})
	}
	wg.Wait()
	// net/http may dial a spare while a connection is on its way back to
	// the pool, so allow some slack; churn would mean hundreds.
	if got := conns.Load(); got > 2*workers {
		t.Errorf("got %d connections for %d requests from %d workers, want at most %d", got, workers*perWorker, workers, 2*workers)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Item 10 of issue 13: a request that cannot be encoded is never sent,
// and says so, so that a caller does not count it.
func TestUnencodableRequestIsNotSent(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer srv.Close()
	nan := math.NaN()
	openai, _ := NewOpenAI(OpenAIOptions{BaseURL: srv.URL, APIKey: "k"})
	anthropic, _ := NewAnthropic(AnthropicOptions{BaseURL: srv.URL, APIKey: "k"})
	for name, c := range map[string]Client{"openai": openai, "anthropic": anthropic} {
		_, err := c.Complete(context.Background(), Request{Model: "m", Prompt: "p", Temperature: &nan})
		if !errors.Is(err, ErrNotSent) || !strings.Contains(err.Error(), "NaN") {
			t.Errorf("%s: got %v, want an encoding error wrapping ErrNotSent", name, err)
		}
	}
	if got.Load() != 0 {
		t.Errorf("the server got %d requests, want none", got.Load())
	}
}
