package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// Valid but unusual inputs, and what enrich does with them.
func TestEdgeInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(data), 0o644)
		return p
	}
	p := fakeprovider.New(fakeprovider.Options{})

	// A header-only input is valid: the header plus the new columns.
	out := filepath.Join(dir, "h.out.csv")
	r := enrich(t, p, "", write("h.csv", "a,b\n"), "-o", out, "-p", "{{.a}}")
	b, _ := os.ReadFile(out)
	if r.code != exitOK || string(b) != "a,b,response,response_error\n" || p.Requests() != 0 {
		t.Errorf("header only: exit %d, output %q", r.code, b)
	}

	// Duplicate and empty header names stay as they are in the output and
	// are addressed as name_2 and column_N in templates; short rows are
	// padded; blank lines are skipped.
	out = filepath.Join(dir, "d.out.csv")
	r = enrich(t, p, "", write("d.csv", "x,x,\n1,2,3\n\n4\n"), "-o", out, "-p", "{{.x}}|{{.x_2}}|{{.column_3}}")
	b, _ = os.ReadFile(out)
	want := "x,x,,response,response_error\n1,2,3,echo: 1|2|3,\n4,,,echo: 4||,\n"
	if r.code != exitOK || string(b) != want {
		t.Errorf("duplicates: exit %d, output\n%s\nwant\n%s\nstderr %s", r.code, b, want, r.stderr)
	}

	// A 10 MB cell goes through whole.
	big := strings.Repeat("y", 10<<20)
	out = filepath.Join(dir, "big.out.jsonl")
	r = enrich(t, p, "", write("big.csv", "a\n"+big+"\n"), "-o", out, "-p", "{{len .a}}")
	b, _ = os.ReadFile(out)
	if r.code != exitOK || !bytes.Contains(b, []byte(big)) || !bytes.Contains(b, []byte(`"response":"echo: 10485760"`)) {
		t.Errorf("10 MB cell: exit %d, %d bytes out, stderr %s", r.code, len(b), r.stderr)
	}
}
