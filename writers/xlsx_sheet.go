package writers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/enrich-dev/enrich/internal/ooxml"
	"github.com/enrich-dev/enrich/table"
)

// survey reads the whole sheet once before anything is written or paid
// for: it checks its XML, finds the range its cells use (for the new
// <dimension>), and refuses a merged range that covers a cell the added
// columns would fill, which could otherwise be found only at that row.
func (p *inPlace) survey() (ooxml.Range, error) {
	rc, err := p.pkg.OpenPart(p.sheet.Part)
	if err != nil {
		return ooxml.Range{}, p.located(0, err)
	}
	defer rc.Close()
	sc := ooxml.NewScanner(rc)
	var used ooxml.Range
	row, col := 0, 0
	hr := p.opts.Source.HeaderRow
	for {
		err := sc.Next()
		if errors.Is(err, io.EOF) {
			return used, nil
		}
		if err != nil {
			return used, p.located(row, err)
		}
		if k := sc.Kind(); k != ooxml.StartTag && k != ooxml.EmptyTag {
			continue
		}
		switch d, local := sc.Depth(), string(sc.Local()); {
		case d == 3 && local == "row":
			next := row + 1
			if r, ok := sc.Attr("r"); ok {
				n, valid := ooxml.ParseRowNumber(r)
				if !valid {
					return used, p.located(next, fmt.Errorf("row number %q is not one from 1 to %d", r, ooxml.MaxRows))
				}
				next = n
			}
			if next <= row {
				return used, p.located(next, fmt.Errorf("row %d comes after row %d in the sheet's XML; rows must be in ascending order", next, row))
			}
			row, col = next, 0
		case d == 4 && local == "c":
			next := col + 1
			if r, ok := sc.Attr("r"); ok {
				c, rr := ooxml.ParseCell(r)
				if c == 0 || rr != row {
					return used, p.located(row, fmt.Errorf("cell reference %q does not belong in row %d", r, row))
				}
				next = c
			}
			if next <= col || next > ooxml.MaxColumns {
				return used, p.located(row, fmt.Errorf("cell %s is out of order in the sheet's XML", ooxml.CellName(next, row)))
			}
			col = next
			used = used.Add(col, row)
		case d == 3 && local == "mergeCell":
			ref, _ := sc.Attr("ref")
			m, ok := ooxml.ParseRange(string(ref))
			if !ok || m.Col2 < p.first || m.Col1 > p.last || m.Row2 < hr {
				continue
			}
			c, r := max(m.Col1, p.first), max(m.Row1, hr)
			return used, p.located(0, fmt.Errorf("merged range %s covers cell %s, where column %q goes; unmerge it or move it first",
				m, ooxml.CellName(c, r), p.opts.Added[c-p.first]))
		}
	}
}

// advance copies the sheet up to row target and writes vals into it;
// target 0 copies to the end. The header row, when met, gets the added
// columns' names.
func (p *inPlace) advance(target int, vals []string, kinds []table.Kind) error {
	sc := p.sc
	hr := p.opts.Source.HeaderRow
	for {
		err := sc.Next()
		if errors.Is(err, io.EOF) {
			if target != 0 {
				return p.located(target, errors.New("the row is not in the sheet"))
			}
			return nil
		}
		if err != nil {
			return p.located(p.prevRow, err)
		}
		k := sc.Kind()
		if !p.inData {
			if err := p.beforeData(); err != nil {
				return err
			}
			continue
		}
		if k == ooxml.EndTag && sc.Depth() == 2 { // </sheetData>
			p.inData, p.ended = false, true
			if target != 0 {
				return p.located(target, errors.New("the row is not in the sheet"))
			}
			p.write(sc.Raw())
			continue
		}
		if (k != ooxml.StartTag && k != ooxml.EmptyTag) || sc.Depth() != 3 || string(sc.Local()) != "row" {
			p.write(sc.Raw())
			continue
		}
		num := p.prevRow + 1
		if r, ok := sc.Attr("r"); ok {
			num, _ = ooxml.ParseRowNumber(r)
		}
		p.prevRow = num
		switch {
		case num == hr:
			p.header = true
			if err := p.rewriteRow(num, p.opts.Added, nil, fmt.Sprintf("header row %d", num), true); err != nil {
				return err
			}
		case target != 0 && num == target:
			return p.rewriteRow(num, vals, kinds, p.opts.rowName(num), false)
		case target != 0 && num > target:
			return p.located(target, errors.New("the row is not in the sheet"))
		default:
			if err := p.copyElement(); err != nil {
				return err
			}
		}
	}
}

