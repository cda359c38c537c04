package readers

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/enrich-dev/enrich/table"
)

// The kinds of bad input a reader reports. They arrive wrapped in a
// *ParseError (or, for ErrEmpty, ErrNotWorkbook and ErrHoldsText, a plain
// wrapped error; for ErrSheetFormat, a *SheetFormatError), so test them
// with errors.Is.
var (
	// ErrQuote: a quote where RFC 4180 does not allow one, or a quoted field
	// that never ends.
	ErrQuote = errors.New(`extraneous or missing " in quoted field`)
	// ErrFieldCount: a row with more fields than the header. Shorter rows
	// are padded instead, so there is no error for those.
	ErrFieldCount = errors.New("row has more fields than the header")
	// ErrUTF8: bytes that are not UTF-8. Readers never guess a legacy
	// encoding, because a wrong guess silently changes the data.
	ErrUTF8 = errors.New("invalid UTF-8")
	// ErrEmpty: no header could be read because the input holds nothing.
	ErrEmpty = errors.New("empty input")
	// ErrJSON: a JSON Lines line that is not valid JSON.
	ErrJSON = errors.New("invalid JSON")
	// ErrNotObject: a JSON Lines line holding valid JSON other than an object.
	ErrNotObject = errors.New("expected a JSON object")
	// ErrNewKey: an object with a key that is not a column, on input that
	// could not be scanned ahead for its keys.
	ErrNewKey = errors.New("key not in the header")
	// ErrBeyondHeader: a worksheet cell to the right of the header's last
	// column. Writers put enrich's output column there, so the reader stops
	// rather than let the value be overwritten.
	ErrBeyondHeader = errors.New("cell beyond the header's last column")
	// ErrNotWorkbook: a file that excelize cannot open as an .xlsx workbook.
	ErrNotWorkbook = errors.New("not an Excel workbook")
	// ErrHoldsText: an ErrNotWorkbook that holds text, which may well be
	// CSV or TSV under the wrong name; both are wrapped.
	ErrHoldsText = errors.New("it holds text")
	// ErrSheetFormat: Options.Sheet was given for input that is not read
	// as a workbook. It arrives as a *SheetFormatError.
	ErrSheetFormat = errors.New("only xlsx input has sheets")
)

// SheetFormatError is Options.Sheet given for input read in a format
// that has no sheets, so that a mistyped command does not silently read
// something else. It wraps ErrSheetFormat.
type SheetFormatError struct {
	Name   string       // the input as messages name it: its path, or "standard input"
	Format table.Format // the format it is read as
}

func (e *SheetFormatError) Error() string {
	return fmt.Sprintf("%s, and %s is read as %s", ErrSheetFormat, e.Name, e.Format)
}

func (e *SheetFormatError) Unwrap() error { return ErrSheetFormat }

// ParseError locates bad input, in the manner of encoding/csv's ParseError.
// For text formats Line and Column are 1-based; Column counts characters
// (UTF-8 code points) and is 0 when only the line is known. For a worksheet
// Sheet is set, Line is the worksheet row and Column the worksheet column
// (1 is A), so the message can name the cell the way a spreadsheet user
// would look for it.
type ParseError struct {
	File   string
	Sheet  string
	Line   int
	Column int
	Err    error
}

// Error renders "tickets.csv: line 3, column 7: …" or
// `book.xlsx: sheet "Data", cell F11: …`.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	switch {
	case e.Sheet != "" && e.Line > 0 && e.Column > 0:
		cell, _ := excelize.CoordinatesToCellName(e.Column, e.Line)
		fmt.Fprintf(&b, "sheet %q, cell %s: ", e.Sheet, cell)
	case e.Sheet != "" && e.Line > 0:
		fmt.Fprintf(&b, "sheet %q, row %d: ", e.Sheet, e.Line)
	case e.Sheet != "":
		fmt.Fprintf(&b, "sheet %q: ", e.Sheet)
	case e.Line > 0 && e.Column > 0:
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap lets errors.Is find the sentinel inside.
func (e *ParseError) Unwrap() error { return e.Err }

// detail is a sentinel with a message written for the case at hand:
// "row has 5 fields, the header has 4" reads better than the sentinel's
// generic text followed by the same facts, yet errors.Is still matches.
type detail struct {
	kind error
	msg  string
}

func (d *detail) Error() string { return d.msg }
func (d *detail) Unwrap() error { return d.kind }

func detailf(kind error, format string, args ...any) error {
	return &detail{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// readError wraps a failed read of the input. An *fs.PathError already
// says "read tickets.csv: …", so it is passed on as it is.
func readError(name string, err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return err
	}
	return fmt.Errorf("read %s: %w", displayName(name), err)
}

// displayName keeps messages readable when a caller passes no name.
func displayName(name string) string {
	if name == "" {
		return "input"
	}
	return name
}
