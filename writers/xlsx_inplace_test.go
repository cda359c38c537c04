package writers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// corpus returns the path of a workbook in shared/corpora/xlsx, which CI
// clones beside the repository, skipping the test when it is absent.
func corpus(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "corpora", "xlsx", name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("xlsx corpus not found at %s (clone shared/ beside the repository): %v", path, err)
	}
	return path
}

// cellState is what must survive in a cell we do not write.
type cellState struct {
	Value, Formula string
	Type           excelize.CellType
	Style          int
}

// workbookState is a comparable picture of a workbook: cells in A1:L40 of
// every sheet (empty ones left out), merges, column widths, the 1904 date
// flag and the names of the package's parts.
type workbookState struct {
	Sheets   []string
	Cells    map[string]cellState // "Sheet!A1"
	Merges   map[string][]string
	Widths   map[string]float64 // "Sheet!A"
	Date1904 bool
	Parts    []string
}

const snapRows, snapCols = 40, 12

func snapshot(t *testing.T, path string) workbookState {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := workbookState{
		Sheets: f.GetSheetList(),
		Cells:  map[string]cellState{},
		Merges: map[string][]string{},
		Widths: map[string]float64{},
	}
	for _, sheet := range s.Sheets {
		for r := 1; r <= snapRows; r++ {
			for c := 1; c <= snapCols; c++ {
				cell, _ := excelize.CoordinatesToCellName(c, r)
				var st cellState
				st.Value, _ = f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				st.Formula, _ = f.GetCellFormula(sheet, cell)
				st.Type, _ = f.GetCellType(sheet, cell)
				st.Style, _ = f.GetCellStyle(sheet, cell)
				if st != (cellState{}) {
					s.Cells[sheet+"!"+cell] = st
				}
			}
		}
		merges, _ := f.GetMergeCells(sheet)
		for _, m := range merges {
			s.Merges[sheet] = append(s.Merges[sheet], m.GetStartAxis()+":"+m.GetEndAxis())
		}
		for c := 1; c <= snapCols; c++ {
			s.Widths[sheet+"!"+columnName(c)], _ = f.GetColWidth(sheet, columnName(c))
		}
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		t.Fatal(err)
	}
	s.Date1904 = props.Date1904 != nil && *props.Date1904
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, part := range z.File {
		s.Parts = append(s.Parts, part.Name)
	}
	slices.Sort(s.Parts)
	return s
}

