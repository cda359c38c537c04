package readers

import (
	"math"
	"strconv"
	"strings"
)

// Rendering a number through a compiled format: picking the section,
// rounding as Excel does, placing digits, scientific and fractions.

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
