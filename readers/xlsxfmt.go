package readers

import (
	"strconv"
	"strings"
)

// numFormat is a compiled Excel number format: up to four sections
// (positive; negative; zero; text), as Excel picks them.
type numFormat struct {
	sections []fmtSection
	general  bool // the whole format is General: the common case, kept fast
}

type fmtSection struct {
	items    []fmtItem
	cond     *fmtCond
	date     bool   // has date or time parts: the value is a serial date
	general  bool   // has a General part
	digits   bool   // has digit placeholders
	intPH    []byte // integer placeholders, '0', '#' or '?', left to right
	decPH    []byte // decimal placeholders
	expPH    []byte // exponent placeholders; expSign is '+' or '-'
	expSign  byte
	numPH    []byte // fraction numerator placeholders
	denPH    []byte // fraction denominator placeholders, or
	denFixed int    // a fixed denominator
	group    bool   // thousands separators
	scale    int    // trailing commas: divide by 1000 each
	percent  int
	point    bool // has a decimal point
	fraction bool
	subsec   int  // digits of fractional seconds
	ampm     bool // 12-hour clock
}

type fmtCond struct {
	op  string
	val float64
}

func (c *fmtCond) holds(v float64) bool {
	switch c.op {
	case "<":
		return v < c.val
	case "<=":
		return v <= c.val
	case ">":
		return v > c.val
	case ">=":
		return v >= c.val
	case "=":
		return v == c.val
	case "<>":
		return v != c.val
	}
	return false
}

// itemKind is what one part of a section shows.
type itemKind uint8

const (
	itLiteral  itemKind = iota
	itInt               // the integer digits (all integer placeholders render here)
	itPoint             // the decimal point and the decimal digits
	itExp               // E+00
	itFraction          // numerator/denominator
	itGeneral           // General
	itDate              // a date or time part: text holds y, m, d, h, M (minutes), s, [h] …
	itAMPM              // AM/PM or A/P; text holds it as written
	itText              // @
)

type fmtItem struct {
	kind itemKind
	text string
}

// builtinFormats are Excel's built-in format codes in the en-US locale,
// with the two decisions documented in the package: 14 and 22, the
// viewer's short date, are ISO 8601. The East Asian date ids are shown as
// ISO dates as well.
var builtinFormats = map[int]string{
	0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
	5: `"$"#,##0_);("$"#,##0)`, 6: `"$"#,##0_);[Red]("$"#,##0)`,
	7: `"$"#,##0.00_);("$"#,##0.00)`, 8: `"$"#,##0.00_);[Red]("$"#,##0.00)`,
	9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
	14: "yyyy-mm-dd", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
	18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy-mm-dd hh:mm",
	37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)",
	41: `_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)`, 42: `_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)`,
	43: `_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)`, 44: `_("$"* #,##0.00_);_("$"* \(#,##0.00\);_("$"* "-"??_);_(@_)`,
	45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 48: "##0.0E+0", 49: "@",
}

func init() {
	for _, id := range []int{27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58} {
		builtinFormats[id] = "yyyy-mm-dd"
	}
}

var generalFormat = &numFormat{general: true}

// parseNumFormat compiles a format code. It never fails: what it does not
// understand it shows as literal text, as spreadsheets do.
func parseNumFormat(code string) *numFormat {
	if strings.EqualFold(code, "General") || code == "" {
		return generalFormat
	}
	f := &numFormat{}
	for _, sec := range splitSections(code) {
		f.sections = append(f.sections, parseSection(sec))
		if len(f.sections) == 4 {
			break
		}
	}
	return f
}

// splitSections splits a code at the semicolons outside quotes, brackets
// and escapes.
func splitSections(code string) []string {
	var out []string
	start, inQuote, inBracket := 0, false, false
	for i := 0; i < len(code); i++ {
		switch c := code[i]; {
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			inBracket = c != ']'
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == ';':
			out = append(out, code[start:i])
			start = i + 1
		}
	}
	return append(out, code[start:])
}

