package readers

import (
	"math"
	"strconv"
	"strings"
	"time"
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

// render shows the number v as the format does.
func (f *numFormat) render(v float64, raw string, date1904 bool) string {
	if f.general {
		return generalNumber(v, raw)
	}
	sec, neg := f.pick(v)
	if sec == nil {
		return generalNumber(v, raw)
	}
	if sec.date {
		if t, ok := sec.renderDate(v, date1904); ok {
			return t
		}
		return generalNumber(v, raw)
	}
	return trimSpaces(sec.renderNumber(v, raw, neg))
}

// trimSpaces drops the spaces that padding (_) and '?' placeholders leave
// at either end: they align a cell's text in its column, which text
// outside a spreadsheet has not.
func trimSpaces(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] == ' ' {
		i++
	}
	for j > i && s[j-1] == ' ' {
		j--
	}
	return s[i:j]
}

// pick chooses the section for v, and whether a minus sign is the
// section's to show (true when the section is for all numbers and v < 0).
func (f *numFormat) pick(v float64) (*fmtSection, bool) {
	secs := f.sections
	// Text sections (only @) never show numbers.
	n := len(secs)
	if n == 4 || (n > 1 && isTextSection(&secs[n-1])) {
		n--
	}
	if n == 0 {
		return nil, false
	}
	if secs[0].cond != nil || (n > 1 && secs[1].cond != nil) {
		for i := range n {
			if c := secs[i].cond; c != nil && c.holds(v) {
				return &secs[i], v < 0 && i == 0 || v < 0 && c.val >= 0
			}
			if secs[i].cond == nil {
				return &secs[i], v < 0
			}
		}
		return &secs[n-1], v < 0
	}
	switch {
	case n == 1 || v > 0 || (v == 0 && n == 2):
		return &secs[0], v < 0
	case v < 0:
		return &secs[1], false
	}
	return &secs[2], false
}

func isTextSection(s *fmtSection) bool {
	for _, it := range s.items {
		if it.kind == itText {
			return true
		}
	}
	return false
}

// renderNumber shows v with a number section. neg says to prefix a minus
// sign; otherwise the section shows |v| (its own literals say it is
// negative).
func (s *fmtSection) renderNumber(v float64, raw string, neg bool) string {
	a := math.Abs(v)
	for range s.percent {
		a *= 100
	}
	for range s.scale {
		a /= 1000
	}
	var b strings.Builder
	if neg && (s.digits || s.general) {
		b.WriteByte('-')
	}
	var intDigits, decDigits, expText, fracText string
	switch {
	case s.fraction:
		intDigits, fracText = s.fractionParts(a)
	case s.expSign != 0:
		intDigits, decDigits, expText = s.scientific(a)
	case s.digits:
		intDigits, decDigits = roundDecimal(a, len(s.decPH))
	}
	slots := placeInt(intDigits, s.intPH, s.group)
	slot := 0
	for _, it := range s.items {
		switch it.kind {
		case itLiteral:
			b.WriteString(it.text)
		case itInt:
			b.WriteString(slots[slot])
			slot++
		case itPoint:
			b.WriteByte('.')
			b.WriteString(placeDec(decDigits, s.decPH))
		case itExp:
			b.WriteString(expText)
		case itFraction:
			b.WriteString(fracText)
		case itGeneral:
			b.WriteString(generalNumber(a, ""))
		case itText:
			b.WriteString(raw)
		}
	}
	return b.String()
}

// roundDecimal rounds a (≥ 0) to dec decimals as Excel does: from its
// 15 significant digits, half away from zero, and returns the integer
// digits (no leading zeros; "" for zero) and exactly dec decimals.
func roundDecimal(a float64, dec int) (string, string) {
	digits, exp := decimalDigits(a)
	// digits d1d2…dn means 0.d1d2…dn × 10^exp.
	keep := exp + dec // digits kept
	if keep < 0 {
		return "", strings.Repeat("0", dec)
	}
	if keep < len(digits) {
		up := digits[keep] >= '5'
		d := []byte(digits[:keep])
		if up {
			i := len(d) - 1
			for i >= 0 && d[i] == '9' {
				d[i] = '0'
				i--
			}
			if i >= 0 {
				d[i]++
			} else {
				d = append([]byte{'1'}, d...)
				exp++
			}
		}
		digits = string(d)
	}
	for len(digits) < exp+dec {
		digits += "0"
	}
	var intPart string
	if exp > 0 {
		intPart = strings.TrimLeft(digits[:exp], "0")
	}
	decPart := ""
	if dec > 0 {
		start := exp
		if start < 0 {
			decPart = strings.Repeat("0", -start) + digits
		} else {
			decPart = digits[start:]
		}
		decPart = (decPart + strings.Repeat("0", dec))[:dec]
	}
	return intPart, decPart
}

// decimalDigits returns a's 15 significant digits (trailing zeros cut)
// and its decimal exponent, so that a = 0.DIGITS × 10^exp.
func decimalDigits(a float64) (string, int) {
	if a == 0 {
		return "", 0
	}
	s := strconv.FormatFloat(a, 'e', 14, 64) // d.dddddddddddddde±XX
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
	return digits, exp + 1
}

