package readers

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// seedWorkbook is a small workbook with numbers, text, a bool and a
// grouped-percent format, so fuzzing starts from every cell path we use.
func seedWorkbook(t testing.TB) []byte {
	book := excelize.NewFile()
	defer book.Close()
	for _, c := range []struct {
		ref string
		v   any
	}{{"A1", "id"}, {"B1", "text"}, {"C1", "n"}, {"A2", 1}, {"B2", "x"}, {"C3", 1.5}, {"A5", true}} {
		if err := book.SetCellValue("Sheet1", c.ref, c.v); err != nil {
			t.Fatal(err)
		}
	}
	code := "#,##0%"
	id, err := book.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		t.Fatal(err)
	}
	if err := book.SetCellStyle("Sheet1", "C3", "C3", id); err != nil {
		t.Fatal(err)
	}
	buf, err := book.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkXLSX reads a workbook and checks what any successful read must
// satisfy; failures only have to be errors, which the caller ignores.
func checkXLSX(t *testing.T, data []byte) {
	path := filepath.Join(t.TempDir(), "fuzz.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := OpenXLSX(path, XLSXOptions{})
	if err != nil {
		return
	}
	defer x.Close()
	rows, _ := readAll(t, x)
	last := x.HeaderRow()
	for _, row := range rows {
		if len(row.Cells) != len(x.Header()) {
			t.Fatalf("row %d has %d cells, the header %d", row.Num, len(row.Cells), len(x.Header()))
		}
		if row.Num <= last {
			t.Fatalf("row %d follows row %d", row.Num, last)
		}
		last = row.Num
	}
}

// FuzzXLSX feeds mutated files to the reader. Most mutations of a zip only
// break its checksums, so this mainly covers the "not a workbook" paths;
// FuzzXLSXParts reaches the XML. Each input takes about a millisecond,
// nearly all of it in excelize; TestMain keeps minimisation from eating a
// short run (go test -run='^$' -fuzz='^FuzzXLSX$' -fuzztime=10s).
func FuzzXLSX(f *testing.F) {
	f.Add(seedWorkbook(f))
	for _, rel := range []string{"tealeg-xlsx/empty_cells.xlsx", "tealeg-xlsx/wpsBlankLineTest.xlsx", "excelize/MergeCell.xlsx"} {
		if data, err := os.ReadFile(filepath.Join(corpora, "xlsx", rel)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a,b\n1,2\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(checkXLSX)
}

// FuzzXLSXParts mutates the worksheet, shared strings and styles XML of a
// valid workbook and zips them up again, so that excelize's XML handling,
// where its panics live, is what gets exercised.
func FuzzXLSXParts(f *testing.F) {
	seed := seedWorkbook(f)
	parts := unzipParts(f, seed)
	f.Add(parts["xl/worksheets/sheet1.xml"], parts["xl/sharedStrings.xml"], parts["xl/styles.xml"])
	f.Add([]byte(`<worksheet><dimension ref="A1:XFD3"/><sheetData><row r="2"><c r="B2" t="s"><v>7</v></c></row><row><c t="n" s="99"><v>1e400</v></c></row></sheetData></worksheet>`),
		parts["xl/sharedStrings.xml"], parts["xl/styles.xml"])
	f.Fuzz(func(t *testing.T, sheet, shared, styles []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range sortedKeys(parts) {
			data := parts[name]
			switch name {
			case "xl/worksheets/sheet1.xml":
				data = sheet
			case "xl/sharedStrings.xml":
				data = shared
			case "xl/styles.xml":
				data = styles
			}
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(data); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		checkXLSX(t, buf.Bytes())
	})
}

func unzipParts(t testing.TB, data []byte) map[string][]byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, file := range zr.File {
		rc, err := file.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[file.Name] = b
	}
	return parts
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
