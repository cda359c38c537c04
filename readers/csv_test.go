package readers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		comma  rune
		header []string
		rows   [][]string
		nums   []int
	}{
		{name: "lf", in: "a,b\n1,2\n3,4\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, nums: []int{2, 3}},
		{name: "crlf", in: "a,b\r\n1,2\r\n3,4\r\n", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, nums: []int{2, 3}},
		{name: "bare cr ends lines outside quotes", in: "a,b\r1,2\r3,4", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, nums: []int{2, 3}},
		{name: "no final line break", in: "a,b\n1,2", header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, nums: []int{2}},
		{name: "bom is not part of the header", in: "\ufeffid,text\n1,x\n", header: []string{"id", "text"}, rows: [][]string{{"1", "x"}}, nums: []int{2}},
		{name: "bom later is data", in: "a\n\ufeffx\n", header: []string{"a"}, rows: [][]string{{"\ufeffx"}}, nums: []int{2}},
		{name: "blank lines are skipped but counted", in: "\n\na\n\n1\r\n\r\n2\n\n", header: []string{"a"}, rows: [][]string{{"1"}, {"2"}}, nums: []int{5, 7}},
		{name: "doubled quotes", in: "a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n", header: []string{"a", "b"}, rows: [][]string{{`say "hi"`, `"`}}, nums: []int{2}},
		{name: "crlf inside quotes is kept", in: "a,b\r\n\"x\r\ny\",2\r\n3,4\r\n", header: []string{"a", "b"}, rows: [][]string{{"x\r\ny", "2"}, {"3", "4"}}, nums: []int{2, 4}},
		{name: "lone cr and lf inside quotes are kept", in: "a\n\"x\ry\nz\"\n1\n", header: []string{"a"}, rows: [][]string{{"x\ry\nz"}, {"1"}}, nums: []int{2, 5}},
		{name: "quote inside unquoted field is data", in: "a,b\n5\" tall,x\"y\"\n", header: []string{"a", "b"}, rows: [][]string{{`5" tall`, `x"y"`}}, nums: []int{2}},
		{name: "spaces are data", in: " a , b \n 1 ,\" 2 \"\n", header: []string{" a ", " b "}, rows: [][]string{{" 1 ", " 2 "}}, nums: []int{2}},
		{name: "a quote after a space is data", in: "a\n \"x\"\n", header: []string{"a"}, rows: [][]string{{` "x"`}}, nums: []int{2}},
		{name: "empty fields", in: "a,b,c\n,,\n\"\",x,\n", header: []string{"a", "b", "c"}, rows: [][]string{{"", "", ""}, {"", "x", ""}}, nums: []int{2, 3}},
		{name: "quoted empty field is a record", in: "a\n\"\"\n", header: []string{"a"}, rows: [][]string{{""}}, nums: []int{2}},
		{name: "short rows are padded", in: "a,b,c\n1\n1,2\n", header: []string{"a", "b", "c"}, rows: [][]string{{"1", "", ""}, {"1", "2", ""}}, nums: []int{2, 3}},
		{name: "header only", in: "a,b\n", header: []string{"a", "b"}, rows: [][]string{}, nums: []int{}},
		{name: "empty and duplicate names are allowed", in: "a,,a\n1,2,3\n", header: []string{"a", "", "a"}, rows: [][]string{{"1", "2", "3"}}, nums: []int{2}},
		{name: "quoted header with newline", in: "\"first\nname\",b\n1,2\n", header: []string{"first\nname", "b"}, rows: [][]string{{"1", "2"}}, nums: []int{3}},
		{name: "quoted field at eof", in: "a\n\"x,y\"", header: []string{"a"}, rows: [][]string{{"x,y"}}, nums: []int{2}},
		{name: "utf-8", in: "名前,ʤ\n日本語,😀\n", header: []string{"名前", "ʤ"}, rows: [][]string{{"日本語", "😀"}}, nums: []int{2}},
		{name: "tsv", in: "a\tb\n1,5\t\"x\ty\"\n", comma: '\t', header: []string{"a", "b"}, rows: [][]string{{"1,5", "x\ty"}}, nums: []int{2}},
		{name: "semicolon", in: "a;b\n1;2\n", comma: ';', header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, nums: []int{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comma := tt.comma
			if comma == 0 {
				comma = ','
			}
			r, err := NewCSV(strings.NewReader(tt.in), "t.csv", comma)
			if err != nil {
				t.Fatalf("NewCSV: %v", err)
			}
			checkRead(t, r, tt.header, tt.rows, tt.nums)
		})
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		comma     rune
		kind      error
		line, col int
		want      string
		rowsFirst int // rows read before the error
	}{
		{name: "text after closing quote", in: "a,b\n1,\"x\"y\n", kind: ErrQuote, line: 2, col: 6,
			want: `t.csv: line 2, column 6: text after the closing " of a quoted field; write a " inside a quoted field as ""`},
		{name: "unterminated quote names its start", in: "a,b\n1,2\n3,\"abc\n\n4,5\n", kind: ErrQuote, line: 3, col: 3, rowsFirst: 1,
			want: `t.csv: line 3, column 3: quoted field starting here has no closing "; close it, and write any " inside it as ""`},
		{name: "too many fields", in: "a,b\n1,2\n1,2,3\n", kind: ErrFieldCount, line: 3, col: 5, rowsFirst: 1,
			want: "t.csv: line 3, column 5: row has 3 fields, the header has 2; a field that contains a comma must be quoted"},
		{name: "too many fields after crlf in quotes", in: "a,b\r\n\"x\r\ny\",2,3\r\n", kind: ErrFieldCount, line: 3, col: 6,
			want: "t.csv: line 3, column 6: row has 3 fields, the header has 2; a field that contains a comma must be quoted"},
		{name: "too many fields in tsv", in: "a\tb\n1\t2\t3\n", comma: '\t', kind: ErrFieldCount, line: 2, col: 5,
			want: "t.csv: line 2, column 5: row has 3 fields, the header has 2; a field that contains a tab must be quoted"},
		{name: "unterminated quote in the header", in: "a,\"b\n1,2\n", kind: ErrQuote, line: 1, col: 3,
			want: `t.csv: line 1, column 3: quoted field starting here has no closing "; close it, and write any " inside it as ""`},
		{name: "unterminated quote at the very end", in: "a\n\"", kind: ErrQuote, line: 2, col: 1},
		{name: "latin-1 byte", in: "a,b\n1,caf\xe9\n", kind: ErrUTF8, line: 2, col: 6,
			want: "t.csv: line 2, column 6: invalid UTF-8 (byte 0xe9): the file may use a legacy encoding such as Windows-1252; save it as UTF-8"},
		{name: "bad byte in a multi-line quoted field", in: "a\n\"x\"\"\ny\xff\"\n", kind: ErrUTF8, line: 3, col: 2},
		{name: "bad byte after multibyte text", in: "a\nébc\x80\n", kind: ErrUTF8, line: 2, col: 4},
		{name: "bad byte in header", in: "a,\xffb\n", kind: ErrUTF8, line: 1, col: 3},
		{name: "space after closing quote", in: "a,b\n\"1\" ,2\n", kind: ErrQuote, line: 2, col: 4},
		{name: "quote error in header", in: "\"a\"b\n", kind: ErrQuote, line: 1, col: 4},
		{name: "empty file", in: "", kind: ErrEmpty, want: "t.csv is empty: no header row"},
		{name: "only a bom", in: "\ufeff", kind: ErrEmpty},
		{name: "only blank lines", in: "\r\n\n\r", kind: ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comma := tt.comma
			if comma == 0 {
				comma = ','
			}
			var rows []table.Row
			r, err := NewCSV(strings.NewReader(tt.in), "t.csv", comma)
			if err == nil {
				rows, err = readAll(t, r)
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("got error %v, want %v", err, tt.kind)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("got %q, want %q", err.Error(), tt.want)
			}
			if len(rows) != tt.rowsFirst {
				t.Errorf("got %d rows before the error, want %d", len(rows), tt.rowsFirst)
			}
			var pe *ParseError
			if tt.line == 0 {
				if errors.As(err, &pe) {
					t.Errorf("got a located error %v, want none", err)
				}
				return
			}
			if !errors.As(err, &pe) {
				t.Fatalf("got %T, want *ParseError", err)
			}
			if pe.Line != tt.line || pe.Column != tt.col || pe.File != "t.csv" {
				t.Errorf("got %s line %d column %d, want t.csv line %d column %d", pe.File, pe.Line, pe.Column, tt.line, tt.col)
			}
			if r != nil {
				if _, again := r.Next(context.Background()); again != err {
					t.Errorf("second Next: got %v, want the same error again", again)
				}
			}
		})
	}
}