// beforeData handles a token before <sheetData>: the dimension is
// rewritten and <cols> held back, to be written, widened for the added
// columns, just before the rows.
func (p *inPlace) beforeData() error {
	sc := p.sc
	k := sc.Kind()
	if p.ended || (k != ooxml.StartTag && k != ooxml.EmptyTag) || sc.Depth() != 2 {
		p.write(sc.Raw())
		return nil
	}
	switch string(sc.Local()) {
	case "dimension":
		p.write(ooxml.SetAttr(sc.Raw(), "ref", p.used.String()))
		return nil
	case "cols":
		p.prefix = bytes.Clone(sc.Prefix())
		if k == ooxml.EmptyTag {
			return nil
		}
		for {
			if err := sc.Next(); err != nil {
				return p.located(0, err)
			}
			switch sc.Kind() {
			case ooxml.EndTag:
				if sc.Depth() == 2 {
					return nil
				}
			case ooxml.StartTag, ooxml.EmptyTag:
				if string(sc.Local()) == "col" {
					tag := bytes.Clone(sc.Raw())
					if sc.Kind() == ooxml.StartTag { // <col …></col>
						tag = append(tag[:len(tag)-1], "/>"...)
					}
					p.cols = append(p.cols, tag)
				}
				if err := sc.SkipElement(); err != nil {
					return p.located(0, err)
				}
			}
		}
	case "sheetData":
		p.prefix = bytes.Clone(sc.Prefix())
		p.writeCols()
		p.write(sc.Raw())
		if k == ooxml.StartTag {
			p.inData = true
		} else {
			p.ended = true
		}
		return nil
	}
	p.write(sc.Raw())
	return nil
}

// writeCols writes the sheet's column widths, with the added columns as
// wide as the last header column when that has a width of its own.
func (p *inPlace) writeCols() {
	cols := p.cols
	var like []byte
	n := len(p.opts.Header)
	for _, c := range cols {
		lo, hi := colSpan(c)
		if n >= lo && n <= hi {
			if _, ok := ooxml.AttrOf(c, "width"); ok {
				like = c
			}
		}
	}
	// The added columns take the neighbour's width, or the default one
	// when it has none: a width the sheet gave those columns before was
	// for other content.
	var kept [][]byte
	changed := false
	for _, c := range cols {
		lo, hi := colSpan(c)
		if hi < p.first || lo > p.last {
			kept = append(kept, c)
			continue
		}
		changed = true
		if lo < p.first {
			kept = append(kept, setSpan(c, lo, p.first-1))
		}
		if hi > p.last {
			kept = append(kept, setSpan(c, p.last+1, hi))
		}
	}
	if like != nil {
		changed = true
		kept = append(kept, ooxml.SetAttr(setSpan(like, p.first, p.last), "customWidth", "1"))
	}
	if changed {
		slices.SortStableFunc(kept, func(a, b []byte) int { x, _ := colSpan(a); y, _ := colSpan(b); return x - y })
		cols = kept
	}
	if len(cols) == 0 {
		return
	}
	p.write([]byte("<"))
	p.write(p.prefix)
	p.write([]byte("cols>"))
	for _, c := range cols {
		p.write(c)
	}
	p.write([]byte("</"))
	p.write(p.prefix)
	p.write([]byte("cols>"))
}

func colSpan(tag []byte) (int, int) {
	lo, _ := ooxml.AttrOf(tag, "min")
	hi, _ := ooxml.AttrOf(tag, "max")
	a, _ := strconv.Atoi(string(lo))
	b, _ := strconv.Atoi(string(hi))
	return a, b
}

