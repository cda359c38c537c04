package readers

import (
	"archive/zip"
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

	"github.com/enrich-dev/enrich/internal/ooxml"
	"github.com/enrich-dev/enrich/table"
)

// XLSXOptions says which worksheet, and which of its rows, an XLSX reader
// reads. The zero value reads the first worksheet, with the first row that
// has any text as the header and every later row as data.
type XLSXOptions struct {
	// Sheet names the worksheet, matched exactly or else ignoring case;
	// "" is the first worksheet in workbook order.
	Sheet string
	// HeaderRow is the worksheet row (1-based) holding the header; 0 is
	// the first row with any text (above FirstRow, when that is set).
	HeaderRow int
	// FirstRow and LastRow bound the data rows, inclusive; 0 leaves a
	// bound open. Rows between the header and FirstRow, and after
	// LastRow, are not read at all (so a totals row below LastRow is not
	// sent anywhere, and is not checked either).
	FirstRow, LastRow int
}

func (o XLSXOptions) validate() error {
	switch {
	case o.HeaderRow < 0 || o.FirstRow < 0 || o.LastRow < 0:
		return errors.New("row numbers must be positive")
	case o.HeaderRow > ooxml.MaxRows || o.FirstRow > ooxml.MaxRows || o.LastRow > ooxml.MaxRows:
		return fmt.Errorf("row numbers end at Excel's last row, %d", ooxml.MaxRows)
	case o.LastRow > 0 && o.FirstRow > o.LastRow:
		return fmt.Errorf("the row range %d:%d is empty", o.FirstRow, o.LastRow)
	case o.HeaderRow > 0 && o.FirstRow > 0 && o.FirstRow <= o.HeaderRow:
		return fmt.Errorf("the data rows must start below the header row %d, not at %d", o.HeaderRow, o.FirstRow)
	case o.HeaderRow > 0 && o.LastRow > 0 && o.LastRow <= o.HeaderRow:
		return fmt.Errorf("the data rows must end below the header row %d, not at %d", o.HeaderRow, o.LastRow)
	}
	return nil
}

// XLSX reads one worksheet of an .xlsx workbook, streaming its rows with
// a reader of its own over the sheet's XML (see the package documentation
// for how cells are shown). Memory holds one row, not the sheet, and a
// small shared string table (a large one is kept in a temporary file).
type XLSX struct {
	path      string
	opts      XLSXOptions
	book      *book
	sheet     ooxml.Sheet
	rows      *sheetStream
	merges    mergeBlanker
	header    []string
	headerRow int
	err       error
}

var _ Reader = (*XLSX)(nil)
var _ Rewinder = (*XLSX)(nil)

// OpenXLSX opens path and positions the reader after the header.
func OpenXLSX(path string, opts XLSXOptions) (*XLSX, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	b, err := openBook(path)
	if err != nil {
		return nil, workbookError(path, err)
	}
	x := &XLSX{path: path, opts: opts, book: b}
	if err := x.findHeader(); err != nil {
		_ = x.Close()
		return nil, err
	}
	return x, nil
}

// workbookError words a failure to open the package.
func workbookError(path string, err error) error {
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		return err
	case errors.Is(err, ooxml.ErrTooLarge):
		return fmt.Errorf("%s: %w", path, err)
	case errors.Is(err, zip.ErrFormat), errors.Is(err, zip.ErrAlgorithm), errors.Is(err, zip.ErrChecksum), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: %w: %w", path, ErrNotWorkbook, whyNotWorkbook(path, err))
	}
	return fmt.Errorf("%s: %w: %w", path, ErrNotWorkbook, err)
}

// findHeader resolves the sheet and reads down to its header row.
func (x *XLSX) findHeader() error {
	pkg := x.book.pkg
	if len(pkg.Sheets) == 0 {
		return fmt.Errorf("%s: %w: it has no worksheets", x.path, ErrNotWorkbook)
	}
	sheet, ok := pkg.Sheet(x.opts.Sheet)
	switch {
	case !ok && x.opts.Sheet == "":
		return fmt.Errorf("%s: %w: it has no worksheets, only chart sheets", x.path, ErrNotWorkbook)
	case !ok:
		quoted := make([]string, len(pkg.Sheets))
		for i, s := range pkg.Sheets {
			quoted[i] = fmt.Sprintf("%q", s.Name)
		}
		return fmt.Errorf("%s: no sheet named %q; the workbook has %s", x.path, x.opts.Sheet, strings.Join(quoted, ", "))
	case !sheet.Worksheet:
		return fmt.Errorf("%s: sheet %q is a chart sheet, which holds no cells", x.path, sheet.Name)
	}
	x.sheet = sheet
	merges, err := scanMerges(x.book, sheet.Part)
	switch {
	case errors.Is(err, ooxml.ErrTooLarge):
		return x.located(&sheetError{err: err})
	case err == nil:
		x.merges.merges = merges
	}
	// Other damage is left to the pass over the rows, which names the
	// row where it is; until it reaches it, no merges are known.
	if x.rows, err = openSheetStream(x.book, sheet.Part); err != nil {
		return x.located(&sheetError{err: err})
	}
	for {
		row, ok, err := x.rows.next()
		if err != nil {
			return x.located(err)
		}
		switch {
		case !ok && x.opts.HeaderRow > 0:
			return x.noHeader()
		case !ok:
			return detailf(ErrEmpty, "%s: sheet %q is empty: no header row", x.path, x.sheet.Name)
		case x.opts.HeaderRow > 0 && row.num < x.opts.HeaderRow:
			continue
		case x.opts.HeaderRow > 0 && row.num > x.opts.HeaderRow:
			return x.noHeader()
		case x.opts.HeaderRow == 0 && x.opts.FirstRow > 0 && row.num >= x.opts.FirstRow:
			return &ParseError{File: x.path, Sheet: x.sheet.Name, Err: detailf(ErrNoHeader, "no row with any text above row %d to be the header", x.opts.FirstRow)}
		}
		x.merges.apply(row)
		if blankRow(row) {
			if x.opts.HeaderRow > 0 {
				return x.noHeader()
			}
			continue
		}
		x.headerRow = row.num
		last := row.cells[len(row.cells)-1].col
		x.header = make([]string, headerWidth(last, dimensionWidth(x.rows.dimension)))
		for _, c := range row.cells {
			x.header[c.col-1] = c.text
		}
		return nil
	}
}

