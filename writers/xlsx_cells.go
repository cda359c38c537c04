package writers

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/enrich-dev/enrich/internal/ooxml"
	"github.com/enrich-dev/enrich/table"
)

// Reading the cells of a row being rewritten, and writing the cells added
// to it.

// heldCell is a cell at or right of the first added column, read whole.
type heldCell struct {
	raw   []byte
	style string
	holds string // what it holds, for the refusal; "" when it is blank
}

type blankCell struct {
	raw   []byte
	style string
}

// readCell reads the current <c> whole, noting whether it holds a value
// or a formula.
func (p *inPlace) readCell() (heldCell, error) {
	sc := p.sc
	var c heldCell
	c.raw = bytes.Clone(sc.Raw())
	if s, ok := sc.Attr("s"); ok {
		c.style = string(s)
	}
	typ, _ := sc.Attr("t")
	shared := string(typ) == "s"
	if sc.Kind() == ooxml.EmptyTag {
		return c, nil
	}
	depth := sc.Depth()
	formula := false
	var in string           // the child element whose text is being read
	var ftext, vtext []byte // a formula's text and a value's
	for {
		if err := sc.Next(); err != nil {
			return c, p.located(p.prevRow, err)
		}
		c.raw = append(c.raw, sc.Raw()...)
		switch sc.Kind() {
		case ooxml.EndTag:
			if sc.Depth() != depth {
				in = ""
				continue
			}
			switch {
			case formula && len(ftext) > 0:
				c.holds = fmt.Sprintf("%q", "="+abbreviate(string(ftext)))
			case formula:
				c.holds = "a formula"
			case len(vtext) > 0 && shared:
				c.holds = "shared string " + string(vtext)
			case len(vtext) > 0:
				c.holds = fmt.Sprintf("%q", abbreviate(string(vtext)))
			}
			return c, nil
		case ooxml.StartTag, ooxml.EmptyTag:
			switch l := string(sc.Local()); l {
			case "f":
				formula = true
				in = l
			case "v", "t":
				in = l
			}
			if sc.Kind() == ooxml.EmptyTag {
				in = ""
			}
		case ooxml.Text, ooxml.CData:
			var err error
			switch in {
			case "f":
				ftext, err = sc.AppendText(ftext)
			case "v", "t":
				vtext, err = sc.AppendText(vtext)
			}
			if err != nil {
				return c, p.located(p.prevRow, err)
			}
		}
	}
}

// rowWriter emits a row's added cells, once, in column order.
type rowWriter struct {
	p           *inPlace
	num         int
	vals        []string
	kinds       []table.Kind
	header      bool
	headerStyle string
	at          string
	blanks      map[int]blankCell
	emitted     bool
}

func (r *rowWriter) emit() {
	if r.emitted {
		return
	}
	r.emitted = true
	p := r.p
	for i, v := range r.vals {
		col := p.first + i
		blank, had := r.blanks[col]
		if v == "" {
			if had {
				p.write(blank.raw)
			}
			continue
		}
		style := blank.style
		if r.header && style == "" {
			style = r.headerStyle
		}
		kind := table.Text
		if !r.header {
			kind = kindOf(r.kinds, i)
		}
		p.buf = appendCell(p.buf[:0], p.prefix, col, r.num, style, kind, v)
		p.write(p.buf)
	}
}

// appendCell appends one cell: a number or boolean when kind says so and
// the value is one (see cellValue), else an inline string, which is text
// whatever it holds ("=1+1" is never a formula).
func appendCell(dst, prefix []byte, col, row int, style string, kind table.Kind, v string) []byte {
	dst = append(dst, '<')
	dst = append(dst, prefix...)
	dst = append(dst, `c r="`...)
	dst = ooxml.AppendCellName(dst, col, row)
	dst = append(dst, '"')
	if style != "" && style != "0" {
		dst = append(dst, ` s="`...)
		dst = append(dst, style...)
		dst = append(dst, '"')
	}
	switch x := cellValue(kind, v).(type) {
	case float64:
		dst = append(dst, '>')
		dst = appendElem(dst, prefix, "v", strconv.FormatFloat(x, 'g', -1, 64))
	case bool:
		dst = append(dst, ` t="b">`...)
		b := "0"
		if x {
			b = "1"
		}
		dst = appendElem(dst, prefix, "v", b)
	default:
		dst = append(dst, ` t="inlineStr"><`...)
		dst = append(dst, prefix...)
		dst = append(dst, "is><"...)
		dst = append(dst, prefix...)
		dst = append(dst, 't')
		if ooxml.NeedsSpacePreserve(v) {
			dst = append(dst, ` xml:space="preserve"`...)
		}
		dst = append(dst, '>')
		dst = ooxml.AppendEscaped(dst, v)
		dst = append(dst, "</"...)
		dst = append(dst, prefix...)
		dst = append(dst, "t></"...)
		dst = append(dst, prefix...)
		dst = append(dst, "is>"...)
	}
	dst = append(dst, "</"...)
	dst = append(dst, prefix...)
	return append(dst, "c>"...)
}

func appendElem(dst, prefix []byte, name, text string) []byte {
	dst = append(dst, '<')
	dst = append(dst, prefix...)
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = append(dst, text...)
	dst = append(dst, "</"...)
	dst = append(dst, prefix...)
	dst = append(dst, name...)
	return append(dst, '>')
}
