package readers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/enrich-dev/enrich/internal/ooxml"
)

// sheetCell is one <c> of a row, as displayed. A cell that shows nothing
// is kept when it holds a formula or a stored value (a shared string that
// is empty, say): an in-place writer must not overwrite it either.
type sheetCell struct {
	col     int
	text    string
	formula bool
	stored  bool // holds a value, even one that shows as ""
}

// sheetRow is one <row>; cells are in column order.
type sheetRow struct {
	num   int
	cells []sheetCell
}

// sheetError locates an error in a sheet: row 0 when before the first row,
// col 0 when not inside a cell.
type sheetError struct {
	row, col int
	err      error
}

func (e *sheetError) Error() string { return e.err.Error() }
func (e *sheetError) Unwrap() error { return e.err }

// sheetStream reads a worksheet's rows one at a time with ooxml.Scanner,
// which keeps memory to one row whatever the sheet's size. It insists on
// what Excel itself writes and requires: rows in ascending order, and
// cells in ascending columns within a row, each in the row it says.
type sheetStream struct {
	book      *book
	date1904  bool
	part      string
	rc        io.ReadCloser
	sc        *ooxml.Scanner
	dimension string
	started   bool
	ended     bool
	row       sheetRow
	col       int // column of the cell being read
	v, is     []byte
}

func openSheetStream(b *book, part string) (*sheetStream, error) {
	rc, err := b.pkg.OpenPart(part)
	if err != nil {
		return nil, err
	}
	return &sheetStream{book: b, date1904: b.pkg.Date1904, part: part, rc: rc, sc: ooxml.NewScanner(rc)}, nil
}

func (s *sheetStream) close() error { return s.rc.Close() }

// fail locates err at the current row and cell.
func (s *sheetStream) fail(err error) error {
	return &sheetError{row: s.row.num, col: s.col, err: err}
}

// next returns the next row, or ok false after the last. The row and its
// cells are reused by the next call.
func (s *sheetStream) next() (row *sheetRow, ok bool, err error) {
	if s.ended {
		return nil, false, nil
	}
	sc := s.sc
	if !s.started {
		if err := s.start(); err != nil {
			return nil, false, err
		}
		if s.ended {
			return nil, false, nil
		}
	}
	s.col = 0
	for {
		if err := sc.Next(); err != nil {
			return nil, false, s.fail(s.partError(err))
		}
		switch sc.Kind() {
		case ooxml.EndTag:
			if sc.Depth() == 2 { // </sheetData>
				s.ended = true
				return nil, false, s.drain()
			}
		case ooxml.StartTag, ooxml.EmptyTag:
			if sc.Depth() != 3 || string(sc.Local()) != "row" {
				if err := sc.SkipElement(); err != nil {
					return nil, false, s.fail(s.partError(err))
				}
				continue
			}
			if err := s.readRow(); err != nil {
				return nil, false, err
			}
			return &s.row, true, nil
		}
	}
}

// start reads up to <sheetData>, noting the dimension on the way.
func (s *sheetStream) start() error {
	sc := s.sc
	s.started = true
	for {
		if err := sc.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				s.ended = true // a worksheet without sheetData has no rows
				return nil
			}
			return s.partError(err)
		}
		if k := sc.Kind(); (k != ooxml.StartTag && k != ooxml.EmptyTag) || sc.Depth() != 2 {
			continue
		}
		switch string(sc.Local()) {
		case "dimension":
			if ref, ok := sc.Attr("ref"); ok {
				s.dimension = string(ref)
			}
		case "sheetData":
			if sc.Kind() == ooxml.EmptyTag {
				s.ended = true
				return s.drain()
			}
			return nil
		}
	}
}

// drain reads the rest of the part, so that damage after the rows (and
// the zip's checksum, checked at the end) is found too.
func (s *sheetStream) drain() error {
	for {
		if err := s.sc.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return s.fail(s.partError(err))
		}
	}
}

func (s *sheetStream) partError(err error) error {
	if errors.Is(err, io.EOF) {
		err = s.sc.Errorf("the document ends early (is the part cut short?)")
	}
	var limit *ooxml.LimitError
	if errors.As(err, &limit) {
		return err
	}
	return fmt.Errorf("%s: %w", s.part, err)
}

