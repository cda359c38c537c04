package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// JSON Lines on standard input without --format was read as CSV, its
// fragments becoming column names; it is sniffed now, and standard output
// carries the input's format.
func TestStdinSniffedJSONL(t *testing.T) {
	in := "{\"id\":1,\"text\":\"a, b\"}\n{\"id\":2,\"text\":\"c\"}\n"
	r := enrich(t, nil, in, "-", "-o", "-", "--provider", "mock", "--no-cache", "-q", "-p", "{{.text}}")
	succeeded(t, r)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"id":1,"text":"a, b","response":"mock answer`) {
		t.Errorf("stdout is not the JSON Lines input with its answers:\n%s", r.stdout)
	}
	// --format still says what standard output carries.
	r = enrich(t, nil, in, "-", "-o", "-", "--format", "jsonl", "--provider", "mock", "--no-cache", "-q", "-p", "{{.text}}")
	succeeded(t, r)
	r = enrich(t, nil, in, "-", "-o", "-", "--format", "csv", "--provider", "mock", "--no-cache", "-q", "-p", "{{.text}}")
	if r.code != exitFatal || !strings.Contains(r.stderr, `enrich: error: standard input: line 1`) {
		t.Errorf("--format csv must read CSV: exit %d\n%s", r.code, r.stderr)
	}
}

func TestStdinSniffedTSV(t *testing.T) {
	in := "name\tsummary (words, as written)\nagentk\t\"AGENT\" K is a \"doner\"-wrap\n"
	r := enrich(t, nil, in, "-", "-o", "-", "--provider", "mock", "--no-cache", "-q", "-p", "{{.name}}")
	succeeded(t, r)
	want := "name\tsummary (words, as written)\tresponse\tresponse_error\n" +
		"agentk\t\"AGENT\" K is a \"doner\"-wrap\tmock answer"
	if !strings.HasPrefix(r.stdout, want) {
		t.Errorf("got:\n%q\nwant it to start with:\n%q", r.stdout, want)
	}
}

