package readers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// XLSX reads one worksheet of an .xlsx workbook, streaming its rows.
//
// The header is the first row with any text in it, since sheets often start
// lower down or after a title. The width is the header's length, widened
// to the sheet's recorded dimension when that is plausible (see
// headerWidth), and every row is padded to it.
type XLSX struct {
	path      string
	sheet     string
	file      *excelize.File
	rows      *sheetRows
	header    []string
	headerRow int
	err       error
}

var _ Reader = (*XLSX)(nil)

// OpenXLSX opens path and positions the reader after the header of sheet,
// or of the first sheet in workbook order when sheet is "". A sheet name
// that matches none exactly may match one ignoring case, as Excel does.
//
// It uses excelize.OpenFile, not OpenReader, because OpenReader reads the
// whole file into memory; OpenFile spills large parts to temporary files,
// which Close removes.
func OpenXLSX(path, sheet string) (*XLSX, error) {
	f, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	x := &XLSX{path: path, file: f}
	if err := x.findHeader(sheet); err != nil {
		_ = x.Close()
		return nil, err
	}
	return x, nil
}

// findHeader resolves the sheet and reads down to its first non-blank row.
func (x *XLSX) findHeader(sheet string) (err error) {
	defer func() {
		// excelize has panicked while reading odd workbooks (an index out
		// of range in Rows, qax-os/excelize#1723); a bad input file must
		// come back as an error, never take the program down.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: excelize failed on it (%v); open it in Excel and save it again as .xlsx", x.path, ErrNotWorkbook, r)
		}
	}()
	if x.sheet, err = resolveSheet(x.file, x.path, sheet); err != nil {
		return err
	}
	if x.rows, err = newSheetRows(x.file, x.sheet); err != nil {
		return fmt.Errorf("%s: sheet %q: %w", x.path, x.sheet, err)
	}
	for {
		cells, ok, err := x.rows.next()
		if err != nil {
			return &ParseError{File: x.path, Sheet: x.sheet, Line: x.rows.num, Err: err}
		}
		if !ok {
			return detailf(ErrEmpty, "%s: sheet %q is empty: no header row", x.path, x.sheet)
		}
		if !blank(cells) {
			x.header, x.headerRow = cells, x.rows.num
			break
		}
	}
	x.header = pad(x.header, headerWidth(len(x.header), dimensionWidth(x.file, x.sheet)))
	return nil
}

// headerWidth decides how many columns a sheet has, given the length of
// its header row (up to its last non-empty cell) and the last column of
// its recorded dimension (0 when there is none).
//
// The dimension can widen the header, because a sheet whose rightmost
// columns have data but no name is common (the data has cells up to the
// dimension's edge), and those values must reach the rows rather than stop
// the read as ErrBeyondHeader. But the dimension is only a claim the file
// makes: a broken or hostile file can say A1:XFD1048576, which would pad
// every row to 16,384 cells. So it is believed only when it is at most
// twice the header plus 16 columns; otherwise the header is the width, and
// a value beyond it is still reported, as always.
func headerWidth(header, dimension int) int {
	if dimension > header && dimension <= 2*header+16 {
		return dimension
	}
	return header
}

// Header returns a copy of the header cells as displayed, padded with ""
// to the sheet's width.
func (x *XLSX) Header() []string { return slices.Clone(x.header) }

// HeaderRow is the 1-based worksheet row holding the header, so a writer
// that edits the sheet in place can put its column name beside it.
func (x *XLSX) HeaderRow() int { return x.headerRow }

// Sheet is the name of the worksheet being read, as the workbook spells it.
func (x *XLSX) Sheet() string { return x.sheet }

// Source describes the workbook, the sheet and its header row.
func (x *XLSX) Source() table.Source {
	return table.Source{Path: x.path, Format: table.XLSX, Sheet: x.sheet, HeaderRow: x.headerRow}
}

// Next returns the next row that has any text. Blank rows are skipped:
// in a spreadsheet they are spacing, not records to send to a model.
// Row.Num is the worksheet row number.
func (x *XLSX) Next(ctx context.Context) (row table.Row, err error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if x.err != nil {
		return table.Row{}, x.err
	}
	if x.rows == nil {
		return table.Row{}, fmt.Errorf("%s: the reader is closed", x.path)
	}
	defer func() {
		if r := recover(); r != nil {
			err = &ParseError{File: x.path, Sheet: x.sheet, Line: x.rows.num, Err: fmt.Errorf("excelize failed: %v", r)}
		}
		if err != nil {
			x.err = err
		}
	}()
	width := len(x.header)
	for {
		cells, ok, err := x.rows.next()
		switch {
		case err != nil:
			return table.Row{}, &ParseError{File: x.path, Sheet: x.sheet, Line: x.rows.num, Err: err}
		case !ok:
			return table.Row{}, io.EOF
		case len(cells) > width:
			return table.Row{}, x.beyondHeader(cells, width)
		case blank(cells):
			continue
		}
		return table.Row{Num: x.rows.num, Cells: pad(cells, width)}, nil
	}
}