func (s *sheetStream) readRow() error {
	sc := s.sc
	prev := s.row.num
	num := prev + 1
	if r, ok := sc.Attr("r"); ok {
		n, valid := ooxml.ParseRowNumber(r)
		if !valid {
			s.row.num, s.col = num, 0
			return s.fail(fmt.Errorf("row number %q is not one from 1 to %d", r, ooxml.MaxRows))
		}
		num = n
	}
	if num <= prev {
		s.row.num, s.col = num, 0
		return s.fail(detailf(ErrRowOrder, "row %d comes after row %d in the sheet's XML; Excel writes rows in ascending order, so the file was made by other software or damaged (opening it in LibreOffice and saving it again puts the rows in order)", num, prev))
	}
	if num > ooxml.MaxRows {
		s.row.num = num
		return s.fail(fmt.Errorf("row %d is beyond Excel's last row %d", num, ooxml.MaxRows))
	}
	s.row.num = num
	s.row.cells = s.row.cells[:0]
	if sc.Kind() == ooxml.EmptyTag {
		return nil
	}
	s.col = 0
	for {
		if err := sc.Next(); err != nil {
			return s.fail(s.partError(err))
		}
		switch sc.Kind() {
		case ooxml.EndTag: // </row>
			s.col = 0
			return nil
		case ooxml.StartTag, ooxml.EmptyTag:
			if string(sc.Local()) != "c" {
				if err := sc.SkipElement(); err != nil {
					return s.fail(s.partError(err))
				}
				continue
			}
			if err := s.readCell(); err != nil {
				return err
			}
		}
	}
}

func (s *sheetStream) readCell() error {
	sc := s.sc
	col := s.col + 1
	if r, ok := sc.Attr("r"); ok {
		c, row := ooxml.ParseCell(r)
		switch {
		case c == 0:
			return s.fail(fmt.Errorf("cell reference %q is not one Excel can hold", r))
		case row != s.row.num:
			s.col = c
			return s.fail(fmt.Errorf("cell %s is inside row %d", r, s.row.num))
		}
		col = c
	}
	if col <= s.col {
		prevCol := s.col
		s.col = col
		return s.fail(detailf(ErrRowOrder, "cell %s comes after cell %s in the sheet's XML; cells of a row must be in ascending columns", ooxml.CellName(col, s.row.num), ooxml.CellName(prevCol, s.row.num)))
	}
	if col > ooxml.MaxColumns {
		return s.fail(fmt.Errorf("column %d is beyond Excel's last column XFD", col))
	}
	s.col = col
	typ, _ := sc.Attr("t")
	typ = bytes.Clone(typ) // the attributes are overwritten by the next token
	style := 0
	if v, ok := sc.Attr("s"); ok {
		n, err := strconv.Atoi(string(v))
		if err != nil || n < 0 {
			return s.fail(fmt.Errorf("style %q is not a number", v))
		}
		style = n
	}
	s.v, s.is = s.v[:0], s.is[:0]
	formula, hasV, hasIS := false, false, false
	if sc.Kind() == ooxml.StartTag {
		for {
			if err := sc.Next(); err != nil {
				return s.fail(s.partError(err))
			}
			k := sc.Kind()
			if k == ooxml.EndTag { // </c>
				break
			}
			if k != ooxml.StartTag && k != ooxml.EmptyTag {
				continue
			}
			var err error
			switch string(sc.Local()) {
			case "v":
				hasV = true
				s.v, err = s.collect(s.v, false)
			case "f":
				formula = true
				err = sc.SkipElement()
			case "is":
				hasIS = true
				s.is, err = s.collect(s.is, true)
			default:
				err = sc.SkipElement()
			}
			if err != nil {
				return s.fail(s.partError(err))
			}
		}
	}
	text, err := s.display(typ, style, hasV, hasIS)
	if err != nil {
		return s.fail(err)
	}
	if stored := len(s.v) > 0 || len(s.is) > 0; text != "" || formula || stored {
		s.row.cells = append(s.row.cells, sheetCell{col: col, text: text, formula: formula, stored: stored})
	}
	return nil
}

// collect appends the text inside the current element to dst. For rich
// text (inline strings) only <t> elements count, and phonetic guides
// (<rPh>) do not.
func (s *sheetStream) collect(dst []byte, rich bool) ([]byte, error) {
	sc := s.sc
	if sc.Kind() == ooxml.EmptyTag {
		return dst, nil
	}
	depth := sc.Depth()
	inT := !rich
	skip := 0
	for {
		if err := sc.Next(); err != nil {
			return dst, err
		}
		switch sc.Kind() {
		case ooxml.EndTag:
			d := sc.Depth()
			switch {
			case d == depth:
				return dst, nil
			case skip == d:
				skip = 0
			case rich && string(sc.Local()) == "t":
				inT = false
			}
		case ooxml.StartTag:
			switch {
			case skip > 0:
			case rich && string(sc.Local()) == "rPh":
				skip = sc.Depth()
			case rich && string(sc.Local()) == "t":
				inT = true
			}
		case ooxml.Text, ooxml.CData:
			if inT && skip == 0 {
				var err error
				if dst, err = sc.AppendText(dst); err != nil {
					return dst, err
				}
				if len(dst) > ooxml.MaxToken {
					return dst, sc.Errorf("a cell longer than %d MB", ooxml.MaxToken>>20)
				}
			}
		}
	}
}

