package readers

import (
	"errors"

	"github.com/enrich-dev/enrich/internal/ooxml"
)

// The kinds of bad input only a workbook has. Like the others they arrive
// wrapped, in a *ParseError that names the sheet and the row or cell.
var (
	// ErrRowOrder: rows or cells out of order, or repeated, in a sheet's
	// XML. Excel writes them in ascending order and treats anything else
	// as damage; which of two rows 7 is right cannot be known.
	ErrRowOrder = errors.New("rows or cells out of order")
	// ErrSharedString: a cell pointing past the end of the workbook's
	// shared string table.
	ErrSharedString = errors.New("shared string index out of range")
	// ErrNoHeader: no header where the options say it is.
	ErrNoHeader = errors.New("no header row")
	// ErrTooLarge: a part of the workbook inflates beyond what any real
	// workbook does (a decompression bomb, or damage that looks like one).
	// The message says which limit, and the package documentation why.
	ErrTooLarge = ooxml.ErrTooLarge
	// ErrWorksheetOnly: a header row or row range given for input that is
	// not read as a workbook.
	ErrWorksheetOnly = errors.New("a header row or a row range applies to xlsx input only")
)
