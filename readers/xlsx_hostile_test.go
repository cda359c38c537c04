package readers

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rawBook writes a workbook from its sheet XML and shared strings (none
// when sst is ""), so tests can hold exactly the damage they describe.
func rawBook(t testing.TB, sheet, sst string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	writeRawBook(t, path, map[string]string{"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": sst})
	return path
}

func writeRawBook(t testing.TB, path string, extra map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if extra["xl/sharedStrings.xml"] != "" {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	files := map[string]string{
		"[Content_Types].xml":        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`,
		"_rels/.rels":                `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`,
	}
	for k, v := range extra {
		if v != "" {
			files[k] = v
		}
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"} {
		if body, ok := files[name]; ok {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rowsXML is a sheet of a header and rows 2..n, with fn free to change
// any row's XML.
func rowsXML(n int, fn func(r int, xml string) string) string {
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	b.WriteString(`<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>text</t></is></c></row>`)
	for r := 2; r <= n; r++ {
		x := fmt.Sprintf(`<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>row %d</t></is></c></row>`, r, r, r, r, r)
		if fn != nil {
			x = fn(r, x)
		}
		b.WriteString(x)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String()
}

func TestXLSXHostile(t *testing.T) {
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si><si><t>b</t></si></sst>`
	whole := rowsXML(101, nil)
	cut := whole[:strings.Index(whole, `<row r="30">`)+40]
	tests := []struct {
		name  string
		sheet string
		sst   string
		rows  int    // read before the error
		kind  error  // nil: only the text is checked
		want  string // the error's text after the file name
	}{
		{name: "garbage inside row 52 of 101", sheet: rowsXML(101, func(r int, x string) string {
			if r == 52 {
				return strings.Replace(x, `</c><c r="B52"`, `</c><<garbage/><c r="B52"`, 1)
			}
			return x
		}), rows: 50, want: `sheet "Sheet1", cell A52: xl/worksheets/sheet1.xml: XML syntax error on line 1 (byte 4845): '<' inside a tag`},
		{name: "sheet cut in the middle of row 30", sheet: cut, rows: 28,
			want: `sheet "Sheet1", cell A30: xl/worksheets/sheet1.xml: XML syntax error on line 1 (byte 2799): unterminated start tag`},
		{name: "shared string index past the table", sst: sst, kind: ErrSharedString, rows: 1, sheet: rowsXML(4, func(r int, x string) string {
			if r == 3 {
				return `<row r="3"><c r="A3"><v>3</v></c><c r="B3" t="s"><v>99</v></c></row>`
			}
			return x
		}), want: `sheet "Sheet1", cell B3: shared string 99 does not exist: the workbook's table has 2`},
		{name: "rows out of order 1, 3, 2, 4", kind: ErrRowOrder, rows: 1, sheet: strings.Replace(rowsXML(4, nil),
			`<row r="2"><c r="A2"><v>2</v></c><c r="B2" t="inlineStr"><is><t>row 2</t></is></c></row><row r="3"><c r="A3"><v>3</v></c><c r="B3" t="inlineStr"><is><t>row 3</t></is></c></row>`,
			`<row r="3"><c r="A3"><v>3</v></c><c r="B3" t="inlineStr"><is><t>row 3</t></is></c></row><row r="2"><c r="A2"><v>2</v></c><c r="B2" t="inlineStr"><is><t>row 2</t></is></c></row>`, 1),
			want: `sheet "Sheet1", row 2: row 2 comes after row 3 in the sheet's XML; Excel writes rows in ascending order, so the file was made by other software or damaged (opening it in LibreOffice and saving it again puts the rows in order)`},
		{name: "cells out of order", kind: ErrRowOrder, rows: 0, sheet: rowsXML(3, func(r int, x string) string {
			if r == 2 {
				return `<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c></row>`
			}
			return x
		}), want: `sheet "Sheet1", cell A2: cell A2 comes after cell B2 in the sheet's XML; cells of a row must be in ascending columns`},
		{name: "a DOCTYPE", sheet: `<!DOCTYPE x [<!ENTITY a "aaaa">]>` + rowsXML(3, nil),
			want: `sheet "Sheet1": xl/worksheets/sheet1.xml: XML syntax error on line 1 (byte 0): a DOCTYPE, which a workbook's parts may not have`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := rawBook(t, tt.sheet, tt.sst)
			x, err := OpenXLSX(path, XLSXOptions{})
			var rows int
			if err == nil {
				r, e := readAll(t, x)
				rows, err = len(r), e
				x.Close()
			}
			if err == nil {
				t.Fatalf("no error after %d rows", rows)
			}
			if tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Errorf("error %v is not %v", err, tt.kind)
			}
			if got, want := err.Error(), path+": "+tt.want; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
			if rows != tt.rows {
				t.Errorf("got %d rows before the error, want %d", rows, tt.rows)
			}
		})
	}
}

// TestXLSXBombs: parts that inflate far beyond their compressed size are
// refused, at once when the zip's directory says so, and after the ratio
// floor when the inflating shows it.
func TestXLSXBombs(t *testing.T) {
	t.Run("a sheet the zip says inflates to 1 GB", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bomb.xlsx")
		writeRawBook(t, path, map[string]string{"xl/worksheets/sheet1.xml": rowsXML(3, nil)})
		rezip(t, path, func(f *zip.File, zw *zip.Writer) bool {
			if f.Name != "xl/worksheets/sheet1.xml" {
				return false
			}
			fh := f.FileHeader
			fh.UncompressedSize64 = 1 << 30
			w, err := zw.CreateRaw(&fh)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := f.OpenRaw()
			io.Copy(w, r)
			return true
		})
		start := time.Now()
		_, err := OpenXLSX(path, XLSXOptions{})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 200 times its compressed size") {
			t.Fatalf("got %v, want ErrTooLarge saying the limit", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v to refuse", d)
		}
	})
	t.Run("ten million tiny shared strings in a small file", func(t *testing.T) {
		if testing.Short() {
			t.Skip("compresses 170 MB")
		}
		path := filepath.Join(t.TempDir(), "strings.xlsx")
		writeRawBook(t, path, map[string]string{"xl/worksheets/sheet1.xml": rowsXML(3, nil), "xl/sharedStrings.xml": "<sst/>"})
		rezip(t, path, func(f *zip.File, zw *zip.Writer) bool {
			if f.Name != "xl/sharedStrings.xml" {
				return false
			}
			w, err := zw.Create(f.Name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("<sst>"))
			chunk := []byte(strings.Repeat("<si><t>a</t></si>", 10000))
			for range 1000 {
				w.Write(chunk)
			}
			w.Write([]byte("</sst>"))
			return true
		})
		st, _ := os.Stat(path)
		start := time.Now()
		_, err := OpenXLSX(path, XLSXOptions{})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("a %d-byte file: got %v, want ErrTooLarge", st.Size(), err)
		}
		t.Logf("a %d-byte file refused in %v: %v", st.Size(), time.Since(start), err)
	})
}

// rezip rewrites the zip at path, letting fn write any entry itself
// (returning true) instead of having it copied.
func rezip(t *testing.T, path string, fn func(f *zip.File, zw *zip.Writer) bool) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range zr.File {
		if fn(f, zw) {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
