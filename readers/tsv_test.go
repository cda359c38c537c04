package readers

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
)

func TestPlainTSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		cells  [][]string
		nums   []int
	}{
		{"quotes are data", "name\tsummary\nagentk\t\"AGENT\" K is a \"doner\"-wrap\nq\t\"\n",
			[]string{"name", "summary"}, [][]string{{"agentk", `"AGENT" K is a "doner"-wrap`}, {"q", `"`}}, []int{2, 3}},
		{"crlf and a bare cr", "a\tb\r\n1\tx\ry\r\n2\t\r",
			[]string{"a", "b"}, [][]string{{"1", "x\ry"}, {"2", ""}}, []int{2, 3}},
		{"bom, blank lines, short rows", "\ufeffid\tv\n\n1\n\r\n2\tb\n\n",
			[]string{"id", "v"}, [][]string{{"1", ""}, {"2", "b"}}, []int{3, 5}},
		{"backslashes and spaces are kept", "a\tb\n\\N\t \\t x \n",
			[]string{"a", "b"}, [][]string{{`\N`, ` \t x `}}, []int{2}},
		{"empty fields", "\t\t\n\t\t\n",
			[]string{"", "", ""}, [][]string{{"", "", ""}}, []int{2}},
		{"header only, no line end", "a\tb",
			[]string{"a", "b"}, [][]string{}, []int{}},
		{"commas are data", "a,b\tc\n1,2\t3\n",
			[]string{"a,b", "c"}, [][]string{{"1,2", "3"}}, []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewTSV(strings.NewReader(tt.in), "t.tsv")
			if err != nil {
				t.Fatal(err)
			}
			checkRead(t, r, tt.header, tt.cells, tt.nums)
			if got := r.Source().Format; got != table.TSV {
				t.Errorf("Source().Format: got %q, want tsv", got)
			}
		})
	}
}

func TestPlainTSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		kind error
		want string
	}{
		{"more fields than the header", "a\tb\n1\t2\n\"x\ty\"\tz\n", ErrFieldCount,
			"t.tsv: line 3, column 7: row has 3 fields, the header has 2; in plain TSV every tab separates fields and quotes are data"},
		{"invalid UTF-8", "a\tb\n1\tcaf\xe9 au lait\n", ErrUTF8,
			"t.tsv: line 2, column 6: invalid UTF-8 (byte 0xe9): the file may use a legacy encoding such as Windows-1252; save it as UTF-8"},
		{"empty", "\n\r\n", ErrEmpty, "t.tsv is empty: no header row"},
		{"bad header", "\xff\n", ErrUTF8,
			"t.tsv: line 1, column 1: invalid UTF-8 (byte 0xff): the file may use a legacy encoding such as Windows-1252; save it as UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewTSV(strings.NewReader(tt.in), "t.tsv")
			if err == nil {
				_, err = readAll(t, r)
			}
			if !errors.Is(err, tt.kind) || errText(err) != tt.want {
				t.Fatalf("got %v, want %q (%v)", err, tt.want, tt.kind)
			}
			if tt.kind == ErrFieldCount && !errors.Is(err, ErrPlainTSV) {
				t.Errorf("%v does not say it was read as plain TSV", err)
			}
		})
	}
}

// A .tsv file is plain TSV by default and RFC 4180 quoted TSV with
// Options.TSVQuoted; both rewind.
func TestOpenTSVModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.tsv")
	if err := os.WriteFile(path, []byte("a\tb\n\"5\"\" tall\"\t\"x\ty\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		quoted bool
		cells  [][]string
		err    error
	}{
		{false, nil, ErrFieldCount},
		{true, [][]string{{`5" tall`, "x\ty"}}, nil},
	}
	for _, tt := range tests {
		r, err := Open(path, nil, Options{TSVQuoted: tt.quoted})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := readAll(t, r)
		if !errors.Is(err, tt.err) || (err == nil && !equalCells(cellsOf(rows), tt.cells)) {
			t.Errorf("TSVQuoted %v: got %q, %v; want %q, %v", tt.quoted, cellsOf(rows), err, tt.cells, tt.err)
		}
		if err := r.(Rewinder).Rewind(); err != nil {
			t.Errorf("TSVQuoted %v: Rewind: %v", tt.quoted, err)
		}
		r.Close()
	}
}

func equalCells(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// The package lists on the development machine are plain TSV with quotes
// inside fields; the quoted reader refused them at line 13512. Every line
// must read back byte for byte.
func TestRealPlainTSVFiles(t *testing.T) {
	for _, path := range []string{
		"/work/.library/env/packages/pypi.tsv",
		"/work/.library/env/packages/npm.tsv",
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Skipf("%v: this test reads the package lists of the development machine", err)
			}
			defer f.Close()
			if testing.Short() {
				t.Skip("reads a large file")
			}
			r, err := Open(path, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			// The same file, line by line: each row is its line's fields.
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 16<<20)
			sc.Scan() // the header
			width := len(r.Header())
			i := 0
			for line := 1; sc.Scan(); {
				line++
				text := sc.Bytes()
				if len(text) == 0 {
					continue
				}
				if i >= len(rows) {
					t.Fatalf("line %d: the reader stopped after %d rows", line, len(rows))
				}
				got := rows[i]
				fields := bytes.Count(text, []byte{'\t'}) + 1
				if got.Num != line || strings.Join(got.Cells[:fields], "\t") != string(text) || fields > width {
					t.Fatalf("line %d: got row %d %q, want %q", line, got.Num, got.Cells, text)
				}
				i++
			}
			if i != len(rows) || i < 1000 {
				t.Errorf("read %d rows, the file has %d", len(rows), i)
			}
		})
	}
}
