package writers

import (
	"unicode/utf16"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// CellLimiter is implemented by writers whose format caps the length of a
// cell (XLSX: 32,767 UTF-16 units). Writing a longer value is an error that
// stops the run; a caller that would rather treat it as one row's problem
// (the pipeline does) asks for the limit first and fits the value with
// FitCell.
type CellLimiter interface {
	MaxCellChars() int // 0: no limit
}

// MaxCellChars implements CellLimiter.
func (w *writer) MaxCellChars() int {
	if w.opts.Format == table.XLSX {
		return excelize.TotalCellChars
	}
	return 0
}

// FitCell returns s cut to at most n characters as CellChars counts them,
// never splitting a character.
func FitCell(s string, n int) string {
	if CellChars(s) <= n {
		return s
	}
	units := 0
	for i, r := range s {
		u := max(utf16.RuneLen(r), 1)
		if units+u > n {
			return s[:i]
		}
		units += u
	}
	return s
}
