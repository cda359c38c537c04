package writers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
)

// minimalBook writes a one-sheet workbook around sheet XML (and shared
// strings unless sst is "").
func minimalBook(t testing.TB, path, sheet, sst string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != "" {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/sharedStrings.xml", sst},
	} {
		if p.body == "" {
			continue
		}
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sheetOf(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData>` + "</worksheet>"
}

func dataRows(n int, fn func(r int, x string) string) string {
	var b strings.Builder
	b.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>text</t></is></c></row>`)
	for r := 2; r <= n; r++ {
		x := fmt.Sprintf(`<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>row %d</t></is></c></row>`, r, r, r, r, r)
		if fn != nil {
			x = fn(r, x)
		}
		b.WriteString(x)
	}
	return b.String()
}

// readBack reads a workbook with our reader: header and rows.
func readBack(t *testing.T, path string) ([]string, []table.Row) {
	t.Helper()
	x, err := readers.OpenXLSX(path, readers.XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var rows []table.Row
	for {
		r, err := x.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return x.Header(), rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
}

// Control characters, text that looks like an escape, carriage returns
// and edge whitespace all come back as they went in, in a new workbook
// (input cells and answers) and in one edited in place (answers).
func TestXLSXControlCharacters(t *testing.T) {
	hard := []string{"a\x0bb", "\x00\x01\x1b", "\uFFFE\uFFFF", "_x0041_", "cr\r\nlf\rx", " lead", "trail\t", "😀", "_x005F_x0001_"}
	dir := t.TempDir()
	out := filepath.Join(dir, "new.xlsx")
	w, err := Create(out, Options{Format: table.XLSX, Header: []string{"text"}, Added: []string{"response"},
		Source: table.Source{Format: table.CSV}})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	for i, s := range hard {
		recs = append(recs, Record{Row: table.Row{Num: i + 2, Cells: []string{s}}, Values: []string{s + "!"}})
	}
	writeAll(t, w, recs)
	header, rows := readBack(t, out)
	if !slices.Equal(header, []string{"text", "response"}) {
		t.Errorf("header %q", header)
	}
	for i, r := range rows {
		if r.Cells[0] != hard[i] || r.Cells[1] != hard[i]+"!" {
			t.Errorf("row %d: got %q, want %q and %q", r.Num, r.Cells, hard[i], hard[i]+"!")
		}
	}

	in := filepath.Join(dir, "in.xlsx")
	minimalBook(t, in, sheetOf(dataRows(len(hard)+1, nil)), "")
	out2 := filepath.Join(dir, "inplace.xlsx")
	w, err = Create(out2, Options{Format: table.XLSX, Header: []string{"id", "text"}, Added: []string{"response"},
		Source: table.Source{Format: table.XLSX, Path: in, Sheet: "Sheet1", HeaderRow: 1}})
	if err != nil {
		t.Fatal(err)
	}
	recs = recs[:0]
	for i, s := range hard {
		recs = append(recs, Record{Row: table.Row{Num: i + 2}, Values: []string{s}})
	}
	writeAll(t, w, recs)
	_, rows = readBack(t, out2)
	for i, r := range rows {
		if r.Cells[2] != hard[i] {
			t.Errorf("in place, row %d: got %q, want %q", r.Num, r.Cells[2], hard[i])
		}
	}
}

// Damage and conflicts in the input sheet are refused when the writer is
// made, before any request, with the file, sheet and row.
func TestInPlaceRefusesUpFront(t *testing.T) {
	tests := []struct {
		name, sheet, want string
	}{
		{name: "broken XML in row 52", sheet: sheetOf(dataRows(101, func(r int, x string) string {
			if r == 52 {
				return strings.Replace(x, "</c><c", "</c><<garbage/><c", 1)
			}
			return x
		})), want: `sheet "Sheet1", row 52: XML syntax error on line 2 (byte 4884): '<' inside a tag`},
		{name: "rows out of order 1, 3, 2, 4", sheet: sheetOf(dataRows(4, func(r int, x string) string {
			switch r {
			case 2:
				return strings.ReplaceAll(strings.ReplaceAll(x, "2", "3"), "row 3", "row 3")
			case 3:
				return strings.ReplaceAll(x, "3", "2")
			}
			return x
		})), want: `sheet "Sheet1", row 2: row 2 comes after row 3 in the sheet's XML; rows must be in ascending order`},
		{name: "a merged range running into the first added column", sheet: strings.Replace(sheetOf(dataRows(8, nil)), "</sheetData>", `</sheetData><mergeCells count="1"><mergeCell ref="B5:D6"/></mergeCells>`, 1),
			want: `sheet "Sheet1": merged range B5:D6 covers cell C5, where column "response" goes; unmerge it or move it first`},
		{name: "the sheet cut short", sheet: sheetOf(dataRows(40, nil))[:900],
			want: `sheet "Sheet1", row 9: XML syntax error on line 2 (byte 887): unterminated start tag`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.xlsx")
			minimalBook(t, in, tt.sheet, "")
			_, err := Create(filepath.Join(dir, "out.xlsx"), Options{Format: table.XLSX, Header: []string{"id", "text"},
				Added: []string{"response"}, Source: table.Source{Format: table.XLSX, Path: in, HeaderRow: 1}})
			if err == nil || err.Error() != in+": "+tt.want {
				t.Fatalf("got  %v\nwant %s: %s", err, in, tt.want)
			}
			if names := listDir(t, dir); !slices.Equal(names, []string{"in.xlsx"}) {
				t.Errorf("left %q behind", names)
			}
		})
	}
}

// FuzzSheetRewrite builds sheets from fuzz input (shared and inline
// strings, rich text, numbers, cells and rows without r, rows out of
// order, empty rows, styled blanks where the added column goes) and
// checks the in-place writer against our reader: when the reader takes
// the sheet, the writer must too, and the output must read as the input
// plus the added column, every input cell unchanged.
func FuzzSheetRewrite(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{9, 9, 1, 0, 200, 3, 17, 33, 65, 129})
	f.Add([]byte{6, 6, 6, 8, 8, 250, 251, 252})
	f.Fuzz(func(t *testing.T, data []byte) {
		sheet, sst := fuzzSheet(data)
		dir := t.TempDir()
		in := filepath.Join(dir, "in.xlsx")
		minimalBook(t, in, sheet, sst)
		x, err := readers.OpenXLSX(in, readers.XLSXOptions{})
		if err != nil {
			return
		}
		header := x.Header()
		var rows []table.Row
		for {
			r, err := x.Next(context.Background())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				x.Close()
				return // a sheet the reader refuses is refused before any write
			}
			rows = append(rows, r)
		}
		src := x.Source()
		x.Close()
		out := filepath.Join(dir, "out.xlsx")
		w, err := Create(out, Options{Format: table.XLSX, Header: header, Added: []string{"answer"}, Source: src})
		if err != nil {
			t.Fatalf("the reader took the sheet, the writer refused it: %v\n%s", err, sheet)
		}
		for _, r := range rows {
			if err := w.Write(context.Background(), Record{Row: r, Values: []string{fmt.Sprintf("answer %d", r.Num)}}); err != nil {
				t.Fatalf("row %d: %v\n%s", r.Num, err, sheet)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("close: %v\n%s", err, sheet)
		}
		y, err := readers.OpenXLSX(out, readers.XLSXOptions{})
		if err != nil {
			t.Fatalf("output unreadable: %v\n%s", err, sheet)
		}
		defer y.Close()
		if got, want := y.Header(), append(slices.Clone(header), "answer"); !slices.Equal(got[:len(want)], want) {
			t.Fatalf("header %q, want %q", got, want)
		}
		for _, r := range rows {
			got, err := y.Next(context.Background())
			if err != nil {
				t.Fatalf("row %d: %v", r.Num, err)
			}
			if got.Num != r.Num || !slices.Equal(got.Cells[:len(header)], r.Cells) || got.Cells[len(header)] != fmt.Sprintf("answer %d", r.Num) {
				t.Fatalf("row %d came back as row %d %q, want %q + answer\n%s", r.Num, got.Num, got.Cells, r.Cells, sheet)
			}
		}
	})
}

// fuzzSheet turns bytes into sheet XML and a shared string table.
func fuzzSheet(data []byte) (string, string) {
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	row, col := 0, 0
	open := false
	closeRow := func() {
		if open {
			b.WriteString("</row>")
			open = false
		}
	}
	for i, c := range data {
		switch op := c % 12; op {
		case 0, 1: // a new row, with or without r, sometimes skipping some
			closeRow()
			row += 1 + int(c>>6)
			col = 0
			open = true
			if op == 0 {
				fmt.Fprintf(&b, `<row r="%d" spans="1:3">`, row)
			} else {
				b.WriteString("<row>")
			}
		case 2: // an empty row
			closeRow()
			row++
			fmt.Fprintf(&b, `<row r="%d"/>`, row)
		case 3: // a row out of order
			closeRow()
			row = max(1, row-1-int(c>>6))
			col = 0
			open = true
			fmt.Fprintf(&b, `<row r="%d">`, row)
		default:
			if !open {
				row++
				col = 0
				open = true
				fmt.Fprintf(&b, `<row r="%d">`, row)
			}
			col += 1 + int(c>>7)
			ref := fmt.Sprintf(` r="%s%d"`, columnName(col), row)
			if c&0x20 != 0 {
				ref = "" // no r: the next column
				col -= int(c >> 7)
			}
			switch op {
			case 4:
				fmt.Fprintf(&b, `<c%s t="s"><v>%d</v></c>`, ref, i%3)
			case 5:
				fmt.Fprintf(&b, `<c%s t="inlineStr"><is><t>in %d &amp; &lt;</t></is></c>`, ref, i)
			case 6:
				fmt.Fprintf(&b, `<c%s t="inlineStr"><is><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>%d</t></r><rPh><t>ignored</t></rPh></is></c>`, ref, i)
			case 7:
				fmt.Fprintf(&b, `<c%s><v>%d.5</v></c>`, ref, i)
			case 8:
				fmt.Fprintf(&b, `<c%s s="1"/>`, ref) // a styled blank
			case 9:
				fmt.Fprintf(&b, `<c%s t="b"><v>1</v></c>`, ref)
			case 10:
				fmt.Fprintf(&b, `<c%s><f>1+1</f><v>2</v></c>`, ref)
			case 11:
				fmt.Fprintf(&b, `<c%s t="str"><v>_x0001_ctl</v></c>`, ref)
			}
		}
	}
	closeRow()
	b.WriteString(`</sheetData></worksheet>`)
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>zero</t></si><si><r><t>on</t></r><r><t>e</t></r></si><si><t/></si></sst>`
	return b.String(), sst
}
