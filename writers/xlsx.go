package writers

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// CellLimitError reports a value too long for one XLSX cell. excelize would
// silently cut it to 32,767 characters; for an answer that is data loss, so
// the writer fails instead. Callers that would rather record a row error
// can check values with errors.As on a Write error or beforehand with
// CellChars.
type CellLimitError struct {
	Row    string // the row as located in the input, e.g. "row 12" or "line 12"
	Column string // the column's name
	Chars  int    // the value's length in UTF-16 code units, as Excel counts
}

func (e *CellLimitError) Error() string {
	return fmt.Sprintf("%s, column %q: %d characters exceed Excel's 32,767 per cell; write to .csv or .jsonl instead",
		e.Row, e.Column, e.Chars)
}

// CellChars returns the length of s as Excel counts it against its 32,767
// per-cell limit: in UTF-16 code units, so an emoji counts twice.
func CellChars(s string) int {
	if len(s) <= excelize.TotalCellChars {
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
	if n := CellChars(s); n > excelize.TotalCellChars {
		return &CellLimitError{Row: row, Column: column, Chars: n}
	}
	return nil
}

// workbook writes a new single-sheet workbook with excelize's
// StreamWriter, which keeps rows in a temporary file rather than in memory.
// Every text cell is an inline string, so text such as "=1+1" or "0012"
// stays text: never a formula, never a number. Only an added value whose
// table.Kind says so becomes a number or boolean cell (see cellValue).
type workbook struct {
	out     io.Writer
	f       *excelize.File
	sw      *excelize.StreamWriter
	opts    Options
	columns []string
	row     int   // worksheet row last written
	vals    []any // reused row buffer
}

// sheetName is the only sheet of a new workbook.
const sheetName = "Sheet1"

func newWorkbook(w io.Writer, o Options, path string) (*workbook, error) {
	f := excelize.NewFile()
	b := &workbook{out: w, f: f, opts: o, columns: o.columns()}
	if err := b.start(path); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return b, nil
}

func (b *workbook) start(path string) error {
	setContentPath(b.f, path)
	bold, err := b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx header style: %w", err)
	}
	if b.sw, err = b.f.NewStreamWriter(sheetName); err != nil {
		return fmt.Errorf("xlsx stream writer: %w", err)
	}
	b.vals = make([]any, len(b.columns))
	for i, name := range b.columns {
		if err := checkCell("header", name, name); err != nil {
			return err
		}
		b.vals[i] = nil
		if name != "" {
			b.vals[i] = excelize.Cell{StyleID: bold, Value: name}
		}
	}
	b.row = 1
	if err := b.sw.SetRow("A1", b.vals); err != nil {
		return fmt.Errorf("xlsx header row: %w", err)
	}
	return nil
}

func (b *workbook) encode(rec Record) error {
	if b.row >= excelize.TotalRows {
		return fmt.Errorf("%s: more than %d rows do not fit in one Excel sheet; write to .csv or .jsonl instead",
			b.opts.rowName(rec.Row.Num), excelize.TotalRows-1)
	}
	cells := padded(rec.Row.Cells, len(b.opts.Header))
	for i, col := range b.columns {
		s, kind := "", table.Text
		if i < len(cells) {
			s = cells[i]
		} else {
			s, kind = rec.Values[i-len(cells)], kindOf(rec.Kinds, i-len(cells))
		}
		if err := checkCell(b.opts.rowName(rec.Row.Num), col, s); err != nil {
			return err
		}
		b.vals[i] = cellValue(kind, s) // nil for "": the cell is left out
	}
	b.row++
	cell, err := excelize.CoordinatesToCellName(1, b.row)
	if err == nil {
		err = b.sw.SetRow(cell, b.vals)
	}
	if err != nil {
		return fmt.Errorf("%s: xlsx: %w", b.opts.rowName(rec.Row.Num), err)
	}
	return nil
}

func (b *workbook) finish() error {
	err := b.sw.Flush()
	if err == nil {
		err = b.f.Write(b.out)
	}
	if err != nil {
		err = libraryError("xlsx", err)
	}
	return errors.Join(err, b.f.Close())
}

func (b *workbook) discard() error { return b.f.Close() }

// setContentPath makes excelize label the workbook's content type after
// path's extension (.xlsx, .xlsm …), as its own SaveAs does. Our temporary
// file's name has no such extension, so the final path is passed instead;
// with no path or another extension the content type is left as it is.
func setContentPath(f *excelize.File, path string) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam":
		f.Path = path
	default:
		f.Path = ""
	}
}