func parseSection(code string) fmtSection {
	var s fmtSection
	lit := func(t string) {
		if n := len(s.items); n > 0 && s.items[n-1].kind == itLiteral {
			s.items[n-1].text += t
			return
		}
		s.items = append(s.items, fmtItem{kind: itLiteral, text: t})
	}
	// Decide first whether this is a date section: date letters outside
	// quotes, and no digit placeholders other than fractional seconds.
	s.date = isDateCode(code)
	stage := 0 // number sections: 0 integer, 1 decimals, 2 exponent, 4 denominator
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				j = len(code) - i - 1
			}
			lit(code[i+1 : i+1+j])
			i += j + 1
		case c == '\\':
			if i+1 < len(code) {
				lit(code[i+1 : i+2])
				i++
			}
		case c == '_':
			lit(" ") // space as wide as the next character
			i++
		case c == '*':
			i++ // fill: repeats a character to the cell's width, which text has not
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				j = len(code) - i
			}
			s.bracket(code[i+1:i+j], lit)
			i += j
		case len(code)-i >= 7 && strings.EqualFold(code[i:i+7], "General"):
			s.general = true
			s.items = append(s.items, fmtItem{kind: itGeneral})
			i += 6
		case c == '@':
			s.items = append(s.items, fmtItem{kind: itText})
		case s.date:
			i = s.dateToken(code, i, lit)
		case c == '0' || c == '#' || c == '?':
			s.digits = true
			switch stage {
			case 0:
				s.intPH = append(s.intPH, c)
				s.items = append(s.items, fmtItem{kind: itInt, text: string(c)})
			case 1:
				s.decPH = append(s.decPH, c)
			case 2:
				s.expPH = append(s.expPH, c)
			case 4:
				s.denPH = append(s.denPH, c)
			}
		case c >= '1' && c <= '9' && stage == 4:
			j := i
			for j < len(code) && code[j] >= '0' && code[j] <= '9' {
				j++
			}
			s.denFixed, _ = strconv.Atoi(code[i:j])
			i = j - 1
		case c == '.' && stage == 0:
			s.point = true
			stage = 1
			s.items = append(s.items, fmtItem{kind: itPoint})
		case c == ',' && stage <= 1:
			if stage == 0 && nextIsDigit(code, i+1) && len(s.intPH) > 0 {
				s.group = true
			} else if stage == 0 && len(s.intPH) > 0 || stage == 1 {
				s.scale++
			} else {
				lit(",")
			}
		case c == '%':
			s.percent++
			lit("%")
		case (c == 'E' || c == 'e') && i+1 < len(code) && (code[i+1] == '+' || code[i+1] == '-') && s.digits:
			s.expSign = code[i+1]
			stage = 2
			s.items = append(s.items, fmtItem{kind: itExp})
			i++
		case c == '/' && s.digits && stage <= 1:
			s.fraction = true
			// The placeholders read so far are the numerator's: move them,
			// and the integer part is the group before the space, if any.
			s.splitFraction()
			stage = 4
			s.items = append(s.items, fmtItem{kind: itFraction})
		default:
			lit(code[i : i+1])
		}
	}
	return s
}

// splitFraction makes the last run of integer placeholders the
// numerator: in "# ??/??" the "#" before the space is the integer part.
func (s *fmtSection) splitFraction() {
	i := len(s.items)
	for i > 0 && s.items[i-1].kind == itInt {
		i--
	}
	run := len(s.items) - i
	s.numPH = s.intPH[len(s.intPH)-run:]
	s.intPH = s.intPH[:len(s.intPH)-run]
	s.items = s.items[:i]
}

func nextIsDigit(code string, i int) bool {
	return i < len(code) && (code[i] == '0' || code[i] == '#' || code[i] == '?')
}

// bracket handles [Red], [$€-407], [h], [>100] and the like.
func (s *fmtSection) bracket(in string, lit func(string)) {
	switch {
	case in == "":
	case in[0] == '$':
		sym, _, _ := strings.Cut(in[1:], "-")
		lit(sym)
	case in[0] == '<' || in[0] == '>' || in[0] == '=':
		op := in[:1]
		if len(in) > 1 && (in[1] == '=' || in[1] == '>') {
			op = in[:2]
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(in[len(op):]), 64); err == nil {
			s.cond = &fmtCond{op: op, val: v}
		}
	case isElapsed(in):
		s.date = true
		s.items = append(s.items, fmtItem{kind: itDate, text: "[" + strings.ToLower(in[:1]) + "]" + strconv.Itoa(len(in))})
	}
	// Colours, [DBNum…], locale ids: nothing to show.
}

func isElapsed(in string) bool {
	if in == "" {
		return false
	}
	c := in[0] | 0x20
	if c != 'h' && c != 'm' && c != 's' {
		return false
	}
	for i := 1; i < len(in); i++ {
		if in[i]|0x20 != c {
			return false
		}
	}
	return true
}

// isDateCode reports whether a section shows a date or time.
func isDateCode(code string) bool {
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				return false
			}
			if isElapsed(code[i+1 : i+j]) {
				return true
			}
			i += j
		case len(code)-i >= 7 && strings.EqualFold(code[i:i+7], "General"):
			i += 6
		case strings.ContainsRune("yYmMdDhHsS", rune(c)):
			return true
		case c == '0' || c == '#' || c == '?':
			return false
		}
	}
	return false
}

// dateToken reads one date part at code[i] and returns the index of its
// last byte.
func (s *fmtSection) dateToken(code string, i int, lit func(string)) int {
	c := code[i] | 0x20
	run := func() int {
		j := i
		for j < len(code) && code[j]|0x20 == c {
			j++
		}
		return j - i
	}
	switch c {
	case 'y', 'd', 'h', 's':
		n := run()
		s.items = append(s.items, fmtItem{kind: itDate, text: strings.Repeat(string(c), n)})
		return i + n - 1
	case 'm':
		n := run()
		s.items = append(s.items, fmtItem{kind: itDate, text: strings.Repeat("m", n)})
		return i + n - 1
	case 'a':
		for _, ap := range []string{"AM/PM", "A/P"} {
			if len(code)-i >= len(ap) && strings.EqualFold(code[i:i+len(ap)], ap) {
				s.ampm = true
				s.items = append(s.items, fmtItem{kind: itAMPM, text: code[i : i+len(ap)]})
				return i + len(ap) - 1
			}
		}
	case '.':
		if i+1 < len(code) && code[i+1] == '0' {
			j := i + 1
			for j < len(code) && code[j] == '0' {
				j++
			}
			s.subsec = j - i - 1
			s.items = append(s.items, fmtItem{kind: itDate, text: "." + strconv.Itoa(j-i-1)})
			return j - 1
		}
	}
	lit(code[i : i+1])
	return i
}