func (x *XLSX) noHeader() error {
	return &ParseError{File: x.path, Sheet: x.sheet.Name, Line: x.opts.HeaderRow,
		Err: detailf(ErrNoHeader, "the header row is empty")}
}

// located turns a sheet stream's error into a *ParseError.
func (x *XLSX) located(err error) error {
	var at *sheetError
	if errors.As(err, &at) {
		err = at.err
	}
	var limit *ooxml.LimitError
	if errors.As(err, &limit) {
		return &ParseError{File: x.path, Sheet: x.sheet.Name, Err: err}
	}
	pe := &ParseError{File: x.path, Sheet: x.sheet.Name, Err: err}
	if at != nil {
		pe.Line, pe.Column = at.row, at.col
	}
	return pe
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
func (x *XLSX) Sheet() string { return x.sheet.Name }

// Source describes the workbook, the sheet and its header row.
func (x *XLSX) Source() table.Source {
	return table.Source{Path: x.path, Format: table.XLSX, Sheet: x.sheet.Name, HeaderRow: x.headerRow}
}

// Next returns the next data row that has any text. Blank rows are
// skipped: in a spreadsheet they are spacing, not records to send to a
// model. Row.Num is the worksheet row number.
func (x *XLSX) Next(ctx context.Context) (table.Row, error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if x.err != nil {
		return table.Row{}, x.err
	}
	if x.rows == nil {
		return table.Row{}, fmt.Errorf("%s: the reader is closed", x.path)
	}
	row, err := x.next()
	if err != nil && !errors.Is(err, io.EOF) {
		x.err = err
	}
	return row, err
}

func (x *XLSX) next() (table.Row, error) {
	width := len(x.header)
	for {
		row, ok, err := x.rows.next()
		switch {
		case err != nil:
			return table.Row{}, x.located(err)
		case !ok, x.opts.LastRow > 0 && row.num > x.opts.LastRow:
			return table.Row{}, io.EOF
		case row.num < x.opts.FirstRow:
			continue
		}
		x.merges.apply(row)
		if blankRow(row) {
			continue
		}
		if last := row.cells[len(row.cells)-1]; last.col > width {
			return table.Row{}, x.beyondHeader(row, width)
		}
		cells := make([]string, width)
		for _, c := range row.cells {
			cells[c.col-1] = c.text
		}
		return table.Row{Num: row.num, Cells: cells}, nil
	}
}

// Rewind starts over at the first row after the header.
func (x *XLSX) Rewind() error {
	if x.rows == nil {
		return fmt.Errorf("%s: the reader is closed", x.path)
	}
	if err := x.rows.close(); err != nil {
		return err
	}
	rows, err := openSheetStream(x.book, x.sheet.Part)
	if err != nil {
		x.rows = nil
		return x.located(err)
	}
	x.rows, x.err = rows, nil
	x.merges.reset()
	for {
		row, ok, err := x.rows.next()
		if err != nil {
			return x.located(err)
		}
		if !ok || row.num > x.headerRow {
			return &ParseError{File: x.path, Sheet: x.sheet.Name, Err: errors.New("the sheet changed while it was read")}
		}
		x.merges.apply(row)
		if row.num == x.headerRow {
			return nil
		}
	}
}

// Close releases the workbook. It is safe to call twice.
func (x *XLSX) Close() error {
	var errs []error
	if x.rows != nil {
		errs = append(errs, x.rows.close())
		x.rows = nil
	}
	if x.book != nil {
		errs = append(errs, x.book.close())
		x.book = nil
	}
	return errors.Join(errs...)
}

// beyondHeader reports the first value, or else the first formula, past
// the header's last column.
func (x *XLSX) beyondHeader(row *sheetRow, width int) error {
	col, what := 0, "a formula"
	for _, c := range row.cells {
		if c.col <= width {
			continue
		}
		if c.text != "" || c.stored && !c.formula {
			col, what = c.col, "a value"
			break
		}
		if col == 0 {
			col = c.col
		}
	}
	last := ooxml.ColumnName(width)
	return &ParseError{File: x.path, Sheet: x.sheet.Name, Line: row.num, Column: col,
		Err: detailf(ErrBeyondHeader,
			"%s to the right of the header's last column %s: it has no column name, and xlsx output would overwrite it; give column %s a header or move the cell",
			what, last, ooxml.ColumnName(col))}
}

// blankRow reports whether a row shows no text. A formula without a cached
// result shows none.
func blankRow(row *sheetRow) bool {
	for _, c := range row.cells {
		if c.text != "" {
			return false
		}
	}
	return true
}

// whyNotWorkbook explains a failure to open the zip archive in the user's
// terms, from the first bytes of the file: every .xlsx is a zip archive,
// so anything else was saved or renamed wrongly, and a zip that cannot be
// read is damaged. Text is ErrHoldsText: the caller knows best how its
// user can read the file as CSV or TSV instead.
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
		// workbook in one, and legacy .xls files are one.
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
