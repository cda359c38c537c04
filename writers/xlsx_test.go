package writers

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestWorkbook(t *testing.T) {
	opts := Options{
		Format: table.XLSX,
		Source: table.Source{Format: table.CSV},
		Header: []string{"id", "text"},
		Added:  []string{"response", "response_error"},
	}
	recs := []Record{
		row(2, []string{"1", "=1+1"}, "=SUM(A1:A2)", ""),
		row(3, []string{"007", "  spaced  "}, "line\r\nbreak", "err"),
		row(4, []string{"", "TRUE"}, "3.14", ""),
		row(5, []string{"4"}, "short", ""),
	}
	want := [][]string{
		{"id", "text", "response", "response_error"},
		{"1", "=1+1", "=SUM(A1:A2)", ""},
		{"007", "  spaced  ", "line\r\nbreak", "err"},
		{"", "TRUE", "3.14", ""},
		{"4", "", "short", ""},
	}

	check := func(t *testing.T, f *excelize.File) {
		t.Helper()
		if got := f.GetSheetList(); !cmp.Equal(got, []string{"Sheet1"}) {
			t.Errorf("sheets: got %q, want [Sheet1]", got)
		}
		for r, cells := range want {
			for c, wantVal := range cells {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				got, err := f.GetCellValue("Sheet1", cell, excelize.Options{RawCellValue: true})
				if err != nil || got != wantVal {
					t.Errorf("%s: got %q, %v; want %q", cell, got, err, wantVal)
				}
				formula, _ := f.GetCellFormula("Sheet1", cell)
				if formula != "" {
					t.Errorf("%s: got formula %q, want text", cell, formula)
				}
				typ, _ := f.GetCellType("Sheet1", cell)
				wantType := excelize.CellTypeInlineString
				if wantVal == "" {
					wantType = excelize.CellTypeUnset // left out, not an empty string
				}
				if typ != wantType {
					t.Errorf("%s: got cell type %v, want %v", cell, typ, wantType)
				}
			}
		}
		style, _ := f.GetCellStyle("Sheet1", "C1")
		s, err := f.GetStyle(style)
		if err != nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("header cell C1 is not bold: style %d, %v", style, err)
		}
	}

	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.xlsx")
		w, err := Create(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, recs)
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		check(t, f)
		if got := listDir(t, dir); !cmp.Equal(got, []string{"out.xlsx"}) {
			t.Errorf("directory holds %q", got)
		}
	})

	t.Run("writer", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := New(&buf, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, recs)
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		check(t, f)
	})
}

func TestCellLimit(t *testing.T) {
	long := strings.Repeat("é", 40000)
	emoji := strings.Repeat("😀", 16384) // 32,768 UTF-16 units in 16,384 runes
	fits := strings.Repeat("x", 32767)
	tests := []struct {
		name string
		opts Options
		rec  Record
		want string
	}{
		{
			name: "added value",
			opts: Options{Header: []string{"id"}, Added: []string{"response"}},
			rec:  row(12, []string{"1"}, long),
			want: `row 12, column "response": 40000 characters exceed Excel's 32,767 per cell; write to .csv or .jsonl instead`,
		},
		{
			name: "input cell counted in UTF-16",
			opts: Options{Header: []string{"text"}, Added: []string{"response"}, Source: table.Source{Format: table.CSV}},
			rec:  row(7, []string{emoji}, fits),
			want: `line 7, column "text": 32768 characters exceed Excel's 32,767 per cell; write to .csv or .jsonl instead`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Format = table.XLSX
			path := filepath.Join(t.TempDir(), "out.xlsx")
			w, err := Create(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(context.Background(), row(2, []string{"x"}, fits)); err != nil {
				t.Fatalf("32,767 characters should fit: %v", err)
			}
			err = w.Write(context.Background(), tt.rec)
			var limit *CellLimitError
			if !errors.As(err, &limit) || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if err := w.Close(); err == nil {
				t.Error("Close after the limit error: got nil error")
			}
			if got := listDir(t, filepath.Dir(path)); len(got) != 0 {
				t.Errorf("directory holds %q, want nothing", got)
			}
		})
	}
}

func TestCellChars(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{strings.Repeat("é", 20000), 20000},
		{strings.Repeat("😀", 20000), 40000},
		{strings.Repeat("\xff", 40000), 40000},
	}
	for _, tt := range tests {
		if got := CellChars(tt.s); got != tt.want {
			t.Errorf("CellChars(%.10q…): got %d, want %d", tt.s, got, tt.want)
		}
	}
}
