package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/llm"
)

// hostileKey is as long as an OpenAI legacy key (51 characters).
const hostileKey = "sk-hostile-0123456789abcdefghijklmnopqrstuvwxyzABCD"

// escapes are what a hostile provider sends to a terminal: OSC "set
// title", "clear screen", a colour, a carriage return that writes over
// the line, and a one-byte C1 CSI.
const escapes = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\r\u009b6n"

// hostileServer is an OpenAI-compatible server that does what a careless
// or hostile one might, by prompt: "echo" answers with the Authorization
// header it got; "snippet" sends it in a broken 200 whose first 60 bytes
// are quoted, cut inside the key; "long" in an error message cut at 500
// bytes, inside the key; "escape" sends terminal escapes in an error;
// "refuse" refuses the key (401) with escapes and the key.
func hostileServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		prompt := ""
		if len(req.Messages) > 0 {
			prompt = req.Messages[len(req.Messages)-1].Content
		}
		auth := r.Header.Get("Authorization")
		errorBody := func(status int, msg string) {
			b, _ := json.Marshal(map[string]any{"error": map[string]string{"message": msg}})
			w.WriteHeader(status)
			w.Write(b)
		}
		switch prompt {
		case "echo":
			b, _ := json.Marshal(map[string]any{"choices": []map[string]any{{
				"message": map[string]string{"content": "you sent " + auth}, "finish_reason": "stop"}}})
			w.Write(b)
		case "snippet":
			io.WriteString(w, "<html>"+strings.Repeat("x", 24)+auth)
		case "long":
			errorBody(400, strings.Repeat("y", 480)+auth)
		case "escape":
			errorBody(400, "bad request "+escapes)
		case "refuse":
			errorBody(401, "invalid key "+auth+" "+escapes)
		default:
			errorBody(404, "unknown prompt")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runWithKey runs the command in-process with key as OPENAI_API_KEY and
// its journals under a fresh cache folder, which it returns.
func runWithKey(t *testing.T, key, stdin string, args ...string) (cli, string) {
	t.Helper()
	cache := t.TempDir()
	t.Setenv("OPENAI_API_KEY", key)
	t.Setenv("OPENAI_BASE_URL", "")
	t.Setenv("XDG_CACHE_HOME", cache)
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return cli{code, out.String(), errb.String()}, cache
}

// noKeyIn fails the test where what holds KeyLeakLen or more of key's
// first characters.
func noKeyIn(t *testing.T, what, s, key string) {
	t.Helper()
	if strings.Contains(s, key[:llm.KeyLeakLen]) {
		t.Errorf("%s holds the key's first %d characters or more:\n%s", what, llm.KeyLeakLen, s)
	}
}

// noKeyInFiles checks every file under dir.
func noKeyInFiles(t *testing.T, dir, key string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			noKeyIn(t, path, string(b), key)
		}
		return nil
	})
}

// Items 1 and 2 of issue 13: a key the server echoes, whole or cut short,
// reaches neither OUTPUT, standard output, standard error nor the
// journal.
func TestKeyEchoedByTheServerReachesNoOutput(t *testing.T) {
	srv := hostileServer(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("p\necho\nsnippet\nlong\n"), 0o644)
	for _, output := range []string{filepath.Join(dir, "out.csv"), "-"} {
		t.Run(output, func(t *testing.T) {
			r, cache := runWithKey(t, hostileKey, "", in, "-o", output, "-p", "{{.p}}", "-j", "1", "--retries", "0", "--base-url", srv.URL)
			if r.code != exitRowsFailed {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitRowsFailed, r.stderr)
			}
			noKeyIn(t, "stdout", r.stdout, hostileKey)
			noKeyIn(t, "stderr", r.stderr, hostileKey)
			noKeyInFiles(t, cache, hostileKey)
			noKeyInFiles(t, dir, hostileKey)
			got := r.stdout
			if output != "-" {
				b, _ := os.ReadFile(output)
				got = string(b)
			}
			if !strings.Contains(got, "you sent Bearer [redacted]") {
				t.Errorf("the echoed answer is not kept, redacted:\n%s", got)
			}
		})
	}
}

// hasControl reports whether s holds a control character a terminal
// obeys: all but tab and line feed, and C1.
func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return true
		}
	}
	return false
}

// Item 4 of issue 13: escape sequences in a provider's message are shown,
// not obeyed, whether the message is a row's error in the summary or the
// fatal error that stops the run.
func TestProviderEscapesDoNotReachTheTerminal(t *testing.T) {
	srv := hostileServer(t)
	dir := t.TempDir()
	rowErr := filepath.Join(dir, "escape.csv")
	os.WriteFile(rowErr, []byte("p\nescape\n"), 0o644)
	refused := filepath.Join(dir, "refuse.csv")
	os.WriteFile(refused, []byte("p\n"+strings.Repeat("refuse\n", 12)), 0o644)
	tests := []struct {
		name string
		in   string
		code int
	}{
		{"a row's error in the summary", rowErr, exitRowsFailed},
		{"the fatal error", refused, exitFatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := runWithKey(t, hostileKey, "", tt.in, "-o", filepath.Join(dir, "out.csv"), "-p", "{{.p}}", "-j", "1", "--retries", "0", "--no-dedupe", "--base-url", srv.URL)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%q", r.code, tt.code, r.stderr)
			}
			if hasControl(r.stderr) {
				t.Errorf("stderr holds control characters:\n%q", r.stderr)
			}
			if !strings.Contains(r.stderr, `\x1b]0;pwned\x07\x1b[2J`) || !strings.Contains(r.stderr, `\u009b6n`) {
				t.Errorf("stderr does not show the escapes it was sent:\n%q", r.stderr)
			}
			noKeyIn(t, "stderr", r.stderr, hostileKey)
		})
	}
}

func TestSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, tabs\tand\nlines", "plain text, tabs\tand\nlines"},
		{"crlf\r\nkept", "crlf\r\nkept"},
		{"bare\rcr", `bare\x0dcr`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"bell\x07", `bell\x07`},
		{"c1 \u009b", `c1 \u009b`},
		{"rtl \u202eevil", `rtl \u202eevil`},
		{"bad \xff byte", `bad \xff byte`},
		{"café ✓", "café ✓"},
	}
	for _, tt := range tests {
		if got := safe(tt.in); got != tt.want {
			t.Errorf("safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
