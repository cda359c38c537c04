package readers

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/table"
)

func TestSniffFormat(t *testing.T) {
	tests := []struct {
		head     string
		complete bool
		decided  bool
		want     table.Format
	}{
		{`{"a":1}`, false, true, table.JSONL},
		{"\ufeff \r\n\t{", false, true, table.JSONL},
		{"name\tversion\tsummary (a, b)\n", false, true, table.TSV},
		{"\tb\n", false, true, table.TSV},
		{"\n\na\tb\r\n", false, true, table.TSV},
		{"a,b\tc\n", false, true, table.TSV},
		{"a,b,c\td\n", false, true, table.CSV},
		{"a,b\n", false, true, table.CSV},
		{"a\n", false, true, table.CSV},
		{"a\tb", false, false, table.CSV}, // the first line may go on
		{"a\tb", true, true, table.TSV},
		{"", false, false, table.CSV},
		{" \n", true, true, table.CSV},
		{"[1,2]\n", false, true, table.CSV}, // only '{' is JSON Lines
	}
	for _, tt := range tests {
		decided, got := sniffFormat([]byte(tt.head), tt.complete)
		if decided != tt.decided || (decided && got != tt.want) {
			t.Errorf("sniffFormat(%q, %v) = %v, %q; want %v, %q", tt.head, tt.complete, decided, got, tt.decided, tt.want)
		}
	}
}

// Standard input without a format is sniffed, and nothing sniffed is lost,
// however the input arrives.
func TestOpenStdinSniffs(t *testing.T) {
	tests := []struct {
		name, in string
		format   table.Format
		header   []string
		cells    [][]string
	}{
		{"json lines", "\n{\"text\":\"a, b\"}\n{\"text\":\"c\"}\n", table.JSONL, []string{"text"}, [][]string{{"a, b"}, {"c"}}},
		{"plain tsv", "name\tsummary\nagentk\t\"AGENT\" K\n", table.TSV, []string{"name", "summary"}, [][]string{{"agentk", `"AGENT" K`}}},
		{"csv", "a,b\n1,\"x\ty\"\n", table.CSV, []string{"a", "b"}, [][]string{{"1", "x\ty"}}},
		{"csv with a byte order mark", "\ufeffa,b\n1,2\n", table.CSV, []string{"a", "b"}, [][]string{{"1", "2"}}},
		{"long first line", strings.Repeat("x", 100<<10) + "\n1\n", table.CSV, []string{strings.Repeat("x", 100<<10)}, [][]string{{"1"}}},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "stdin")
		if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for how, stdin := range map[string]io.Reader{
			"pipe":            io.MultiReader(strings.NewReader(tt.in)),
			"one byte a read": iotest.OneByteReader(strings.NewReader(tt.in)),
			"file":            f,
		} {
			t.Run(tt.name+", "+how, func(t *testing.T) {
				r, err := Open("-", stdin, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if got := r.Source(); got.Format != tt.format || got.Path != "" {
					t.Errorf("Source() = %+v, want format %q and no path", got, tt.format)
				}
				if diff := cmp.Diff(tt.header, r.Header()); diff != "" {
					t.Errorf("header:\n%s", diff)
				}
				rows := mustReadAll(t, r)
				if diff := cmp.Diff(tt.cells, cellsOf(rows)); diff != "" {
					t.Errorf("rows:\n%s", diff)
				}
				rw := r.(Rewinder).Rewind()
				if (how == "file") != (rw == nil) {
					t.Errorf("Rewind: %v", rw)
				}
			})
		}
	}
}

// A format that is given is not sniffed; a sheet is refused for standard
// input whatever it holds.
func TestOpenStdinGivenFormat(t *testing.T) {
	r, err := Open("-", strings.NewReader("{\"a\":1}\n"), Options{Format: table.CSV})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header(); !cmp.Equal(got, []string{`{"a":1}`}) {
		t.Errorf("header %q: --format csv must read CSV", got)
	}
	_, err = Open("-", strings.NewReader("a\tb\n"), Options{Sheet: "Data"})
	var sheet *SheetFormatError
	if !errors.As(err, &sheet) || sheet.Format != table.TSV {
		t.Errorf("sheet of sniffed input: got %v, want a *SheetFormatError for tsv", err)
	}
}