// placeInt lays the integer digits over the placeholders, returning what
// each shows: from the right, the leftmost placeholder taking any extra
// digits, '0' padding with zeros, '?' with spaces, '#' with nothing, and
// thousands separators placed by the digits' positions.
func placeInt(digits string, ph []byte, group bool) []string {
	slots := make([]string, len(ph))
	k := 0 // digits placed, counting from the right
	put := func(c byte, into []byte) []byte {
		if group && k > 0 && k%3 == 0 && c != ' ' {
			into = append(into, ',')
		}
		k++
		return append(into, c)
	}
	for i := len(ph) - 1; i >= 0; i-- {
		var out []byte // reversed
		if n := len(ph) - 1 - i; n < len(digits) {
			out = put(digits[len(digits)-1-n], out)
		} else if ph[i] == '0' {
			out = put('0', out)
		} else if ph[i] == '?' {
			out = append(out, ' ')
			k++
		}
		if i == 0 {
			for n := len(ph); n < len(digits); n++ {
				out = put(digits[len(digits)-1-n], out)
			}
		}
		for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
		slots[i] = string(out)
	}
	return slots
}

// placeDec lays decimals over placeholders: trailing zeros under '#' are
// dropped and under '?' become spaces.
func placeDec(digits string, ph []byte) string {
	d := []byte(digits)
	end := len(d)
	for end > 0 && d[end-1] == '0' && ph[end-1] != '0' {
		if ph[end-1] == '?' {
			d[end-1] = ' '
		} else {
			d = d[:end-1]
		}
		end--
	}
	return string(d)
}

