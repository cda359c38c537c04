package readers

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// The six workbooks of the shared xlsx corpus, by the name the oracles in
// expected/ use.
var xlsxCorpus = map[string]string{
	"Book1":            "excelize/Book1.xlsx",
	"MergeCell":        "excelize/MergeCell.xlsx",
	"empty_cells":      "tealeg-xlsx/empty_cells.xlsx",
	"inlineStrings":    "tealeg-xlsx/inlineStrings.xlsx",
	"testcelltypes":    "tealeg-xlsx/testcelltypes.xlsx",
	"wpsBlankLineTest": "tealeg-xlsx/wpsBlankLineTest.xlsx",
}

// Where our text knowingly differs from LibreOffice's "as shown" export,
// keyed "Book/Sheet!Cell", with what we give instead and why.
var libreOfficeDivergences = map[string]struct{ ours, why string }{
	// Built-in format 14 is the viewer's locale's short date; LibreOffice
	// ran as en-US. We show ISO 8601. The value itself, 2015-01-01, proves
	// the 1904 date system was honoured (ignored, it would be 2010-12-31).
	"testcelltypes/Sheet1!A5": {"2015-01-01", "format 14 shown as ISO 8601"},
	// Formulas saved without a cached value: LibreOffice recalculates them,
	// we (like openpyxl) have nothing to show.
	"Book1/Sheet2!E11": {"", "formula without cached value"},
	"Book1/Sheet2!F11": {"", "formula without cached value"},
	"Book1/Sheet2!G11": {"", "formula without cached value"},
	"Book1/Sheet2!H11": {"", "formula without cached value"},
	"Book1/Sheet2!I11": {"", "formula without cached value"},
}