func TestCSVBadDelimiter(t *testing.T) {
	for _, comma := range []rune{'"', '\n', '\r', 0, 'é', -1} {
		if _, err := NewCSV(strings.NewReader("a\n"), "t.csv", comma); err == nil {
			t.Errorf("delimiter %q: got no error", comma)
		}
	}
}

// Lines longer than the read buffer arrive in pieces; quotes, escapes and
// line breaks must survive being split between them.
func TestCSVLongFields(t *testing.T) {
	for _, size := range []int{64<<10 - 3, 64<<10 - 2, 64<<10 - 1, 64 << 10, 64<<10 + 1, 200 << 10} {
		long := strings.Repeat("x", size)
		in := "a,b\n" +
			"\"" + long + "\"\"\r\n\"," + long + "\r\n" + // quoted field with an escape and a CRLF near the split
			long + "\r\n" + // a CRLF that may straddle two reads
			"\"" + long + "\",2\n"
		r, err := NewCSV(strings.NewReader(in), "t.csv", ',')
		if err != nil {
			t.Fatal(err)
		}
		rows, err := readAll(t, r)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		want := [][]string{{long + "\"\r\n", long}, {long, ""}, {long, "2"}}
		if got := cellsOf(rows); !cmp.Equal(got, want) {
			t.Errorf("size %d: rows differ", size)
		}
		if got, want := numsOf(rows), []int{2, 4, 5}; !cmp.Equal(got, want) {
			t.Errorf("size %d: row numbers: got %v, want %v", size, got, want)
		}
	}
}

