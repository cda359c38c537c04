package ooxml

import (
	"strconv"
	"strings"
)

// Excel's sheet limits.
const (
	MaxRows    = 1 << 20 // 1,048,576
	MaxColumns = 1 << 14 // 16,384, column XFD
	// MaxCellChars is the most text one cell holds, in UTF-16 units.
	MaxCellChars = 32767
)

// ColumnName returns the letters of column n (1 is A); "" when n is out
// of range.
func ColumnName(n int) string {
	if n < 1 || n > MaxColumns {
		return ""
	}
	var b [3]byte
	i := len(b)
	for n > 0 {
		n--
		i--
		b[i] = byte('A' + n%26)
		n /= 26
	}
	return string(b[i:])
}

// CellName returns the A1-style name of (col, row).
func CellName(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}

// AppendCellName appends the A1-style name of (col, row).
func AppendCellName(dst []byte, col, row int) []byte {
	dst = append(dst, ColumnName(col)...)
	return strconv.AppendInt(dst, int64(row), 10)
}

// ParseCell parses an A1-style reference such as "B7" (letters in either
// case, no $ signs), returning 0s when it is not one within Excel's
// limits.
func ParseCell(b []byte) (col, row int) {
	i := 0
	for i < len(b) && i < 4 {
		c := b[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
		i++
	}
	if i == 0 || col > MaxColumns || i == len(b) {
		return 0, 0
	}
	row, ok := ParseRowNumber(b[i:])
	if !ok {
		return 0, 0
	}
	return col, row
}

// ParseRowNumber parses a row number within Excel's limits.
func ParseRowNumber(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 7 || b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= MaxRows
}

// Range is a rectangle of cells, inclusive; the zero Range is empty.
type Range struct{ Col1, Row1, Col2, Row2 int }

// ParseRange parses "A1:C3" or a single cell "B2".
func ParseRange(s string) (Range, bool) {
	a, b, two := strings.Cut(s, ":")
	c1, r1 := ParseCell([]byte(strings.ReplaceAll(a, "$", "")))
	if c1 == 0 {
		return Range{}, false
	}
	c2, r2 := c1, r1
	if two {
		if c2, r2 = ParseCell([]byte(strings.ReplaceAll(b, "$", ""))); c2 == 0 {
			return Range{}, false
		}
	}
	return Range{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)}, true
}

// String is the range as Excel writes it: "A1:C3", or "B2" for one cell.
func (r Range) String() string {
	if r.Col1 == r.Col2 && r.Row1 == r.Row2 {
		return CellName(r.Col1, r.Row1)
	}
	return CellName(r.Col1, r.Row1) + ":" + CellName(r.Col2, r.Row2)
}

// Empty reports whether the range holds no cells.
func (r Range) Empty() bool { return r.Col1 == 0 }

// Add widens r to hold (col, row).
func (r Range) Add(col, row int) Range {
	if r.Empty() {
		return Range{col, row, col, row}
	}
	return Range{min(r.Col1, col), min(r.Row1, row), max(r.Col2, col), max(r.Row2, row)}
}
