package writers

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/enrich-dev/enrich/table"
)

func TestEscapeTSV(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain \"quoted\", with commas", "plain \"quoted\", with commas"},
		{"a\tb", `a\tb`},
		{"line\nbreak\r\n", `line\nbreak\r\n`},
		{`C:\dir\n`, `C:\\dir\\n`},
		{"\\\t", `\\\t`},
	}
	for _, tt := range tests {
		got := EscapeTSV(tt.in)
		if got != tt.want {
			t.Errorf("EscapeTSV(%q): got %q, want %q", tt.in, got, tt.want)
		}
		if back := UnescapeTSV(got); back != tt.in {
			t.Errorf("UnescapeTSV(%q): got %q, want %q", got, back, tt.in)
		}
	}
	// What EscapeTSV never writes is kept as it is.
	for in, want := range map[string]string{`\N`: `\N`, `a\`: `a\`, `\x`: `\x`} {
		if got := UnescapeTSV(in); got != want {
			t.Errorf("UnescapeTSV(%q): got %q, want %q", in, got, want)
		}
	}
}

// Plain TSV writes the cells of TSV input as read or not at all: a cell it
// cannot hold (which only a library caller can hand it) is an error that
// says where.
func TestPlainTSVCellErrors(t *testing.T) {
	src := table.Source{Format: table.TSV}
	tests := []struct {
		name   string
		header []string
		added  []string
		rec    Record
		want   string
	}{
		{"tab", []string{"a", "notes"}, []string{"r"}, row(4, []string{"1", "x\ty"}, "ok"),
			`line 4, column 2 ("notes"): the input cell holds a tab, which plain TSV cannot hold; input cells are written as read`},
		{"line break", []string{"a", "notes"}, []string{"r"}, row(5, []string{"1\r\n2"}, "ok"),
			`line 5, column 1 ("a"): the input cell holds a line break, which plain TSV cannot hold; input cells are written as read`},
		{"carriage return ending the record", []string{"a"}, nil, row(6, []string{"x\r"}),
			`line 6, column 1 ("a"): the input cell holds a carriage return at the end of the record, which plain TSV cannot hold; input cells are written as read`},
		{"header", []string{"a", "b\nc"}, []string{"r"}, Record{},
			`header, column 2 ("b\nc"): the input cell holds a line break, which plain TSV cannot hold; input cells are written as read`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(&buf, Options{Format: table.TSV, Header: tt.header, Added: tt.added, Source: src})
			if err == nil {
				err = w.Write(context.Background(), tt.rec)
			}
			var cell *TSVCellError
			if !errors.As(err, &cell) || !errors.Is(err, ErrTSVCell) || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// A "\r" inside a cell, or ending one that more fields follow, reads
	// back as it is, so it is written.
	var buf bytes.Buffer
	w, err := New(&buf, Options{Format: table.TSV, Header: []string{"a", "b"}, Added: []string{"r"}, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, []Record{row(2, []string{"x\ry", "z\r"}, "v\r")})
	if got, want := buf.String(), "a\tb\tr\nx\ry\tz\r\tv\\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Input in another format has cells plain TSV can hold only escaped: they
// are, like answers, so a CSV or workbook cell with a line break does not
// stop the run.
func TestPlainTSVFromOtherFormats(t *testing.T) {
	for _, format := range []table.Format{table.CSV, table.JSONL, table.XLSX, ""} {
		var buf bytes.Buffer
		w, err := New(&buf, Options{Format: table.TSV, Header: []string{"a", "b\nc"}, Added: []string{"r"}, Source: table.Source{Format: format}})
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, []Record{row(2, []string{"x\ty", `C:\dir` + "\r\n"}, "ok")})
		if got, want := buf.String(), "a\tb\\nc\tr\n"+`x\ty`+"\t"+`C:\\dir\r\n`+"\tok\n"; got != want {
			t.Errorf("from %q: got %q, want %q", format, got, want)
		}
	}
}
