package readers

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Rendering a serial date through a compiled format.

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
