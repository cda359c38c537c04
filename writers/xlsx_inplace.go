package writers

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// inPlace writes a copy of the input workbook with the added columns filled
// in on one sheet. It edits the workbook in excelize's normal mode, which
// holds it all in memory, because the StreamWriter can only write new
// sheets: used on an existing one it wipes its data and formats.
//
// Only cells in the added columns are set: as text, or as a number or
// boolean when the value's table.Kind says so (see cellValue). Other sheets,
// styles, formulas, merges and number cells stay as they were, and a
// non-empty cell where a value should go is an error, never overwritten.
type inPlace struct {
	out   io.Writer
	f     *excelize.File
	opts  Options
	sheet string
	first int // column number of the first added column
}

func openInPlace(w io.Writer, o Options, path string) (*inPlace, error) {
	if isStdio(o.Source.Path) {
		return nil, fmt.Errorf("xlsx output from an xlsx input is a copy of the input workbook, so it needs the input's file path, got %q", o.Source.Path)
	}
	f, err := excelize.OpenFile(o.Source.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", o.Source.Path, err)
	}
	p := &inPlace{out: w, f: f, opts: o, sheet: o.Source.Sheet, first: len(o.Header) + 1}
	if err := p.start(path); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return p, nil
}

// start checks the sheet and writes the added header cells, styled and
// sized like the last input header cell so they look like their
// neighbours.
func (p *inPlace) start(path string) error {
	setContentPath(p.f, path)
	if p.sheet == "" {
		sheets := p.f.GetSheetList()
		if len(sheets) == 0 {
			return fmt.Errorf("%s: the workbook has no sheets", p.opts.Source.Path)
		}
		p.sheet = sheets[0]
	}
	if idx, err := p.f.GetSheetIndex(p.sheet); err != nil || idx < 0 {
		return fmt.Errorf("%s: no sheet named %q", p.opts.Source.Path, p.sheet)
	}
	at := fmt.Sprintf("header row %d", p.opts.Source.HeaderRow)
	for i, name := range p.opts.Added {
		if err := p.put(p.first+i, p.opts.Source.HeaderRow, at, name, name, table.Text); err != nil {
			return err
		}
	}
	if n := len(p.opts.Header); n > 0 {
		if err := p.lookLike(n); err != nil {
			return fmt.Errorf("%s: sheet %q: header style: %w", p.opts.Source.Path, p.sheet, err)
		}
	}
	return nil
}

// lookLike gives the added header cells the style of header column n, and
// the added columns its width when that differs from theirs.
func (p *inPlace) lookLike(n int) error {
	last, err := excelize.CoordinatesToCellName(n, p.opts.Source.HeaderRow)
	if err != nil {
		return err
	}
	style, err := p.f.GetCellStyle(p.sheet, last)
	if err != nil {
		return err
	}
	width, err := p.f.GetColWidth(p.sheet, columnName(n))
	if err != nil {
		return err
	}
	for i := range p.opts.Added {
		col := columnName(p.first + i)
		if style != 0 {
			cell := col + strconv.Itoa(p.opts.Source.HeaderRow)
			if err := p.f.SetCellStyle(p.sheet, cell, cell, style); err != nil {
				return err
			}
		}
		cur, err := p.f.GetColWidth(p.sheet, col)
		if err == nil && cur != width {
			err = p.f.SetColWidth(p.sheet, col, col, width)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *inPlace) encode(rec Record) error {
	num := rec.Row.Num
	if num <= p.opts.Source.HeaderRow || num > excelize.TotalRows {
		return fmt.Errorf("row %d: not a data row of sheet %q, whose header is row %d", num, p.sheet, p.opts.Source.HeaderRow)
	}
	for i, v := range rec.Values {
		if err := p.put(p.first+i, num, p.opts.rowName(num), p.opts.Added[i], v, kindOf(rec.Kinds, i)); err != nil {
			return err
		}
	}
	return nil
}

// put sets the cell at (col, row) to s, typed by kind, unless s is empty.
// It refuses to overwrite a cell that holds a value or a formula,
// including a cell covered by a merged range whose first cell holds one.
func (p *inPlace) put(col, row int, at, column, s string, kind table.Kind) error {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return fmt.Errorf("%s, column %q: %w", at, column, err)
	}
	if err := checkCell(at, column, s); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	old, err := p.f.GetCellValue(p.sheet, cell, excelize.Options{RawCellValue: true})
	if err == nil && old == "" {
		if old, err = p.f.GetCellFormula(p.sheet, cell); old != "" {
			old = "=" + old
		}
	}
	if err == nil && old != "" {
		return fmt.Errorf("%s, column %q: cell %s of sheet %q already holds %q; refusing to overwrite it",
			at, column, cell, p.sheet, abbreviate(old))
	}
	if err == nil {
		switch v := cellValue(kind, s).(type) {
		case float64:
			err = p.f.SetCellFloat(p.sheet, cell, v, -1, 64)
		case bool:
			err = p.f.SetCellBool(p.sheet, cell, v)
		default:
			// SetCellStr stores a shared string: text, never a formula.
			err = p.f.SetCellStr(p.sheet, cell, s)
		}
	}
	if err != nil {
		return fmt.Errorf("%s, column %q: cell %s: %w", at, column, cell, err)
	}
	return nil
}

func (p *inPlace) finish() error {
	err := p.f.Write(p.out)
	if err != nil {
		err = libraryError("xlsx", err)
	}
	return errors.Join(err, p.f.Close())
}

func (p *inPlace) discard() error { return p.f.Close() }

// columnName returns the letters of column n (1-based); n is in range.
func columnName(n int) string {
	name, _ := excelize.ColumnNumberToName(n)
	return name
}

// abbreviate shortens s for an error message.
func abbreviate(s string) string {
	const limit = 40
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
