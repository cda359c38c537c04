package cli

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// closedPort is a loopback URL where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

// A server that refuses every connection is a fatal error within about
// ten seconds, however many rows: exit 1, no OUTPUT, one error line that
// names the URL, and a hint.
func TestUnreachableServerStopsWithinTheBound(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("id\n")
	for i := range 2000 {
		b.WriteString(strings.Repeat("x", i%7) + "\n")
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	url := closedPort(t)
	start := time.Now()
	r := enrich(t, nil, "", in, "-o", out, "-p", "{{.id}}", "--base-url", url, "--no-cache")
	took := time.Since(start)
	if r.code != exitFatal {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if took > 20*time.Second {
		t.Errorf("took %s to give up on a closed port", took)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("OUTPUT was written")
	}
	var errs, hints []string
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, "enrich: error: ") {
			errs = append(errs, line)
		}
		if strings.HasPrefix(line, "enrich: hint: ") {
			hints = append(hints, line)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], strings.TrimSuffix(url, "/v1")) {
		t.Errorf("error lines %q, want one naming %s", errs, url)
	}
	if len(hints) == 0 || !strings.Contains(hints[0], "--base-url") {
		t.Errorf("hints %q, want one about --base-url", hints)
	}
}

// A one-row trial with a wrong key hears the key's hint at once, not
// after ten refusals.
func TestFirstRefusalShowsItsHint(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Status401 }})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", "{{.name}}", "--limit", "1")
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "enrich: warning: status 401") || !strings.Contains(r.stderr, "enrich: hint: check OPENAI_API_KEY") {
		t.Errorf("no warning with the key's hint:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "error column of "+out) {
		t.Errorf("the failed rows are not placed in OUTPUT:\n%s", r.stderr)
	}
}

// With --log-format json every line on stderr is JSON: errors, hints,
// warnings and the summary too.
func TestJSONLogIsAllJSON(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Status401 }})
	out := filepath.Join(t.TempDir(), "out.csv")
	for i, args := range [][]string{
		{"examples/products.csv", "-o", out, "-p", "{{.name}}", "--log-format", "json"},
		{"examples/products.csv", "-o", out, "-p", "{{.nope}}", "--log-format", "json"},
	} {
		r := enrich(t, p, "", args...)
		if !strings.Contains(r.stderr, `"level":"ERROR"`) && !strings.Contains(r.stderr, `"level":"WARN"`) {
			t.Errorf("%v: no error or warning line:\n%s", args, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		for _, line := range lines {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Errorf("%v: a line that is not JSON: %q", args, line)
			}
		}
		if i == 0 && !strings.Contains(r.stderr, `"hint":`) {
			t.Errorf("%v: no hint in the JSON lines:\n%s", args, r.stderr)
		}
	}
}
