package readers

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvPath := write("t.csv", "a,b\n1,2\n")
	tsvPath := write("t.tsv", "a\tb\n1,5\t2\n")
	jsonlPath := write("t.jsonl", `{"a":"1"}`+"\n"+`{"b":"2"}`+"\n")
	noExt := write("data", "a;b\n")
	xlsxPath := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": "1"})
	})
	tests := []struct {
		name   string
		path   string
		stdin  string
		opts   Options
		header []string
		rows   [][]string
	}{
		{name: "csv by extension", path: csvPath, header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "tsv by extension", path: tsvPath, header: []string{"a", "b"}, rows: [][]string{{"1,5", "2"}}},
		{name: "jsonl file: keys from every line", path: jsonlPath, header: []string{"a", "b"}, rows: [][]string{{"1", ""}, {"", "2"}}},
		{name: "xlsx", path: xlsxPath, header: []string{"a"}, rows: [][]string{{"1"}}},
		{name: "format overrides the extension", path: csvPath, opts: Options{Format: "TSV"}, header: []string{"a,b"}, rows: [][]string{{"1,2"}}},
		{name: "no extension with a format", path: noExt, opts: Options{Format: table.CSV}, header: []string{"a;b"}, rows: [][]string{}},
		{name: "stdin defaults to csv", path: "-", stdin: "x\n1\n", header: []string{"x"}, rows: [][]string{{"1"}}},
		{name: "stdin as jsonl", path: "-", stdin: `{"x":1}`, opts: Options{Format: table.JSONL}, header: []string{"x"}, rows: [][]string{{"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.path, strings.NewReader(tt.stdin), tt.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got := r.Header(); !cmp.Equal(got, tt.header) {
				t.Errorf("header: got %q, want %q", got, tt.header)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if got := cellsOf(rows); !cmp.Equal(got, tt.rows) {
				t.Errorf("rows: got %q, want %q", got, tt.rows)
			}
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "t.csv")
	if err := os.WriteFile(csvPath, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "tickets.csv")
	tests := []struct {
		name string
		path string
		opts Options
		kind error
		want string
	}{
		{name: "missing file", path: missing, kind: fs.ErrNotExist, want: "open " + missing + ": no such file or directory"},
		{name: "missing xlsx", path: filepath.Join(dir, "b.xlsx"), kind: fs.ErrNotExist},
		{name: "xlsx from stdin", path: "-", opts: Options{Format: table.XLSX}, want: "cannot read xlsx from standard input; pass a file"},
		{name: "sheet with csv", path: csvPath, opts: Options{Sheet: "Data"}, kind: ErrSheetFormat, want: "only xlsx input has sheets, and " + csvPath + " is read as csv"},
		{name: "sheet with stdin", path: "-", opts: Options{Sheet: "Data"}, kind: ErrSheetFormat, want: "only xlsx input has sheets, and standard input is read as csv"},
		{name: "sheet with jsonl", path: csvPath, opts: Options{Sheet: "Data", Format: table.JSONL}, kind: ErrSheetFormat, want: "only xlsx input has sheets, and " + csvPath + " is read as jsonl"},
		{name: "unknown extension", path: filepath.Join(dir, "t.txt"), want: filepath.Join(dir, "t.txt") + `: unknown format ".txt"; use .csv, .tsv, .jsonl, .xlsx, .parquet or .db`},
		{name: "unknown format", path: csvPath, opts: Options{Format: "orc"}, want: `unknown format "orc"; use csv, tsv, jsonl, xlsx, parquet or sqlite`},
		{name: "empty stdin", path: "-", kind: ErrEmpty, want: "standard input is empty: no header row"},
		{name: "a directory", path: dir + "/", opts: Options{Format: table.CSV}, want: "read " + dir + "/: is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.path, strings.NewReader(""), tt.opts)
			if err == nil {
				r.Close()
				t.Fatal("got no error")
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("got %v, want %v", err, tt.kind)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("got %q, want %q", err.Error(), tt.want)
			}
		})
	}
}

// Open owns the file it opens: after Close the descriptor is gone.
func TestOpenClosesItsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte("a\n1\n2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	file := r.(*CSV).closer.(*os.File)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := file.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("file after Close: got %v, want %v", err, os.ErrClosed)
	}
}