func (s *fmtSection) scientific(a float64) (string, string, string) {
	exp := 0
	if a != 0 {
		exp = int(math.Floor(math.Log10(a)))
	}
	// With several integer placeholders ("##0.0E+0") the exponent is a
	// multiple of their count, engineering style.
	if n := len(s.intPH); n > 1 {
		exp = int(math.Floor(float64(exp)/float64(n))) * n
	} else if n == 0 {
		exp++
	}
	m := a / math.Pow(10, float64(exp))
	intDigits, decDigits := roundDecimal(m, len(s.decPH))
	if len(intDigits) > max(len(s.intPH), 1) && len(s.intPH) <= 1 {
		// Rounding carried into another digit: 9.99 → 10.0.
		exp++
		intDigits, decDigits = roundDecimal(a/math.Pow(10, float64(exp)), len(s.decPH))
	}
	sign := ""
	if exp < 0 {
		sign = "-"
	} else if s.expSign == '+' {
		sign = "+"
	}
	e := strconv.Itoa(abs(exp))
	for len(e) < len(s.expPH) {
		e = "0" + e
	}
	return intDigits, decDigits, "E" + sign + e
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// fractionParts shows a as a fraction: "1 1/4", or "5/4" without an
// integer part.
func (s *fmtSection) fractionParts(a float64) (string, string) {
	whole := 0.0
	frac := a
	hasInt := len(s.intPH) > 0
	if hasInt {
		whole = math.Floor(a)
		frac = a - whole
	}
	var num, den int
	if s.denFixed > 0 {
		den = s.denFixed
		num = int(math.Round(frac * float64(den)))
	} else {
		maxDen := int(math.Pow(10, float64(max(len(s.denPH), 1)))) - 1
		num, den = approximate(frac, maxDen)
	}
	if hasInt && den > 0 && num == den {
		whole++
		num = 0
	}
	intDigits := ""
	if whole > 0 {
		intDigits = strconv.FormatFloat(whole, 'f', 0, 64)
	}
	if num == 0 && hasInt {
		if intDigits == "" {
			intDigits = "0"
		}
		return intDigits, ""
	}
	n := strconv.Itoa(num)
	for len(n) < len(s.numPH) {
		n = " " + n
	}
	d := strconv.Itoa(den)
	for len(d) < len(s.denPH) {
		d += " "
	}
	return intDigits, n + "/" + d
}

// approximate finds the fraction nearest x with a denominator up to
// maxDen, by walking the Stern-Brocot tree's continued fractions.
func approximate(x float64, maxDen int) (int, int) {
	if x == 0 {
		return 0, 1
	}
	bestN, bestD, bestErr := 0, 1, x
	for d := 1; d <= maxDen && d <= 9999; d++ {
		n := int(math.Round(x * float64(d)))
		if e := math.Abs(x - float64(n)/float64(d)); e < bestErr-1e-12 {
			bestN, bestD, bestErr = n, d, e
		}
	}
	return bestN, bestD
}

// generalNumber is Excel's General format, as excelize showed it before
// (so existing outputs do not change): the number as stored when it has
// at most 15 digits, else 15 significant digits, in E notation when
// Go's %G picks it.
func generalNumber(v float64, raw string) string {
	if raw != "" && plainInteger(raw) {
		return raw
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return raw
	}
	f := strconv.FormatFloat(v, 'f', -1, 64)
	digits := len(f) - strings.Count(f, ".") - strings.Count(f, "-")
	if digits > 15 {
		return strconv.FormatFloat(v, 'G', 15, 64)
	}
	return f
}

// plainInteger reports whether s is an integer of at most 15 digits
// without leading zeros: shown as it is, without parsing.
func plainInteger(s string) bool {
	i := 0
	if s[0] == '-' {
		i = 1
	}
	n := len(s) - i
	if n == 0 || n > 15 || (s[i] == '0' && n > 1) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// renderDate shows the serial date v. ok is false for values Excel shows
// as ####: negative, or past 9999-12-31.
func (s *fmtSection) renderDate(v float64, date1904 bool) (string, bool) {
	if v < 0 || v >= 2958466 {
		return "", false
	}
	// Round to the shown precision: whole seconds, or the fraction shown.
	unit := 86400.0
	for range s.subsec {
		unit *= 10
	}
	ticks := math.Round(v * unit)
	days := math.Floor(ticks / unit)
	secs := (ticks - days*unit) / (unit / 86400)
	var t time.Time
	fake29 := false // 1900-02-29, Excel's phantom leap day
	switch {
	case date1904:
		t = epoch1904.AddDate(0, 0, int(days))
	case days == 60:
		fake29 = true
		t = time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC)
	case days < 60:
		t = epoch1900.AddDate(0, 0, int(days)+1)
	default:
		t = epoch1900.AddDate(0, 0, int(days))
	}
	whole := math.Floor(secs)
	frac := secs - whole
	t = t.Add(time.Duration(whole) * time.Second)
	year, month, day := t.Date()
	if fake29 {
		day = 29
	}
	if !date1904 && days == 0 {
		year, month, day = 1900, 1, 0
	}
	hour, minute, second := t.Clock()
	var b strings.Builder
	for i, it := range s.items {
		switch it.kind {
		case itLiteral:
			b.WriteString(it.text)
		case itAMPM:
			b.WriteString(ampm(it.text, hour))
		case itDate:
			b.WriteString(s.datePart(it.text, i, v, year, month, day, hour, minute, second, frac, t))
		case itGeneral:
			b.WriteString(generalNumber(v, ""))
		}
	}
	return b.String(), true
}

func ampm(written string, hour int) string {
	pm := hour >= 12
	if len(written) == 3 { // A/P
		if pm {
			return written[2:3]
		}
		return written[:1]
	}
	if pm {
		return written[3:5]
	}
	return written[:2]
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func (s *fmtSection) datePart(tok string, at int, v float64, year int, month time.Month, day, hour, minute, second int, frac float64, t time.Time) string {
	pad := func(n, width int) string {
		str := strconv.Itoa(n)
		for len(str) < width {
			str = "0" + str
		}
		return str
	}
	switch {
	case tok[0] == '[':
		width, _ := strconv.Atoi(tok[3:])
		total := math.Round(v*86400) / 86400
		switch tok[1] {
		case 'h':
			return pad(int(total*24), width)
		case 'm':
			return pad(int(total*24*60), width)
		}
		return pad(int(total*86400), width)
	case tok[0] == '.':
		n, _ := strconv.Atoi(tok[1:])
		d := strconv.FormatFloat(frac, 'f', n, 64)
		return d[strings.IndexByte(d, '.'):]
	}
	n := len(tok)
	switch tok[0] {
	case 'y':
		if n <= 2 {
			return pad(year%100, 2)
		}
		return pad(year, 4)
	case 'd':
		switch n {
		case 1:
			return strconv.Itoa(day)
		case 2:
			return pad(day, 2)
		case 3:
			return t.Weekday().String()[:3]
		}
		return t.Weekday().String()
	case 'h':
		if s.ampm {
			hour %= 12
			if hour == 0 {
				hour = 12
			}
		}
		return pad(hour, min(n, 2))
	case 's':
		return pad(second, min(n, 2))
	case 'm':
		if s.isMinute(at) {
			return pad(minute, min(n, 2))
		}
		name := monthNames[month-1]
		switch n {
		case 1:
			return strconv.Itoa(int(month))
		case 2:
			return pad(int(month), 2)
		case 3:
			return name[:3]
		case 5:
			return name[:1]
		}
		return name
	}
	return tok
}

// isMinute reports whether the m-run at item i means minutes: right after
// an hour part or right before a seconds part, literals between ignored.
func (s *fmtSection) isMinute(i int) bool {
	if len(s.items[i].text) > 2 {
		return false
	}
	for j := i - 1; j >= 0; j-- {
		if it := s.items[j]; it.kind == itDate {
			if it.text[0] == 'h' || strings.HasPrefix(it.text, "[h") {
				return true
			}
			break
		}
	}
	for j := i + 1; j < len(s.items); j++ {
		if it := s.items[j]; it.kind == itDate {
			return it.text[0] == 's' || strings.HasPrefix(it.text, "[s")
		}
	}
	return false
}
