package readers

import (
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetRows streams a worksheet's rows as excelize displays them, with our
// fix for an excelize display bug, numbering rows as the sheet does.
type sheetRows struct {
	rows *excelize.Rows
	// raw walks the same rows unformatted, in step with rows. It exists
	// only when the workbook has a format that trips the percent bug
	// (see fixGroupedPercent), so other workbooks are parsed once.
	raw *excelize.Rows
	num int // worksheet row number of the row last returned
}

func newSheetRows(f *excelize.File, sheet string) (*sheetRows, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	s := &sheetRows{rows: rows}
	if hasGroupedPercent(f) {
		if s.raw, err = f.Rows(sheet); err != nil {
			_ = rows.Close()
			return nil, err
		}
	}
	return s, nil
}

// next returns the next row's cells, which excelize trims after the last
// cell with a value or formula; ok is false after the last row. excelize
// reports a gap in the row numbers as empty rows, so counting calls gives
// the worksheet row number.
func (s *sheetRows) next() (cells []string, ok bool, err error) {
	if !s.rows.Next() {
		return nil, false, s.rows.Error()
	}
	s.num++
	if cells, err = s.rows.Columns(); err != nil {
		return nil, false, err
	}
	if s.raw != nil && s.raw.Next() {
		raw, err := s.raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, false, err
		}
		for i := range min(len(cells), len(raw)) {
			cells[i] = fixGroupedPercent(cells[i], raw[i])
		}
	}
	return cells, true, nil
}

func (s *sheetRows) close() error {
	err := s.rows.Close()
	if s.raw != nil {
		err = errors.Join(err, s.raw.Close())
	}
	return err
}

// hasGroupedPercent reports whether any cell style uses a custom number
// format with both a thousands separator and a percent sign. A panic in
// excelize's style parsing counts as yes: the fix is then merely slower.
func hasGroupedPercent(f *excelize.File) (found bool) {
	defer func() {
		if recover() != nil {
			found = true
		}
	}()
	for i := 0; ; i++ {
		style, err := f.GetStyle(i)
		if err != nil {
			return false
		}
		if c := style.CustomNumFmt; c != nil && strings.Contains(*c, "%") && strings.Contains(*c, ",") {
			return true
		}
	}
}

// fixGroupedPercent repairs how excelize v2.11.0 shows a number whose format
// groups thousands and ends in a percent sign with no decimals, such as
// #,##0%. It groups the digits together with the "%" (printCommaSep in
// excelize's numfmt.go), so 137% comes out as "1,37%" and 1,666% as
// "16,66%": a different number to any reader. With decimals the point
// splits the "%" off and the output is right.
//
// shown is excelize's text and raw the cell's unformatted value. Only a
// numeric cell whose text has a comma-grouped run of digits right before
// its "%" and no decimal point is touched, and that run is regrouped in
// threes; regrouping correct text changes nothing, so a fixed excelize
// makes this a no-op. A text cell such as "1,37%" has a non-numeric raw
// value and is left alone.
func fixGroupedPercent(shown, raw string) string {
	pct := strings.IndexByte(shown, '%')
	if pct < 0 || strings.Contains(shown, ".") {
		return shown
	}
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		return shown
	}
	start := pct
	for start > 0 && (isDigit(shown[start-1]) || shown[start-1] == ',') {
		start--
	}
	for start < pct && shown[start] == ',' {
		start++
	}
	run := shown[start:pct]
	if !strings.Contains(run, ",") {
		return shown
	}
	digits := strings.ReplaceAll(run, ",", "")
	var b strings.Builder
	b.WriteString(shown[:start])
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	b.WriteString(shown[pct:])
	return b.String()
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
