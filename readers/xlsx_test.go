package readers

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// workbook builds an .xlsx with excelize and returns its path.
func workbook(t testing.TB, build func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// set fills cells from "A1"-style keys; a value may be any type excelize takes.
func set(t testing.TB, f *excelize.File, sheet string, cells map[string]any) {
	t.Helper()
	for ref, v := range cells {
		if err := f.SetCellValue(sheet, ref, v); err != nil {
			t.Fatal(err)
		}
	}
}

func style(t testing.TB, f *excelize.File, sheet, ref string, s *excelize.Style) {
	t.Helper()
	id, err := f.NewStyle(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sheet, ref, ref, id); err != nil {
		t.Fatal(err)
	}
}

func TestXLSX(t *testing.T) {
	custom := func(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }
	tests := []struct {
		name      string
		build     func(t *testing.T, f *excelize.File)
		sheet     string
		wantSheet string
		headerRow int
		header    []string
		rows      [][]string
		nums      []int
	}{
		{name: "header below blank rows, blank rows skipped, short rows padded",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{"A3": "id", "B3": "text", "C3": "note", "A4": 1, "B4": "x", "A7": 2, "C7": "late"})
			},
			wantSheet: "Sheet1", headerRow: 3, header: []string{"id", "text", "note"},
			rows: [][]string{{"1", "x", ""}, {"2", "", "late"}}, nums: []int{4, 7}},
		{name: "a named sheet, matched ignoring case",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{"A1": "wrong"})
				if _, err := f.NewSheet("Tickets"); err != nil {
					t.Fatal(err)
				}
				set(t, f, "Tickets", map[string]any{"A1": "subject", "A2": "printer on fire"})
			},
			sheet: "tickets", wantSheet: "Tickets", headerRow: 1, header: []string{"subject"},
			rows: [][]string{{"printer on fire"}}, nums: []int{2}},
		{name: "the sheet's dimension widens a short header",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": "1", "C2": "3"})
				// excelize itself always writes "A1"; Excel keeps it true.
				if err := f.SetSheetDimension("Sheet1", "A1:C2"); err != nil {
					t.Fatal(err)
				}
			},
			wantSheet: "Sheet1", headerRow: 1, header: []string{"a", "", ""},
			rows: [][]string{{"1", "", "3"}}, nums: []int{2}},
		{name: "a dimension up to twice the header plus 16 widens it",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": "1", "R2": "18"})
				if err := f.SetSheetDimension("Sheet1", "A1:R2"); err != nil {
					t.Fatal(err)
				}
			},
			wantSheet: "Sheet1", headerRow: 1, header: append([]string{"a"}, make([]string, 17)...),
			rows: [][]string{append(append([]string{"1"}, make([]string, 16)...), "18")}, nums: []int{2}},
		{name: "a hostile dimension is not believed",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{"A1": "a", "B1": "b", "A2": "1", "B2": "2"})
				if err := f.SetSheetDimension("Sheet1", "A1:XFD1048576"); err != nil {
					t.Fatal(err)
				}
			},
			wantSheet: "Sheet1", headerRow: 1, header: []string{"a", "b"},
			rows: [][]string{{"1", "2"}}, nums: []int{2}},
		{name: "values as displayed",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{
					"A1": "general", "B1": "bool", "C1": "date", "D1": "datetime", "E1": "pct", "F1": "money", "G1": "formula",
					"A2": 0.1 + 0.2, "B2": true, "C2": 45000.25, "D2": 45000.5, "E2": 0.125, "F2": -1234.5,
					"A3": 1e15, "B3": false,
				})
				style(t, f, "Sheet1", "C2", &excelize.Style{NumFmt: 14})
				style(t, f, "Sheet1", "D2", &excelize.Style{NumFmt: 22})
				style(t, f, "Sheet1", "E2", &excelize.Style{NumFmt: 10})
				style(t, f, "Sheet1", "F2", &excelize.Style{NumFmt: 4})
				if err := f.SetCellFormula("Sheet1", "G2", "A2*2"); err != nil { // no cached value
					t.Fatal(err)
				}
			},
			wantSheet: "Sheet1", headerRow: 1,
			header: []string{"general", "bool", "date", "datetime", "pct", "money", "formula"},
			rows: [][]string{
				{"0.3", "TRUE", "2023-03-15", "2023-03-15 12:00", "12.50%", "-1,234.50", ""},
				{"1E+15", "FALSE", "", "", "", "", ""},
			},
			nums: []int{2, 3}},
		{name: "zero sections and the built-in comma style",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{"A1": "zero", "B1": "comma", "C1": "phone", "A2": 0, "B2": 0, "C2": 2125551234, "A3": -2, "B3": -1234.5, "C3": 5551234})
				for _, ref := range []string{"A2", "A3"} {
					style(t, f, "Sheet1", ref, custom(`0;-0;"zero";@`))
				}
				for _, ref := range []string{"B2", "B3"} {
					style(t, f, "Sheet1", ref, &excelize.Style{NumFmt: 43})
				}
				for _, ref := range []string{"C2", "C3"} {
					style(t, f, "Sheet1", ref, custom(`[<=9999999]###-####;(###) ###-####`))
				}
			},
			wantSheet: "Sheet1", headerRow: 1, header: []string{"zero", "comma", "phone"},
			rows: [][]string{{"zero", "-", "(212) 555-1234"}, {"-2", "(1,234.50)", "555-1234"}}, nums: []int{2, 3}},
		{name: "1904 date system is honoured",
			build: func(t *testing.T, f *excelize.File) {
				on := true
				if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &on}); err != nil {
					t.Fatal(err)
				}
				set(t, f, "Sheet1", map[string]any{"A1": "date", "A2": 45000.25})
				style(t, f, "Sheet1", "A2", &excelize.Style{NumFmt: 14})
			},
			wantSheet: "Sheet1", headerRow: 1, header: []string{"date"},
			rows: [][]string{{"2027-03-16"}}, nums: []int{2}}, // serial 45000 counted from 1904-01-01
		{name: "grouped percentages are fixed, text that looks alike is not",
			build: func(t *testing.T, f *excelize.File) {
				set(t, f, "Sheet1", map[string]any{
					"A1": "pct", "B1": "text", "C1": "decimals",
					"A2": 1.3742844627388857, "B2": "1,37%", "C2": 16.6616311655628,
					"A3": 16.6616311655628, "A4": 12345.67, "A5": 0.48, "A6": -12.5,
				})
				for _, ref := range []string{"A2", "A3", "A4", "A5", "A6", "B2"} {
					style(t, f, "Sheet1", ref, custom("#,##0%"))
				}
				style(t, f, "Sheet1", "C2", custom("#,##0.00%"))
			},
			wantSheet: "Sheet1", headerRow: 1, header: []string{"pct", "text", "decimals"},
			rows: [][]string{{"137%", "1,37%", "1,666.16%"}, {"1,666%", "", ""}, {"1,234,567%", "", ""}, {"48%", "", ""}, {"-1,250%", "", ""}},
			nums: []int{2, 3, 4, 5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := workbook(t, func(f *excelize.File) { tt.build(t, f) })
			x, err := OpenXLSX(path, XLSXOptions{Sheet: tt.sheet})
			if err != nil {
				t.Fatalf("OpenXLSX: %v", err)
			}
			defer x.Close()
			if got := x.Sheet(); got != tt.wantSheet {
				t.Errorf("sheet: got %q, want %q", got, tt.wantSheet)
			}
			if got := x.HeaderRow(); got != tt.headerRow {
				t.Errorf("header row: got %d, want %d", got, tt.headerRow)
			}
			checkRead(t, x, tt.header, tt.rows, tt.nums)
		})
	}
}

func TestXLSXErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := workbook(t, func(f *excelize.File) { set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": 1}) })
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	beyondValue := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", map[string]any{"A1": "a", "B1": "b", "A2": 1, "A3": 2, "D3": "stray"})
	})
	beyondFormula := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": 1})
		if err := f.SetCellFormula("Sheet1", "C2", "A2*2"); err != nil {
			t.Fatal(err)
		}
	})
	beyondDimension := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": 1, "S2": "19"})
		if err := f.SetSheetDimension("Sheet1", "A1:S2"); err != nil {
			t.Fatal(err)
		}
	})
	blankBook := workbook(t, func(f *excelize.File) {})
	twoSheets := workbook(t, func(f *excelize.File) {
		if _, err := f.NewSheet("Data"); err != nil {
			t.Fatal(err)
		}
	})
	ole := append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 1024)...)
	tests := []struct {
		name      string
		path      string
		sheet     string
		kind      error // nil: only the message is checked
		want      string
		rowsFirst int
	}{
		{name: "renamed text file", path: write("text.xlsx", []byte("a,b\n1,2\n")), kind: ErrHoldsText,
			want: filepath.Join(dir, "text.xlsx") + ": not an Excel workbook: it holds text"},
		{name: "html saved as xlsx, cut inside a character", path: write("web.xlsx", []byte("<table><td>"+strings.Repeat("é", 300))), kind: ErrNotWorkbook,
			want: filepath.Join(dir, "web.xlsx") + ": not an Excel workbook: it holds text"},
		{name: "some other binary", path: write("bin.xlsx", []byte("\x00\x01\x02\xff")), kind: ErrNotWorkbook,
			want: filepath.Join(dir, "bin.xlsx") + ": not an Excel workbook: it is not a zip archive, as every .xlsx file is (zip: not a valid zip file)"},
		{name: "empty file", path: write("empty.xlsx", nil), kind: ErrNotWorkbook,
			want: filepath.Join(dir, "empty.xlsx") + ": not an Excel workbook: the file is empty"},
		{name: "truncated", path: write("cut.xlsx", goodBytes[:len(goodBytes)/2]), kind: ErrNotWorkbook,
			want: filepath.Join(dir, "cut.xlsx") + ": not an Excel workbook: the zip archive inside is damaged or cut short (zip: not a valid zip file); copy the file again or save it again from Excel"},
		// Excel's password protection (and a legacy .xls) is an OLE
		// compound file; its signature and zeros stand in for one here.
		{name: "encrypted or legacy", path: write("locked.xlsx", ole), kind: ErrNotWorkbook,
			want: filepath.Join(dir, "locked.xlsx") + ": not an Excel workbook: it is password-protected or an old .xls file; open it in Excel and save it as .xlsx (Excel Workbook) without a password"},
		{name: "missing file", path: filepath.Join(dir, "nope.xlsx"), kind: fs.ErrNotExist,
			want: "open " + filepath.Join(dir, "nope.xlsx") + ": no such file or directory"},
		{name: "unknown sheet", path: twoSheets, sheet: "Sheet3",
			want: twoSheets + `: no sheet named "Sheet3"; the workbook has "Sheet1", "Data"`},
		{name: "empty sheet", path: blankBook, kind: ErrEmpty, want: blankBook + `: sheet "Sheet1" is empty: no header row`},
		{name: "value beyond the header", path: beyondValue, kind: ErrBeyondHeader, rowsFirst: 1,
			want: beyondValue + `: sheet "Sheet1", cell D3: a value to the right of the header's last column B: it has no column name, and xlsx output would overwrite it; give column D a header or move the cell`},
		{name: "value beyond a header the dimension cannot widen", path: beyondDimension, kind: ErrBeyondHeader,
			want: beyondDimension + `: sheet "Sheet1", cell S2: a value to the right of the header's last column A: it has no column name, and xlsx output would overwrite it; give column S a header or move the cell`},
		{name: "formula beyond the header", path: beyondFormula, kind: ErrBeyondHeader,
			want: beyondFormula + `: sheet "Sheet1", cell C2: a formula to the right of the header's last column A: it has no column name, and xlsx output would overwrite it; give column C a header or move the cell`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []table.Row
			x, err := OpenXLSX(tt.path, XLSXOptions{Sheet: tt.sheet})
			if err == nil {
				rows, err = readAll(t, x)
				x.Close()
			} else if x != nil {
				t.Errorf("got a reader along with error %v", err)
			}
			if err == nil {
				t.Fatal("got no error")
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("got error %v, want %v", err, tt.kind)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("got %q, want %q", err.Error(), tt.want)
			}
			if len(rows) != tt.rowsFirst {
				t.Errorf("got %d rows before the error, want %d", len(rows), tt.rowsFirst)
			}
		})
	}
}

func TestXLSXClose(t *testing.T) {
	path := workbook(t, func(f *excelize.File) { set(t, f, "Sheet1", map[string]any{"A1": "a", "A2": 1}) })
	x, err := OpenXLSX(path, XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := x.Next(context.Background()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Next after Close: got %v, want an error saying it is closed", err)
	}
}

func TestHeaderWidth(t *testing.T) {
	tests := []struct{ header, dimension, want int }{
		{3, 0, 3},     // no dimension
		{3, 2, 3},     // a stale, narrower dimension
		{3, 5, 5},     // unnamed columns with data
		{1, 18, 18},   // 2*1+16
		{1, 19, 1},    // one more is not believed
		{10, 36, 36},  // 2*10+16
		{2, 16384, 2}, // A1:XFD…
		{16384, 16384, 16384},
	}
	for _, tt := range tests {
		if got := headerWidth(tt.header, tt.dimension); got != tt.want {
			t.Errorf("headerWidth(%d, %d): got %d, want %d", tt.header, tt.dimension, got, tt.want)
		}
	}
}