// Rewind starts over at the first row after the header, without opening
// the workbook again.
func (x *XLSX) Rewind() (err error) {
	if x.file == nil {
		return fmt.Errorf("%s: the reader is closed", x.path)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: excelize failed on it (%v)", x.path, ErrNotWorkbook, r)
		}
	}()
	if x.rows != nil {
		if err := x.rows.close(); err != nil {
			return err
		}
	}
	if x.rows, err = newSheetRows(x.file, x.sheet); err != nil {
		return fmt.Errorf("%s: sheet %q: %w", x.path, x.sheet, err)
	}
	x.err = nil
	for x.rows.num < x.headerRow {
		if _, ok, err := x.rows.next(); err != nil || !ok {
			return &ParseError{File: x.path, Sheet: x.sheet, Line: x.rows.num, Err: fmt.Errorf("the sheet changed while it was read: %v", err)}
		}
	}
	return nil
}

// Close releases the sheet iterator, the workbook and its temporary files.
// It is safe to call twice.
func (x *XLSX) Close() error {
	var errs []error
	if x.rows != nil {
		errs = append(errs, x.rows.close())
		x.rows = nil
	}
	if x.file != nil {
		errs = append(errs, x.file.Close())
		x.file = nil
	}
	return errors.Join(errs...)
}

// beyondHeader reports the first cell past the header's last column.
// excelize lists a cell with neither a value nor a formula only as padding,
// so an empty one that it does list there holds a formula with no cached
// result.
func (x *XLSX) beyondHeader(cells []string, width int) error {
	col, what := len(cells), "a formula"
	for i := width; i < len(cells); i++ {
		if cells[i] != "" {
			col, what = i+1, "a value"
			break
		}
	}
	last, _ := excelize.ColumnNumberToName(width)
	name, _ := excelize.ColumnNumberToName(col)
	return &ParseError{File: x.path, Sheet: x.sheet, Line: x.rows.num, Column: col,
		Err: detailf(ErrBeyondHeader,
			"%s to the right of the header's last column %s: it has no column name, and xlsx output would overwrite it; give column %s a header or move the cell",
			what, last, name)}
}

// openWorkbook opens path with excelize and turns its failures into
// messages that say what the file is instead.
func openWorkbook(path string) (f *excelize.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%s: %w: excelize failed on it (%v); open it in Excel and save it again as .xlsx", path, ErrNotWorkbook, r)
		}
	}()
	// Built-in format 14 is the reader's locale's short date, so no single
	// spelling is "as displayed"; ISO 8601 is the one nobody misreads
	// (excelize's own default, mm-dd-yy, loses the century).
	f, err = excelize.OpenFile(path, excelize.Options{ShortDatePattern: "yyyy-mm-dd"})
	if err == nil {
		return f, nil
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return nil, err
	}
	return nil, fmt.Errorf("%s: %w: %w", path, ErrNotWorkbook, whyNotWorkbook(path, err))
}

// whyNotWorkbook explains an excelize open failure in the user's terms,
// from the first bytes of the file: every .xlsx is a zip archive, so
// anything else was saved or renamed wrongly, and a zip that excelize
// cannot read is damaged. Text is ErrHoldsText: the caller knows best
// how its user can read the file as CSV or TSV instead.
func whyNotWorkbook(path string, err error) error {
	head := make([]byte, 512)
	fh, openErr := os.Open(path)
	if openErr != nil {
		return err
	}
	defer fh.Close()
	n, _ := io.ReadFull(fh, head)
	head = head[:n]
	switch {
	case n == 0:
		return errors.New("the file is empty")
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		// An OLE container: Excel's password protection wraps the
		// workbook in one, and legacy .xls files are one. excelize says
		// only "unsupported workbook file format".
		return errors.New("it is password-protected or an old .xls file; open it in Excel and save it as .xlsx (Excel Workbook) without a password")
	case bytes.HasPrefix(head, []byte("PK")):
		return fmt.Errorf("the zip archive inside is damaged or cut short (%v); copy the file again or save it again from Excel", err)
	case looksLikeText(head):
		return ErrHoldsText
	}
	return fmt.Errorf("it is not a zip archive, as every .xlsx file is (%v)", err)
}

// looksLikeText reports whether head, the start of a file, is text: UTF-8
// without NUL bytes, allowing a character cut off at the end.
func looksLikeText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for len(head) > 0 {
		r, size := utf8.DecodeRune(head)
		if r == utf8.RuneError && size == 1 {
			return len(head) < utf8.UTFMax && !utf8.FullRune(head)
		}
		head = head[size:]
	}
	return true
}

// resolveSheet picks the sheet to read and lists the real ones when the
// name matches none.
func resolveSheet(f *excelize.File, path, want string) (string, error) {
	names := f.GetSheetList()
	if len(names) == 0 {
		return "", fmt.Errorf("%s: %w: it has no worksheets", path, ErrNotWorkbook)
	}
	if want == "" {
		return names[0], nil
	}
	if slices.Contains(names, want) {
		return want, nil
	}
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return n, nil
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return "", fmt.Errorf("%s: no sheet named %q; the workbook has %s", path, want, strings.Join(quoted, ", "))
}

// dimensionWidth is the last column of the sheet's recorded used range, or
// 0 when there is none. Columns count from A because rows are read from A.
func dimensionWidth(f *excelize.File, sheet string) int {
	ref, err := f.GetSheetDimension(sheet)
	if err != nil || ref == "" {
		return 0
	}
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	col, _, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		return 0
	}
	return col
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// pad returns cells extended with "" to width; excelize drops trailing
// empty cells.
func pad(cells []string, width int) []string {
	if len(cells) >= width {
		return cells
	}
	return append(cells, make([]string, width-len(cells))...)
}
