package writers

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/enrich-dev/enrich/internal/ooxml"
	"github.com/enrich-dev/enrich/table"
)

// CellLimitError reports a value too long for one XLSX cell. Excel cannot
// hold it, and cutting it silently would be data loss, so the writer fails
// instead. Callers that would rather record a row error can check values
// with errors.As on a Write error or beforehand with CellChars.
type CellLimitError struct {
	Row    string // the row as located in the input, e.g. "row 12" or "line 12"
	Column string // the column's name
	Chars  int    // the value's length in UTF-16 code units, as Excel counts
}

func (e *CellLimitError) Error() string {
	return fmt.Sprintf("%s, column %q: %d characters exceed Excel's 32,767 per cell; write to .csv or .jsonl instead",
		e.Row, e.Column, e.Chars)
}

// XLSXMaxCellChars is the most text one Excel cell holds, in UTF-16 units.
const XLSXMaxCellChars = ooxml.MaxCellChars

// CellChars returns the length of s as Excel counts it against its 32,767
// per-cell limit: in UTF-16 code units, so an emoji counts twice.
func CellChars(s string) int {
	if len(s) <= XLSXMaxCellChars {
		return len(s) // never more units than bytes: a fast path for short text
	}
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// checkCell returns a *CellLimitError when s does not fit in one cell.
func checkCell(row, column, s string) error {
	if n := CellChars(s); n > XLSXMaxCellChars {
		return &CellLimitError{Row: row, Column: column, Chars: n}
	}
	return nil
}

// workbook writes a new single-sheet workbook, streaming: the small parts
// first, then the sheet, row by row, straight into the zip. Every text
// cell is an inline string, so text such as "=1+1" or "0012" stays text:
// never a formula, never a number. Only an added value whose table.Kind
// says so becomes a number or boolean cell (see cellValue).
//
// It has no <dimension>: that element comes before the rows, and knowing
// it would mean holding the rows back (excelize's StreamWriter keeps them
// in a temporary file to write it). Excel, LibreOffice and openpyxl, in
// either mode, read the sheet without one.
type workbook struct {
	zw      *zip.Writer
	w       *bufio.Writer
	opts    Options
	columns []string
	row     int // worksheet row last written
	buf     []byte
	werr    error
}

// sheetName is the only sheet of a new workbook.
const sheetName = "Sheet1"

func newWorkbook(w io.Writer, o Options, path string) (*workbook, error) {
	b := &workbook{zw: zip.NewWriter(w), opts: o, columns: o.columns()}
	b.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, sheetEntryLevel)
	})
	if err := b.start(path); err != nil {
		return nil, err
	}
	return b, nil
}

// The fixed parts of a new workbook. Style 1 is the header's bold.
const (
	newRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	newWorkbookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + sheetName + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
	newWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	newStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
	newSheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>`
	newSheetEnd = `</sheetData></worksheet>`
)

func contentTypesXML(workbookType string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="` + workbookType + `"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
}

func (b *workbook) start(path string) error {
	// The workbook's content type follows OUTPUT's extension, as Excel's
	// Save As does; .xlsx for any other name.
	ctype, ok := workbookTypes[strings.ToLower(filepath.Ext(path))]
	if !ok {
		ctype = workbookTypes[".xlsx"]
	}
	for _, p := range []struct{ name, body string }{
		{"[Content_Types].xml", contentTypesXML(ctype)},
		{"_rels/.rels", newRels},
		{"xl/workbook.xml", newWorkbookXML},
		{"xl/_rels/workbook.xml.rels", newWorkbookRels},
		{"xl/styles.xml", newStyles},
	} {
		w, err := b.zw.Create(p.name)
		if err == nil {
			_, err = io.WriteString(w, p.body)
		}
		if err != nil {
			return libraryError("xlsx", err)
		}
	}
	w, err := b.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return libraryError("xlsx", err)
	}
	b.w = bufio.NewWriterSize(w, 256<<10)
	b.write([]byte(newSheetStart))
	for _, name := range b.columns {
		if err := checkCell("header", name, name); err != nil {
			return err
		}
	}
	b.row = 1
	b.buf = append(b.buf[:0], `<row r="1">`...)
	for i, name := range b.columns {
		if name != "" {
			b.buf = appendCell(b.buf, nil, i+1, 1, "1", table.Text, name)
		}
	}
	b.buf = append(b.buf, "</row>"...)
	b.write(b.buf)
	return b.werr
}

func (b *workbook) encode(rec Record) error {
	if b.row >= ooxml.MaxRows {
		return fmt.Errorf("%s: more than %d rows do not fit in one Excel sheet; write to .csv or .jsonl instead",
			b.opts.rowName(rec.Row.Num), ooxml.MaxRows-1)
	}
	cells := padded(rec.Row.Cells, len(b.opts.Header))
	row := b.row + 1
	b.buf = append(b.buf[:0], `<row r="`...)
	b.buf = strconv.AppendInt(b.buf, int64(row), 10)
	b.buf = append(b.buf, `">`...)
	for i, col := range b.columns {
		s, kind := "", table.Text
		if i < len(cells) {
			s = cells[i]
		} else {
			s, kind = rec.Values[i-len(cells)], kindOf(rec.Kinds, i-len(cells))
		}
		if s == "" {
			continue // no cell
		}
		if err := checkCell(b.opts.rowName(rec.Row.Num), col, s); err != nil {
			return err
		}
		b.buf = appendCell(b.buf, nil, i+1, row, "", kind, s)
	}
	b.buf = append(b.buf, "</row>"...)
	b.row = row
	b.write(b.buf)
	return b.werr
}

func (b *workbook) write(p []byte) {
	if _, err := b.w.Write(p); err != nil && b.werr == nil {
		b.werr = err
	}
}

func (b *workbook) finish() error {
	b.write([]byte(newSheetEnd))
	err := b.werr
	if err == nil {
		err = b.w.Flush()
	}
	if err == nil {
		err = b.zw.Close()
	}
	if err != nil {
		return libraryError("xlsx", err)
	}
	return nil
}

func (b *workbook) discard() error { return nil }