// display is a cell's text as a spreadsheet shows it.
func (s *sheetStream) display(typ []byte, style int, hasV, hasIS bool) (string, error) {
	switch string(typ) {
	case "s":
		if !hasV || len(s.v) == 0 {
			return "", nil
		}
		i, ok := sharedIndex(s.v)
		if !ok {
			return "", fmt.Errorf("shared string index %q is not a number", s.v)
		}
		if n := s.book.strings.len(); i >= n {
			return "", detailf(ErrSharedString, "shared string %d does not exist: the workbook's table has %d", i, n)
		}
		return s.book.strings.get(i)
	case "inlineStr":
		if hasIS {
			return string(ooxml.DecodeEscapes(s.is)), nil
		}
		return string(ooxml.DecodeEscapes(s.v)), nil
	case "str":
		return string(ooxml.DecodeEscapes(s.v)), nil
	case "b":
		switch string(s.v) {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
		return string(s.v), nil
	case "e", "d":
		return string(s.v), nil
	}
	if len(s.v) == 0 {
		return "", nil
	}
	raw := string(s.v)
	f := s.book.format(style)
	if f.general && plainInteger(raw) {
		return raw, nil // the commonest number, shown without parsing
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw, nil // not a number after all: shown as stored
	}
	return f.render(v, raw, s.date1904), nil
}

// dimensionWidth is the last column of a dimension ref ("A1:D20"), or 0.
func dimensionWidth(ref string) int {
	r, ok := ooxml.ParseRange(ref)
	if !ok {
		return 0
	}
	return r.Col2
}

// scanMerges reads a sheet's merged ranges, which follow its rows, passing
// over the rows unchecked: the passes that read them check them.
func scanMerges(b *book, part string) ([]ooxml.Range, error) {
	rc, err := b.pkg.OpenPart(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sc := ooxml.NewScanner(rc)
	var merges []ooxml.Range
	for {
		if err := sc.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		if sc.Kind() != ooxml.StartTag && sc.Kind() != ooxml.EmptyTag {
			continue
		}
		switch d, local := sc.Depth(), string(sc.Local()); {
		case d == 2 && local == "sheetData":
			if err := sc.SkipUnchecked(); err != nil {
				return nil, err
			}
		case d == 3 && local == "mergeCell":
			ref, _ := sc.Attr("ref")
			r, ok := ooxml.ParseRange(string(ref))
			if ok && (r.Col1 != r.Col2 || r.Row1 != r.Row2) {
				if len(merges) >= maxMerges {
					return nil, fmt.Errorf("%w: more than %d merged ranges", ooxml.ErrTooLarge, maxMerges)
				}
				merges = append(merges, r)
			}
		}
	}
	slices.SortFunc(merges, func(a, b ooxml.Range) int { return a.Row1 - b.Row1 })
	return merges, nil
}

// maxMerges bounds the merged ranges held, 16 bytes each: four for
// every row Excel allows.
const maxMerges = 4 * ooxml.MaxRows

// mergeBlanker blanks the cells that merged ranges cover (all but each
// range's top-left cell) as rows go by in ascending order.
type mergeBlanker struct {
	merges []ooxml.Range // by first row
	next   int
	active []ooxml.Range
}

func (m *mergeBlanker) reset() { m.next, m.active = 0, m.active[:0] }

func (m *mergeBlanker) apply(row *sheetRow) {
	for m.next < len(m.merges) && m.merges[m.next].Row1 <= row.num {
		m.active = append(m.active, m.merges[m.next])
		m.next++
	}
	if len(m.active) == 0 {
		return
	}
	m.active = slices.DeleteFunc(m.active, func(r ooxml.Range) bool { return r.Row2 < row.num })
	cells := row.cells[:0]
	for _, c := range row.cells {
		if !m.covered(row.num, c.col) {
			cells = append(cells, c)
		}
	}
	row.cells = cells
}

func (m *mergeBlanker) covered(row, col int) bool {
	for _, r := range m.active {
		if col >= r.Col1 && col <= r.Col2 && row >= r.Row1 && row <= r.Row2 && (row != r.Row1 || col != r.Col1) {
			return true
		}
	}
	return false
}
