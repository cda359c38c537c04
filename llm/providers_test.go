package llm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		want      string // the client's type
		endpoint  string
		wantError string
	}{
		{"default is openai", Options{APIKey: "k"}, "*llm.OpenAI", "https://api.openai.com/v1/chat/completions", ""},
		{"openai", Options{Provider: "openai", BaseURL: "http://localhost:11434/v1"}, "*llm.OpenAI", "http://localhost:11434/v1/chat/completions", ""},
		{"openai's own host needs a key", Options{Provider: "openai"}, "", "", "an API key is required for openai"},
		{"as does its full URL", Options{BaseURL: "https://API.openai.com/v1"}, "", "", "an API key is required for openai"},
		{"anthropic", Options{Provider: "anthropic", APIKey: "k"}, "*llm.Anthropic", "https://api.anthropic.com/v1/messages", ""},
		{"anthropic base", Options{Provider: "anthropic", APIKey: "k", BaseURL: "http://h/"}, "*llm.Anthropic", "http://h/v1/messages", ""},
		{"mock ignores the rest", Options{Provider: "mock", BaseURL: "::", MaxConns: -1}, "llm.Mock", "", ""},
		{"anthropic without a key", Options{Provider: "anthropic"}, "", "", "an API key is required for anthropic"},
		{"anthropic proxy without a key", Options{Provider: "anthropic", BaseURL: "http://localhost:4000"}, "", "", "an API key is required for anthropic"},
		{"openai bad base", Options{Provider: "openai", BaseURL: "ftp://h"}, "", "", `base URL "ftp://h" is not an http(s) URL`},
		{"negative conns", Options{Provider: "anthropic", APIKey: "k", MaxConns: -2}, "", "", "max conns -2 is negative"},
		{"unknown", Options{Provider: "gemini"}, "", "", `provider "gemini" not found (known: openai, anthropic, mock)`},
		{"names are exact", Options{Provider: "OpenAI"}, "", "", `provider "OpenAI" not found (known: openai, anthropic, mock)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if tt.wantError != "" {
				if err == nil || err.Error() != tt.wantError {
					t.Fatalf("got error %v, want %q", err, tt.wantError)
				}
				if c != nil {
					t.Errorf("got client %#v with the error, want a nil interface", c)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := reflect.TypeOf(c).String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if e, ok := c.(interface{ Endpoint() string }); ok && e.Endpoint() != tt.endpoint {
				t.Errorf("got endpoint %q, want %q", e.Endpoint(), tt.endpoint)
			}
			if e, ok := c.(interface{ Endpoint() string }); ok && !strings.HasSuffix(e.Endpoint(), "/"+EndpointPath(tt.opts.Provider)) {
				t.Errorf("endpoint %q does not end in EndpointPath %q", e.Endpoint(), EndpointPath(tt.opts.Provider))
			}
		})
	}
}

// TestNewPassesOptions: the key, pool and HTTP client reach the client.
func TestNewPassesOptions(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got = r.Header
		io.WriteString(w, anthropicOK)
	}))
	defer srv.Close()
	hc := srv.Client()
	c, err := New(Options{Provider: "anthropic", BaseURL: srv.URL, APIKey: "k1", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if c.(*Anthropic).http != hc {
		t.Errorf("the HTTP client was not used as given")
	}
	if _, err := c.Complete(context.Background(), Request{Model: "m", Prompt: "p"}); err != nil {
		t.Fatal(err)
	}
	if got.Get("X-Api-Key") != "k1" {
		t.Errorf("got x-api-key %q, want k1", got.Get("X-Api-Key"))
	}

	o, err := New(Options{APIKey: "k2", MaxConns: 7})
	if err != nil {
		t.Fatal(err)
	}
	if tr := o.(*OpenAI).http.Transport.(*http.Transport); tr.MaxIdleConnsPerHost != 7 {
		t.Errorf("got MaxIdleConnsPerHost %d, want 7", tr.MaxIdleConnsPerHost)
	}
	if auth := o.(*OpenAI).header.Get("Authorization"); auth != "Bearer k2" {
		t.Errorf("got Authorization %q, want Bearer k2", auth)
	}
}

// TestNewKeyError: the refusal carries the facts a CLI words its advice
// from, whichever constructor made it.
func TestNewKeyError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want KeyError
	}{
		{"openai", errorOf(New(Options{})), KeyError{Provider: "openai", Env: "OPENAI_API_KEY"}},
		{"anthropic", errorOf(New(Options{Provider: "anthropic"})), KeyError{Provider: "anthropic", Env: "ANTHROPIC_API_KEY"}},
		{"NewAnthropic", errorOf(NewAnthropic(AnthropicOptions{})), KeyError{Provider: "anthropic", Env: "ANTHROPIC_API_KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e *KeyError
			if !errors.As(tt.err, &e) || *e != tt.want || !errors.Is(tt.err, ErrNoKey) {
				t.Errorf("got %#v, want %#v wrapping ErrNoKey", tt.err, tt.want)
			}
		})
	}
}

func errorOf[T any](_ T, err error) error { return err }

func TestProviderNames(t *testing.T) {
	if got, want := Providers(), []string{"openai", "anthropic", "mock"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Providers() = %q, want %q", got, want)
	}
	tests := []struct{ provider, key, base, path string }{
		{"openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "chat/completions"},
		{"", "OPENAI_API_KEY", "OPENAI_BASE_URL", "chat/completions"},
		{"anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "v1/messages"},
		{"mock", "", "", ""},
		{"gemini", "", "", ""},
	}
	for _, tt := range tests {
		if got := KeyEnv(tt.provider); got != tt.key {
			t.Errorf("KeyEnv(%q) = %q, want %q", tt.provider, got, tt.key)
		}
		if got := BaseURLEnv(tt.provider); got != tt.base {
			t.Errorf("BaseURLEnv(%q) = %q, want %q", tt.provider, got, tt.base)
		}
		if got := EndpointPath(tt.provider); got != tt.path {
			t.Errorf("EndpointPath(%q) = %q, want %q", tt.provider, got, tt.path)
		}
	}
}
