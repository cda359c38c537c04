package cli

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// Every bad input ends with a located enrich: error, no request sent and
// no OUTPUT (or temporary file) left behind.
func TestBadInputCases(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	f, _ := zw.Create("[Content_Types].xml")
	f.Write(bytes.Repeat([]byte("<Types/>"), 200))
	zw.Close()
	cfb := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)

	tests := []struct {
		name string
		in   string
		args []string
		want []string
	}{
		{"invalid utf-8", file("latin1.csv", []byte("name,city\nJos\xe9,Paris\n")), nil, []string{"latin1.csv", "line 2", "UTF-8"}},
		{"unterminated quote", file("quote.csv", []byte("a,b\n1,\"open\n2,3\n")), nil, []string{"quote.csv", "line 2"}},
		{"too many fields", file("wide.csv", []byte("a,b\n1,2\n3,4,5\n")), nil, []string{"wide.csv", "line 3", "3 fields"}},
		{"empty file", file("empty.csv", nil), nil, []string{"empty.csv", "empty"}},
		{"renamed text as xlsx", file("text.xlsx", []byte("just some text\n")), nil, []string{"text.xlsx", "not an Excel workbook"}},
		{"truncated xlsx", file("cut.xlsx", zipped.Bytes()[:zipped.Len()/2]), nil, []string{"cut.xlsx"}},
		{"encrypted xlsx", file("locked.xlsx", cfb), nil, []string{"locked.xlsx", "password"}},
		{"missing sheet", "examples/tickets.xlsx", []string{"--sheet", "Nope"}, []string{`"Nope"`, "Tickets", "Agents"}},
		{"jsonl array line", file("arr.jsonl", []byte("{\"a\":1}\n[1,2]\n")), nil, []string{"arr.jsonl", "line 2", "object"}},
		{"jsonl broken line", file("broken.jsonl", []byte("{\"a\":1}\n{\"a\":\n")), nil, []string{"broken.jsonl", "line 2"}},
		{"template does not parse", "examples/products.csv", []string{"-p", "{{if .name}}"}, []string{"prompt template", "line 1"}},
		{"template names a missing column", "examples/products.csv", []string{"-p", "{{.Name}}"}, []string{`"Name"`, `did you mean "name"`, `"sku"`}},
		{"input missing", filepath.Join(dir, "nope.csv"), nil, []string{"nope.csv", "no such file"}},
		{"output folder missing", "examples/products.csv", []string{"-o", filepath.Join(dir, "nowhere", "out.csv")}, []string{"nowhere"}},
		{"output is input", "examples/products.csv", []string{"-o", "examples/products.csv"}, []string{"refusing to write over the input"}},
		{"schema file missing", "examples/products.csv", []string{"--schema", filepath.Join(dir, "none.json")}, []string{"none.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeprovider.New(fakeprovider.Options{})
			// Later flags win, so a case's own -o or -p replaces these.
			args := append([]string{tt.in, "-o", filepath.Join(dir, "out.csv"), "-p", "x"}, tt.args...)
			r := enrich(t, p, "", args...)
			if r.code == exitOK || r.code == exitRowsFailed {
				t.Fatalf("exit %d, want a failure; stderr:\n%s", r.code, r.stderr)
			}
			failedCleanly(t, r, p, dir, tt.want)
		})
	}
}

// failedCleanly checks a refused run: one enrich: error line saying each
// of want, no request sent, and nothing (OUTPUT or a temporary file) left
// in dir.
func failedCleanly(t *testing.T, r cli, p *fakeprovider.Provider, dir string, want []string) {
	t.Helper()
	if !strings.HasPrefix(r.stderr, "enrich: error: ") {
		t.Errorf("stderr %q does not start with enrich: error:", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
	if p.Requests() != 0 {
		t.Errorf("%d requests were sent", p.Requests())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "out") || strings.Contains(e.Name(), ".tmp") {
			t.Errorf("%s was left behind", e.Name())
		}
	}
}

func TestOutputFolderNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write to any folder")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", "examples/products.csv", "-o", filepath.Join(dir, "out.csv"), "-p", "x")
	if r.code != exitFatal || !strings.Contains(r.stderr, "out.csv") || p.Requests() != 0 {
		t.Errorf("exit %d, %d requests, stderr %q", r.code, p.Requests(), r.stderr)
	}
}

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

// 200s without a usable answer are row errors, never crashes; a cut answer
// keeps its text.
func TestAnswersThatAreNotAnswers(t *testing.T) {
	faults := map[string]fakeprovider.Fault{
		"P-1001": fakeprovider.NoChoices,
		"P-1002": fakeprovider.NullContent,
		"P-1003": fakeprovider.Refusal,
		"P-1004": fakeprovider.ContentFilter,
		"P-1005": fakeprovider.Length,
	}
	p := fakeprovider.New(fakeprovider.Options{Fault: func(_ int64, prompt string) fakeprovider.Fault { return faults[prompt] }})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", "{{.sku}}")
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitRowsFailed, r.stderr)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(string(b), "\n")
	for i, want := range []string{"no choices", "no content", "refused", "content filter", ",echo: ,"} {
		if !strings.Contains(strings.ToLower(lines[i+1]), strings.ToLower(want)) {
			t.Errorf("row %d = %q, want it to mention %q", i+2, lines[i+1], want)
		}
	}
	if !strings.Contains(lines[5], "answer cut at the token limit") {
		t.Errorf("the cut answer %q does not say it was cut", lines[5])
	}
	if p.Requests() != 8 {
		t.Errorf("%d requests, want 8: these answers are not worth retrying", p.Requests())
	}
}