func TestInPlaceCorpus(t *testing.T) {
	added := []string{"response", "response_error"}
	tests := []struct {
		name      string
		file      string
		sheet     string
		headerRow int
		header    []string
		rows      []int
	}{
		{
			name:   "Book1 Sheet2, formulas and two sheets",
			file:   "excelize/Book1.xlsx",
			sheet:  "Sheet2",
			header: []string{"Monitor", "", "Brand", "", "inlineStr", "", "", "", ""},
			rows:   []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
		},
		{
			name:      "Book1 Sheet1, header at row 21",
			file:      "excelize/Book1.xlsx",
			sheet:     "Sheet1",
			headerRow: 21,
			header:    []string{"", "", "Column1", "Column2"},
			rows:      []int{22},
		},
		{
			name:   "MergeCell, merged ranges",
			file:   "excelize/MergeCell.xlsx",
			sheet:  "Sheet1",
			header: []string{"A1", "", "C1", "D1"},
			rows:   []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		},
		{
			name:   "testcelltypes, numbers dates bools errors, default sheet",
			file:   "tealeg-xlsx/testcelltypes.xlsx",
			header: []string{"hello world", "string"},
			rows:   []int{2, 3, 4, 5, 6, 7, 8},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := copyFile(t, corpus(t, tt.file), dir)
			out := filepath.Join(dir, "out.xlsx")
			before := snapshot(t, in)

			w, err := Create(out, Options{
				Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: in, Sheet: tt.sheet, HeaderRow: tt.headerRow},
				Header: tt.header, Added: added,
			})
			if err != nil {
				t.Fatal(err)
			}
			var recs []Record
			for i, r := range tt.rows {
				errVal := ""
				if i == 1 {
					errVal = "=1+1"
				}
				recs = append(recs, row(r, nil, fmt.Sprintf("answer %d", r), errVal))
			}
			writeAll(t, w, recs)

			// The input is untouched, and the output is the input plus
			// exactly the cells we wrote.
			if diff := cmp.Diff(before, snapshot(t, in)); diff != "" {
				t.Errorf("input changed (-before +after):\n%s", diff)
			}
			sheet, headerRow := tt.sheet, max(tt.headerRow, 1)
			if sheet == "" {
				sheet = before.Sheets[0]
			}
			want := before
			want.Cells = maps.Clone(before.Cells)
			want.Widths = maps.Clone(before.Widths)
			last := fmt.Sprintf("%s!%s%d", sheet, columnName(len(tt.header)), headerRow)
			lastCol := fmt.Sprintf("%s!%s", sheet, columnName(len(tt.header)))
			set := func(col, r int, v string, style int) {
				if v == "" {
					return
				}
				key := fmt.Sprintf("%s!%s%d", sheet, columnName(col), r)
				if style == 0 {
					style = before.Cells[key].Style
				}
				want.Cells[key] = cellState{Value: v, Type: excelize.CellTypeInlineString, Style: style}
			}
			for i, name := range added {
				col := len(tt.header) + 1 + i
				set(col, headerRow, name, before.Cells[last].Style)
				want.Widths[fmt.Sprintf("%s!%s", sheet, columnName(col))] = before.Widths[lastCol]
			}
			for _, rec := range recs {
				for i, v := range rec.Values {
					set(len(tt.header)+1+i, rec.Row.Num, v, 0)
				}
			}
			got := snapshot(t, out)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("output differs from input plus added cells (-want +got):\n%s", diff)
			}
			if names, want := listDir(t, dir), slices.Sorted(slices.Values([]string{filepath.Base(in), "out.xlsx"})); !slices.Equal(names, want) {
				t.Errorf("directory holds %q", names)
			}
		})
	}
}