// sheetText reads every row of a sheet as we display it, without the
// header logic of XLSX, so it can be laid over the oracles cell by cell.
func sheetText(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	b, err := openBook(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	sh, ok := b.pkg.Sheet(sheet)
	if !ok {
		t.Fatalf("no sheet %q", sheet)
	}
	merges, err := scanMerges(b, sh.Part)
	if err != nil {
		t.Fatal(err)
	}
	blanker := mergeBlanker{merges: merges}
	rows, err := openSheetStream(b, sh.Part)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.close()
	var out [][]string
	for {
		row, ok, err := rows.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		blanker.apply(row)
		for len(out) < row.num-1 {
			out = append(out, nil)
		}
		var cells []string
		for _, c := range row.cells {
			for len(cells) < c.col-1 {
				cells = append(cells, "")
			}
			cells = append(cells, c.text)
		}
		out = append(out, cells)
	}
}

func textAt(rows [][]string, r, c int) string {
	if r < len(rows) && c < len(rows[r]) {
		return rows[r][c]
	}
	return ""
}

func cellName(r, c int) string {
	name, _ := excelize.CoordinatesToCellName(c+1, r+1)
	return name
}

func TestXLSXMatchesLibreOffice(t *testing.T) {
	dir := corpus(t, "xlsx")
	seen := map[string]bool{}
	oracles, err := filepath.Glob(filepath.Join(dir, "expected", "libreoffice-as-shown", "*.csv"))
	if err != nil || len(oracles) != 7 {
		t.Fatalf("want 7 LibreOffice exports, got %d (%v)", len(oracles), err)
	}
	for _, oracle := range oracles {
		book, sheet, _ := strings.Cut(strings.TrimSuffix(filepath.Base(oracle), ".csv"), "-")
		t.Run(book+"/"+sheet, func(t *testing.T) {
			data, err := os.ReadFile(oracle)
			if err != nil {
				t.Fatal(err)
			}
			want, err := readCSV(t, data, ',')
			if err != nil {
				t.Fatal(err)
			}
			got := sheetText(t, filepath.Join(dir, xlsxCorpus[book]), sheet)
			if len(got) > len(want) {
				t.Errorf("got %d rows, LibreOffice %d", len(got), len(want))
			}
			for r := range max(len(got), len(want)) {
				for c := range max(len(cellsRow(got, r)), len(cellsRow(want, r))) {
					key := book + "/" + sheet + "!" + cellName(r, c)
					wantText := textAt(want, r, c)
					if d, ok := libreOfficeDivergences[key]; ok {
						seen[key] = true
						wantText = d.ours
					}
					if g := textAt(got, r, c); g != wantText {
						t.Errorf("%s: got %q, want %q", cellName(r, c), g, wantText)
					}
				}
			}
		})
	}
	for key, d := range libreOfficeDivergences {
		if !seen[key] {
			t.Errorf("divergence %s (%s) was never met", key, d.why)
		}
	}
}

func cellsRow(rows [][]string, r int) []string {
	if r < len(rows) {
		return rows[r]
	}
	return nil
}

// TestXLSXMatchesOpenpyxl compares with openpyxl's cached values where a
// comparison means something: text, booleans, empty cells, and numbers
// whose display is a plain number. Formatted numbers ("3,599,619") are
// checked against LibreOffice instead.
func TestXLSXMatchesOpenpyxl(t *testing.T) {
	dir := corpus(t, "xlsx")
	for book, rel := range xlsxCorpus {
		data, err := os.ReadFile(filepath.Join(dir, "expected", book+".openpyxl.json"))
		if err != nil {
			t.Fatal(err)
		}
		var oracle struct {
			Sheets []struct {
				Name string
				Rows [][]any
			}
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&oracle); err != nil {
			t.Fatal(err)
		}
		for _, sh := range oracle.Sheets {
			t.Run(book+"/"+sh.Name, func(t *testing.T) {
				got := sheetText(t, filepath.Join(dir, rel), sh.Name)
				for r, row := range sh.Rows {
					for c, v := range row {
						g := textAt(got, r, c)
						switch v := v.(type) {
						case nil:
							if g != "" {
								t.Errorf("%s: got %q, want empty", cellName(r, c), g)
							}
						case bool:
							if want := strings.ToUpper(strconv.FormatBool(v)); g != want {
								t.Errorf("%s: got %q, want %q", cellName(r, c), g, want)
							}
						case string:
							if book == "testcelltypes" && v == "2015-01-01T00:00:00" {
								v = "2015-01-01" // openpyxl gives a datetime; we show the date as formatted
							}
							if g != v {
								t.Errorf("%s: got %q, want %q", cellName(r, c), g, v)
							}
						case json.Number:
							num, err := strconv.ParseFloat(g, 64)
							if err != nil {
								continue // a formatted number
							}
							if want, _ := v.Float64(); num != want {
								t.Errorf("%s: got %q, want %s", cellName(r, c), g, v)
							}
						}
					}
				}
			})
		}
	}
}

// TestXLSXCorpus checks what the reader makes of each workbook: where the
// header is, which rows are data, and where it stops.
func TestXLSXCorpus(t *testing.T) {
	dir := corpus(t, "xlsx")
	tests := []struct {
		book, sheet string
		wantSheet   string
		headerRow   int
		header      []string
		rows        [][]string
		nums        []int
		err         string // after the rows, "" for io.EOF
	}{
		{book: "Book1", wantSheet: "Sheet1", headerRow: 19, header: []string{"Total:", "237", "", ""},
			rows: [][]string{{"", "", "Column1", "Column2"}, {"GitHub", "", "", ""}}, nums: []int{21, 22}},
		{book: "Book1", sheet: "Sheet2", wantSheet: "Sheet2", headerRow: 1, header: []string{"Monitor", "", "Brand", "", "inlineStr"},
			rows: [][]string{
				{"> 23 Inch", "19", "HP", "200", ""}, {"20-23 Inch", "24", "DELL", "450", ""}, {"17-20 Inch", "56", "Lenove", "200", ""},
				{"< 17 Inch", "21", "SONY", "510", ""}, {"", "", "Acer", "315", ""}, {"", "", "IBM", "127", ""}, {"", "", "ASUS", "89", ""},
				{"", "", "Apple", "348", ""}, {"", "", "SAMSUNG", "53", ""},
			},
			nums: []int{2, 3, 4, 5, 6, 7, 8, 9, 10},
			err:  `Book1.xlsx: sheet "Sheet2", cell F11: a formula to the right of the header's last column E: it has no column name, and xlsx output would overwrite it; give column F a header or move the cell`},
		{book: "MergeCell", wantSheet: "Sheet1", headerRow: 1, header: []string{"A1", "", "C1", "D1"},
			rows: [][]string{
				{"A2", "B2", "C2", "D2"}, {"", "B3", "C3", "D3"}, {"A4", "", "C4", "D4"}, {"", "", "C5", "D5"}, {"A6", "B6", "C6", "D6"},
				{"A7", "", "", "D7"}, {"", "", "", "D8"}, {"", "", "", "D9"}, {"", "", "", "D10"}, {"A11", "B11", "C11", "D11"}, {"A12", "B12", "C12", "D12"},
			},
			nums: []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{book: "empty_cells", wantSheet: "Sheet1", headerRow: 1, header: []string{"", "B1", "C1", "D1"},
			rows: [][]string{{"A2", "", "C2", "D2"}, {"A3", "B3", "", "D3"}, {"A4", "B4", "C4", ""}}, nums: []int{2, 3, 4}},
		{book: "wpsBlankLineTest", wantSheet: "Sheet1", headerRow: 1, header: []string{"编号", "", ""},
			rows: [][]string{{"编号", "", ""}, {"", "", "编号"}}, nums: []int{3, 5}},
		{book: "testcelltypes", wantSheet: "Sheet1", headerRow: 1, header: []string{"hello world", "string"},
			rows: [][]string{{"日本語", "string"}, {"12345", "int"}, {"1.024", "float"}, {"2015-01-01", "date"}, {"TRUE", "bool"}, {"30", "formula"}, {"#DIV/0!", "error"}},
			nums: []int{2, 3, 4, 5, 6, 7, 8}},
		// A report with a title row: the title is the header, and the table
		// further down runs past it. No dimension is recorded, so the width
		// is the title row's.
		{book: "inlineStrings", sheet: "activity by day", wantSheet: "Activity by Day", headerRow: 1,
			header: []string{"", "HL Retail - North America - Activity by Day - MTD"},
			rows:   [][]string{{"", "Advertiser: Malformed Industries"}, {"", "Campaign: Example malformed data."}, {"", "Dates: 06/01/16 - 06/25/16"}},
			nums:   []int{2, 3, 5},
			err:    `inlineStrings.xlsx: sheet "Activity by Day", cell I9: a value to the right of the header's last column B: it has no column name, and xlsx output would overwrite it; give column I a header or move the cell`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s", tt.book, tt.sheet), func(t *testing.T) {
			path := filepath.Join(dir, xlsxCorpus[tt.book])
			x, err := OpenXLSX(path, XLSXOptions{Sheet: tt.sheet})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if x.Sheet() != tt.wantSheet || x.HeaderRow() != tt.headerRow {
				t.Errorf("got sheet %q header row %d, want %q row %d", x.Sheet(), x.HeaderRow(), tt.wantSheet, tt.headerRow)
			}
			if got := x.Header(); !cmp.Equal(got, tt.header) {
				t.Errorf("header: got %q, want %q", got, tt.header)
			}
			rows, err := readAll(t, x)
			if got := cellsOf(rows); !cmp.Equal(got, tt.rows) {
				t.Errorf("rows: got %q, want %q", got, tt.rows)
			}
			if got := numsOf(rows); !cmp.Equal(got, tt.nums) {
				t.Errorf("row numbers: got %v, want %v", got, tt.nums)
			}
			want := tt.err
			if want != "" {
				want = filepath.Join(filepath.Dir(path), want)
			}
			if got := errText(err); got != want {
				t.Errorf("error: got %q, want %q", got, want)
			}
		})
	}
}