func setSpan(tag []byte, lo, hi int) []byte {
	return ooxml.SetAttr(ooxml.SetAttr(tag, "min", strconv.Itoa(lo)), "max", strconv.Itoa(hi))
}

// copyElement copies the current element through its end tag.
func (p *inPlace) copyElement() error {
	sc := p.sc
	p.write(sc.Raw())
	if sc.Kind() == ooxml.EmptyTag {
		return nil
	}
	depth := sc.Depth()
	for {
		if err := sc.Next(); err != nil {
			return p.located(p.prevRow, err)
		}
		p.write(sc.Raw())
		if sc.Kind() == ooxml.EndTag && sc.Depth() == depth {
			return nil
		}
	}
}

// rewriteRow copies the current <row> with vals in the added columns.
// An empty cell already there (a styled blank) gives its style to the
// value and is replaced; a cell holding a value or formula is never
// overwritten.
func (p *inPlace) rewriteRow(num int, vals []string, kinds []table.Kind, at string, header bool) error {
	sc := p.sc
	tag := sc.Raw()
	adds := slices.ContainsFunc(vals, func(v string) bool { return v != "" })
	empty := sc.Kind() == ooxml.EmptyTag
	if adds {
		if spans, ok := sc.Attr("spans"); ok {
			if lo, hi, ok := parseSpans(spans); ok && hi < p.last {
				tag = ooxml.SetAttr(tag, "spans", strconv.Itoa(lo)+":"+strconv.Itoa(p.last))
			}
		}
	}
	if empty {
		tag = append(append([]byte{}, tag[:len(tag)-2]...), '>')
	}
	p.write(tag)
	r := rowWriter{p: p, num: num, vals: vals, kinds: kinds, header: header, at: at}
	if empty {
		r.emit()
		p.write([]byte("</"))
		p.write(p.prefix)
		p.write([]byte("row>"))
		return nil
	}
	depth := sc.Depth()
	col := 0
	for {
		if err := sc.Next(); err != nil {
			return p.located(num, err)
		}
		k := sc.Kind()
		if k == ooxml.EndTag && sc.Depth() == depth {
			r.emit()
			p.write(sc.Raw())
			return nil
		}
		if (k != ooxml.StartTag && k != ooxml.EmptyTag) || string(sc.Local()) != "c" {
			if r.emitted || k == ooxml.Text {
				p.write(sc.Raw())
				continue
			}
			if err := p.copyElement(); err != nil {
				return err
			}
			continue
		}
		col++
		if ref, ok := sc.Attr("r"); ok {
			col, _ = ooxml.ParseCell(ref)
		}
		if header && col == len(p.opts.Header) {
			if s, ok := sc.Attr("s"); ok {
				r.headerStyle = string(s)
			}
		}
		if col < p.first || r.emitted {
			if err := p.copyElement(); err != nil {
				return err
			}
			continue
		}
		cell, err := p.readCell()
		if err != nil {
			return err
		}
		if col > p.last {
			r.emit()
			p.write(cell.raw)
			continue
		}
		if cell.holds != "" {
			name := p.opts.Added[col-p.first]
			return fmt.Errorf("%s, column %q: cell %s of sheet %q already holds %s; refusing to overwrite it",
				at, name, ooxml.CellName(col, num), p.sheet.Name, cell.holds)
		}
		if r.blanks == nil {
			r.blanks = make(map[int]blankCell)
		}
		r.blanks[col] = blankCell{raw: cell.raw, style: cell.style}
	}
}

func parseSpans(b []byte) (int, int, bool) {
	lo, hi, ok := bytes.Cut(b, []byte(":"))
	a, err1 := strconv.Atoi(string(lo))
	c, err2 := strconv.Atoi(string(hi))
	return a, c, ok && err1 == nil && err2 == nil
}

// write copies b to the sheet entry. A failed write is kept in p.werr,
// which encode returns, so the hot path does not check every call.
func (p *inPlace) write(b []byte) {
	if _, err := p.w.Write(b); err != nil && p.werr == nil {
		p.werr = err
	}
}