func TestInPlaceRefuses(t *testing.T) {
	added := []string{"response"}
	tests := []struct {
		name   string
		file   string
		sheet  string
		header []string
		rec    Record // written when the writer was made
		want   string // error from the constructor, or else from Write
	}{
		{
			name:   "formula cell in the new column",
			file:   "excelize/Book1.xlsx",
			sheet:  "Sheet2",
			header: []string{"Monitor", "", "Brand", "", "inlineStr"},
			rec:    row(11, nil, "answer"),
			want:   `row 11, column "response": cell F11 of sheet "Sheet2" already holds "=IF(B2>0, (D2/B2)*100, 0)"; refusing to overwrite it`,
		},
		{
			name:   "header cell covered by a merge",
			file:   "excelize/MergeCell.xlsx",
			header: []string{"A1"},
			want:   `MergeCell.xlsx: sheet "Sheet1": merged range A1:B1 covers cell B1, where column "response" goes; unmerge it or move it first`,
		},
		{
			name:   "missing sheet",
			file:   "excelize/Book1.xlsx",
			sheet:  "Nope",
			header: []string{"a"},
			want:   `Book1.xlsx: no sheet named "Nope"`,
		},
		{
			name:   "row at the header",
			file:   "tealeg-xlsx/testcelltypes.xlsx",
			header: []string{"hello world", "string"},
			rec:    row(1, nil, "answer"),
			want:   `row 1: not a data row of sheet "Sheet1", whose header is row 1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := filepath.Abs(corpus(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			t.Chdir(dir) // so the input's name in messages is just its base
			in := filepath.Base(copyFile(t, src, dir))
			w, err := Create("out.xlsx", Options{
				Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: in, Sheet: tt.sheet},
				Header: tt.header, Added: added,
			})
			if err == nil && tt.rec.Values != nil {
				err = w.Write(context.Background(), tt.rec)
				if err2 := w.Close(); err2 == nil || err2.Error() != err.Error() {
					t.Errorf("Close after a failed Write: got %v, want %v", err2, err)
				}
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if names := listDir(t, dir); !slices.Equal(names, []string{in}) {
				t.Errorf("directory holds %q, want only the input", names)
			}
		})
	}
}

// TestInPlaceLooks checks that new header cells copy the style and width
// of the last header cell, that values are text, and that empty values and
// other sheets are left alone.
func TestInPlaceLooks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.xlsx")
	f := excelize.NewFile()
	if _, err := f.NewSheet("Data"); err != nil {
		t.Fatal(err)
	}
	style, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"4472C4"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellStr("Data", "A1", "report title"))
	must(f.SetSheetRow("Data", "A3", &[]any{"id", "text"}))
	must(f.SetCellStyle("Data", "A3", "B3", style))
	must(f.SetColWidth("Data", "B", "B", 42))
	must(f.SetSheetRow("Data", "A4", &[]any{1, "first"}))
	must(f.SetSheetRow("Data", "A5", &[]any{2, "second"}))
	must(f.SetCellFormula("Sheet1", "A1", "Data!A4*2"))
	must(f.SaveAs(in))
	must(f.Close())

	opts := Options{
		Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: in, Sheet: "Data", HeaderRow: 3},
		Header: []string{"id", "text"},
		Added:  []string{"response", "response_error"},
	}
	var buf bytes.Buffer
	w, err := New(&buf, opts) // in place works to a plain io.Writer too
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, []Record{row(4, nil, "=1+1", ""), row(5, nil, "0042", "boom")})

	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, cell := range []string{"C3", "D3"} {
		if got, _ := g.GetCellStyle("Data", cell); got != style {
			t.Errorf("%s: style %d, want the header's %d", cell, got, style)
		}
	}
	for _, col := range []string{"C", "D"} {
		if got, _ := g.GetColWidth("Data", col); got != 42 {
			t.Errorf("column %s: width %v, want 42 like column B", col, got)
		}
	}
	wantCells := map[string]string{
		"C3": "response", "D3": "response_error",
		"C4": "=1+1", "D4": "", "C5": "0042", "D5": "boom",
		"A1": "report title", "B4": "first",
	}
	for cell, want := range wantCells {
		got, _ := g.GetCellValue("Data", cell)
		formula, _ := g.GetCellFormula("Data", cell)
		typ, _ := g.GetCellType("Data", cell)
		wantType := excelize.CellTypeInlineString // the added cells
		if cell == "A1" || cell == "B4" {
			wantType = excelize.CellTypeSharedString // the input's, untouched
		}
		if want == "" {
			wantType = excelize.CellTypeUnset
		}
		if got != want || formula != "" || typ != wantType {
			t.Errorf("%s: got %q, formula %q, type %v; want text %q of type %v", cell, got, formula, typ, want, wantType)
		}
	}
	if got, _ := g.GetCellFormula("Sheet1", "A1"); got != "Data!A4*2" {
		t.Errorf("Sheet1!A1 formula: got %q", got)
	}
}

func TestInPlaceRefusesInputAsOutput(t *testing.T) {
	dir := t.TempDir()
	in := copyFile(t, corpus(t, "excelize/MergeCell.xlsx"), dir)
	before, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Create(in, Options{
		Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: in},
		Header: []string{"A1", "", "C1", "D1"}, Added: []string{"response"},
	})
	want := "refusing to write over the input file " + in
	if err == nil || err.Error() != want || !errors.Is(err, ErrOverInput) {
		t.Fatalf("got %v, want %q", err, want)
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
		t.Error("input changed")
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q", names)
	}
}