// Rows are handed to other goroutines, so each must own its cells even
// though the reader reuses its buffers.
func TestCSVRowsDoNotShareCells(t *testing.T) {
	r, err := NewCSV(strings.NewReader("a,b\n1,2\n3,4\n"), "t.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.Next(context.Background())
	second, _ := r.Next(context.Background())
	first.Cells[0] = "changed"
	if got := second.Cells[0]; got != "3" {
		t.Errorf("got %q, want %q", got, "3")
	}
	if h := r.Header(); h[0] != "a" {
		t.Errorf("header changed to %q", h)
	}
}

func TestCSVContext(t *testing.T) {
	r, err := NewCSV(strings.NewReader("a\n1\n"), "t.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// Cancellation is the caller's, not the input's: the reader still works.
	row, err := r.Next(context.Background())
	if err != nil || row.Cells[0] != "1" {
		t.Errorf("got %q, %v, want [1]", row.Cells, err)
	}
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

func TestCSVReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(bytes.NewReader([]byte("a,b\n1,2\n")), failingReader{boom})
	c, err := NewCSV(r, "t.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	_, err = readAll(t, c)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want %v", err, boom)
	}
	if want := "read t.csv: disk on fire"; err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

// A header-only input is not an error: it has no rows, so the first Next
// returns io.EOF, and so does every later one.
func TestCSVHeaderOnly(t *testing.T) {
	for _, in := range []string{"a,b", "a,b\n", "a,b\r\n\r\n\n", "\ufeffa,b\n"} {
		r, err := NewCSV(strings.NewReader(in), "t.csv", ',')
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := r.Header(); !cmp.Equal(got, []string{"a", "b"}) {
			t.Errorf("%q: header %q", in, got)
		}
		for i := range 2 {
			if row, err := r.Next(context.Background()); err != io.EOF {
				t.Errorf("%q: Next #%d: got %q, %v; want io.EOF", in, i+1, row.Cells, err)
			}
		}
	}
}

// Readers pass empty and repeated header names on untouched; naming them
// (column_N, name_2) is for templates and writers. Nothing here may
// reject them, through Open as well as NewCSV.
func TestCSVHeaderNamesPassThrough(t *testing.T) {
	tests := []struct {
		in     string
		header []string
	}{
		{",a,a,\n1,2,3,4\n", []string{"", "a", "a", ""}},
		{",,\n1,2,3\n", []string{"", "", ""}},
		{"\"\"\n1\n", []string{""}},
		{"x,X,x \n1,2,3\n", []string{"x", "X", "x "}},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "t.csv")
		if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, nil, Options{})
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if got := r.Header(); !cmp.Equal(got, tt.header) {
			t.Errorf("%q: header %q, want %q", tt.in, got, tt.header)
		}
		rows, err := readAll(t, r)
		if err != nil || len(rows) != 1 || len(rows[0].Cells) != len(tt.header) {
			t.Errorf("%q: rows %q, %v", tt.in, cellsOf(rows), err)
		}
		r.Close()
	}
}