// A .tsv with quotes inside fields reads as plain TSV and comes back
// byte-exact; --tsv-quoted reads and writes RFC 4180 quoted TSV.
func TestTSVModes(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.tsv")
	text := "name\tsummary\nagentk\t\"AGENT\" K\n\"q\t5\"\" tall\n"
	if err := os.WriteFile(plain, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.tsv")
	r := enrich(t, nil, "", plain, "-o", out, "--provider", "mock", "--no-cache", "-q", "-p", "{{.name}}", "-c", "r")
	succeeded(t, r)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		f := strings.Split(line, "\t")
		kept = append(kept, strings.Join(f[:2], "\t"))
	}
	if got := strings.Join(kept, "\n") + "\n"; got != text {
		t.Errorf("input columns of the output:\n%q\nwant the input:\n%q", got, text)
	}

	quoted := filepath.Join(dir, "quoted.tsv")
	if err := os.WriteFile(quoted, []byte("a\tb\n\"x\ty\"\t\"line\nbreak\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = enrich(t, nil, "", quoted, "-o", out, "--provider", "mock", "--no-cache", "-q", "-p", "{{.a}}")
	if r.code != exitFatal || !strings.Contains(r.stderr, "enrich: hint: if the file quotes fields that hold tabs, as CSV does, pass --tsv-quoted") {
		t.Errorf("quoted TSV read as plain: exit %d, want 1 and the --tsv-quoted hint\n%s", r.code, r.stderr)
	}
	r = enrich(t, nil, "", quoted, "-o", out, "--tsv-quoted", "--provider", "mock", "--no-cache", "-q", "-p", "{{.a}}")
	succeeded(t, r)
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "a\tb\tresponse\tresponse_error\n\"x\ty\"\t\"line\nbreak\"\t") {
		t.Errorf("quoted output: %q", b)
	}
}

// in.csv.gz was refused with a hint about --format and then about
// Windows-1252; it reads as CSV now (first pass, rewind, run), and
// out.csv.gz is the gzip of what out.csv holds.
func TestCompressedInputAndOutput(t *testing.T) {
	dir := t.TempDir()
	plain, err := os.ReadFile("examples/products.csv")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	in := filepath.Join(dir, "products.csv.gz")
	if err := os.WriteFile(in, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--provider", "mock", "--no-cache", "-q", "-p", "{{.name}}"}
	want := filepath.Join(dir, "want.csv")
	succeeded(t, enrich(t, nil, "", append([]string{"examples/products.csv", "-o", want}, args...)...))
	for _, name := range []string{"out.csv.gz", "out.csv.zst"} {
		out := filepath.Join(dir, name)
		r := enrich(t, nil, "", append([]string{in, "-o", out}, args...)...)
		succeeded(t, r)
		if !strings.Contains(r.stderr, "8 rows, 8 answered") {
			t.Errorf("%s: summary %q", name, r.stderr)
		}
		back := filepath.Join(dir, "back-"+name+".csv")
		// Reading it back through the command proves it is compressed
		// CSV: its rows and columns are products.csv's plus the answers.
		r = enrich(t, nil, "", append([]string{out, "-o", back, "-c", "again"}, args...)...)
		succeeded(t, r)
		got, _ := os.ReadFile(back)
		wantb, _ := os.ReadFile(want)
		if first := strings.SplitN(string(got), "\n", 2)[0]; first != strings.SplitN(string(wantb), "\n", 2)[0]+",again,again_error" {
			t.Errorf("%s read back with header %q", name, first)
		}
	}
	r := enrich(t, nil, "", "examples/tickets.xlsx", "-o", filepath.Join(dir, "out.xlsx.gz"), "--provider", "mock", "--no-cache", "-q", "-p", "{{.Subject}}")
	if r.code != exitFatal || !strings.Contains(r.stderr, "enrich: hint: use the .xlsx itself") {
		t.Errorf("compressed xlsx output: exit %d\n%s", r.code, r.stderr)
	}
}

func TestInputsAdvice(t *testing.T) {
	_, plainErr := readAllOf(readers.Open("-", strings.NewReader("a\tb\n\"x\ty\"\tz\n"), readers.Options{Format: table.TSV}))
	var w bytes.Buffer
	tw, err := writers.New(&w, writers.Options{Format: table.TSV, Header: []string{"a"}, Added: []string{"r"}, Source: table.Source{Format: table.TSV}})
	if err != nil {
		t.Fatal(err)
	}
	cellErr := tw.Write(t.Context(), writers.Record{Row: table.Row{Num: 3, Cells: []string{"x\ny"}}, Values: []string{""}})
	for _, tt := range []struct {
		err  error
		hint string
	}{
		{plainErr, "if the file quotes fields that hold tabs, as CSV does, pass --tsv-quoted"},
		{cellErr, "write .csv or .jsonl, or pass --tsv-quoted for TSV that quotes such cells as CSV does"},
		{errorOf(readers.Open("book.xlsx.zst", nil, readers.Options{})), "use the .xlsx itself; write .csv.gz or .jsonl.zst for compressed output"},
	} {
		if _, hint := advice(tt.err); hint != tt.hint {
			t.Errorf("advice(%v): hint %q, want %q", tt.err, hint, tt.hint)
		}
	}
}

func readAllOf(r readers.Reader, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		_, err := r.Next(context.Background())
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

// CSV with line breaks in its cells converts to plain TSV: the cells are
// escaped as the answers are, one record per line.
func TestCSVToTSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.tsv")
	r := enrich(t, nil, "", "examples/products.csv", "-o", out, "--provider", "mock", "--no-cache", "-q", "-p", "{{.name}}")
	succeeded(t, r)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 9 || !strings.Contains(string(b), `\n`) {
		t.Errorf("want the header and 8 rows, a line break escaped; got %d lines:\n%s", len(lines), b)
	}
}
