package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// longKey is as long as an OpenAI legacy key (51 characters).
const longKey = "sk-hostile-0123456789abcdefghijklmnopqrstuvwxyzABCD"

// echoed is what a careless server makes of a request's credentials: the
// header as sent, whichever provider's it is.
func echoed(r *http.Request) string {
	if k := r.Header.Get("X-Api-Key"); k != "" {
		return "x-api-key: " + k
	}
	return "Authorization: " + r.Header.Get("Authorization")
}

// leaks reports the first place where s holds KeyLeakLen or more of key's
// leading characters.
func leaks(s, key string) bool {
	return len(key) >= KeyLeakLen && strings.Contains(s, key[:KeyLeakLen])
}

// Item 1 of issue 13: a server that puts the key into a 200 answer must
// not get it into the answer, and so into OUTPUT or the journal.
func TestKeyEchoedInAnAnswerIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		text := "you sent " + echoed(r) + " and Bearer " + longKey[:20] + "…"
		if strings.Contains(r.URL.Path, "messages") {
			b, _ := json.Marshal(map[string]any{"type": "message", "stop_reason": "end_turn",
				"content": []map[string]string{{"type": "text", "text": text}}})
			w.Write(b)
			return
		}
		b, _ := json.Marshal(map[string]any{"choices": []map[string]any{{"message": map[string]string{"content": text}, "finish_reason": "stop"}}})
		w.Write(b)
	}))
	defer srv.Close()
	openai, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL, APIKey: longKey})
	if err != nil {
		t.Fatal(err)
	}
	anthropic, err := NewAnthropic(AnthropicOptions{BaseURL: srv.URL, APIKey: longKey})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Client{"openai": openai, "anthropic": anthropic} {
		t.Run(name, func(t *testing.T) {
			resp, err := c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
			if err != nil {
				t.Fatal(err)
			}
			if leaks(resp.Text, longKey) {
				t.Errorf("the answer holds the key: %q", resp.Text)
			}
			if !strings.Contains(resp.Text, "[redacted]") {
				t.Errorf("the answer does not say what was redacted: %q", resp.Text)
			}
		})
	}
}

// Item 2 of issue 13: messages are cut (a body's first 60 bytes, a
// message's first 500, a title's 200); a cut inside an echoed key must
// not leave its beginning behind.
func TestKeyCutInASnippetIsRedacted(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   func(echo string) string
	}{
		// "unreadable response body: … (body starts %q)": 60 bytes, the
		// key starting 30 bytes in.
		{"snippet of a broken 200", 200, func(echo string) string { return "<html>" + strings.Repeat("x", 24) + echo }},
		{"message cut at 500", 400, func(echo string) string {
			m, _ := json.Marshal(strings.Repeat("y", 480) + echo)
			return `{"error":{"message":` + string(m) + `}}`
		}},
		{"text body cut at 200", 502, func(echo string) string { return strings.Repeat("z ", 90) + echo }},
		{"a server that cut the key itself", 401, func(echo string) string {
			return `{"error":"bad key ` + echo[:len(echo)-30] + `"}`
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body(r.Header.Get("Authorization")))
			}))
			defer srv.Close()
			c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL, APIKey: longKey})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
			if err == nil {
				t.Fatal("no error")
			}
			if leaks(err.Error(), longKey) {
				t.Errorf("the error holds the key's first %d characters or more: %q", KeyLeakLen, err)
			}
		})
	}
}

func TestRedactorText(t *testing.T) {
	const key = "sk-abcdefghijkl"
	tests := []struct {
		name, key, in, want string
	}{
		{"whole key", key, "k=" + key + ".", "k=[redacted]."},
		{"bearer form", key, "Authorization: Bearer " + key, "Authorization: Bearer [redacted]"},
		{"prefix at a cut", key, "k=sk-abcde…", "k=[redacted]…"},
		{"prefix too short to matter", key, "k=sk-abcd", "k=sk-abcd"},
		{"twice, back to back", key, key + key, "[redacted][redacted]"},
		{"longer than the key", key, key + "mno", "[redacted]mno"},
		{"short key, exact only", "ollama", "ollama says ollam", "[redacted] says ollam"},
		{"a key the marker would rebuild", "[redacted]-0123", "[redacted]-01", "<redacted>"},
		{"no key", "", "anything", "anything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newRedactor(tt.key).text(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := newRedactor("x").answer("x marks the spot"); got != "x marks the spot" {
		t.Errorf("a placeholder key is taken out of answers: got %q", got)
	}
}

// keyAlphabet is what API keys are made of.
const keyAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

// FuzzRedaction serves bodies that echo a random key, whole or cut at a
// random point, at a random place in every kind of body both clients
// read, and checks that no run of KeyLeakLen or more of its first
// characters reaches an answer or an error.
func FuzzRedaction(f *testing.F) {
	f.Add([]byte("hostile-0123456789abcdefghijklmnopqrstuvwxyzABCDE"), 40, 30, uint8(0), "filler")
	f.Add([]byte("0123456789"), 9, 55, uint8(1), "<html>")
	f.Add([]byte("sk-proj-abcdef"), 8, 480, uint8(2), "")
	f.Add([]byte("aaaaaaaaaaaaaaaa"), 16, 0, uint8(3), "aaaaaaa")
	f.Add([]byte("sk-ant-api03-xyz"), 12, 190, uint8(4), " spaced  out\t")
	f.Fuzz(func(t *testing.T, seed []byte, cut, at int, kind uint8, filler string) {
		if len(seed) < KeyLeakLen || len(seed) > 200 || len(filler) > 2000 {
			return
		}
		key := make([]byte, len(seed))
		for i, b := range seed {
			key[i] = keyAlphabet[int(b)%len(keyAlphabet)]
		}
		k := string(key)
		if cut < 0 {
			cut = -cut
		}
		echo := k[:cut%(len(k)+1)]
		pad := strings.Repeat("x", max(at, 0)%600)
		text := pad + filler + echo + filler
		status, body := hostileBody(kind%8, text)
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		})}
		var c Client
		var err error
		if kind%2 == 0 {
			c, err = NewOpenAI(OpenAIOptions{APIKey: k, HTTPClient: hc})
		} else {
			c, err = NewAnthropic(AnthropicOptions{APIKey: k, HTTPClient: hc})
		}
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
		got := resp.Text + "\x00" + resp.FinishReason
		if err != nil {
			got += "\x00" + err.Error()
		}
		if leaks(got, k) {
			t.Errorf("key %q, body %q: %q leaks %q", k, body, got, k[:KeyLeakLen])
		}
	})
}

// hostileBody puts text where each kind of answer carries text: an
// answer, a refusal, an unreadable body, an error object and a text error.
func hostileBody(kind uint8, text string) (int, string) {
	q, _ := json.Marshal(text)
	s := string(q)
	switch kind {
	case 0:
		return 200, `{"choices":[{"message":{"content":` + s + `},"finish_reason":` + s + `}]}`
	case 1:
		return 200, `{"type":"message","content":[{"type":"text","text":` + s + `}],"stop_reason":"refusal"}`
	case 2:
		return 200, `{"choices":[{"message":{"content":null,"refusal":` + s + `}}]}`
	case 3:
		return 200, `{"type":"message","content":[{"type":"text","text":` + s + `}],"stop_reason":` + s + `}`
	case 4:
		return 200, text // unreadable: quoted as a snippet
	case 5:
		return 429, `{"type":"error","error":{"type":` + s + `,"message":` + s + `}}`
	case 6:
		return 500, `<html><title>` + text + `</title></html>`
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"detail":[%s,%s]}`, s, s)
	return 422, b.String()
}
