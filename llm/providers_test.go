package llm

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
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
		{"default is openai", Options{}, "*llm.OpenAI", "https://api.openai.com/v1/chat/completions", ""},
		{"openai", Options{Provider: "openai", BaseURL: "http://localhost:11434/v1"}, "*llm.OpenAI", "http://localhost:11434/v1/chat/completions", ""},
		{"anthropic", Options{Provider: "anthropic", APIKey: "k"}, "*llm.Anthropic", "https://api.anthropic.com/v1/messages", ""},
		{"anthropic base", Options{Provider: "anthropic", APIKey: "k", BaseURL: "http://h/"}, "*llm.Anthropic", "http://h/v1/messages", ""},
		{"mock ignores the rest", Options{Provider: "mock", BaseURL: "::", MaxConns: -1}, "llm.Mock", "", ""},
		{"anthropic without a key", Options{Provider: "anthropic"}, "", "", "an Anthropic API key is required"},
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

func TestProviderNames(t *testing.T) {
	if got, want := Providers(), []string{"openai", "anthropic", "mock"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Providers() = %q, want %q", got, want)
	}
	tests := []struct{ provider, key, base string }{
		{"openai", "OPENAI_API_KEY", "OPENAI_BASE_URL"},
		{"", "OPENAI_API_KEY", "OPENAI_BASE_URL"},
		{"anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"},
		{"mock", "", ""},
		{"gemini", "", ""},
	}
	for _, tt := range tests {
		if got := KeyEnv(tt.provider); got != tt.key {
			t.Errorf("KeyEnv(%q) = %q, want %q", tt.provider, got, tt.key)
		}
		if got := BaseURLEnv(tt.provider); got != tt.base {
			t.Errorf("BaseURLEnv(%q) = %q, want %q", tt.provider, got, tt.base)
		}
	}
}
