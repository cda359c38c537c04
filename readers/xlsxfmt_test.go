package readers

import (
	"strconv"
	"strings"
	"testing"
)

// TestNumFormat checks formats against what Excel shows (checked by hand
// against Excel's documentation and LibreOffice, which agrees on these).
func TestNumFormat(t *testing.T) {
	tests := []struct {
		code string
		v    float64
		want string
	}{
		{"General", 0.1 + 0.2, "0.3"},
		{"General", 1e15, "1E+15"},
		{"General", -12.5, "-12.5"},
		{"0", 2.5, "3"},
		{"0", -0.4, "-0"},
		{"0.00", 1.005, "1.01"}, // Excel rounds the 15-digit decimal, not the double
		{"0.00", 10199.835, "10199.84"},
		{"#,##0", 1234567, "1,234,567"},
		{"#,##0", 0, "0"},
		{"#,##0.00", -1234.5, "-1,234.50"},
		{"#,###", 0, ""},
		{"0%", 0.48, "48%"},
		{"#,##0%", 16.6616311655628, "1,666%"},
		{"#,##0.00#%", 0.003, "0.30%"},
		{"#,##0.00#%", 0.0037095, "0.371%"},
		{`"$"#,##0.00;("$"#,##0.00)`, -35117.574, "($35,117.57)"},
		{`[$-010409]"$"#,##0.00;("$"#,##0.00)`, 2.63033230469628, "$2.63"},
		{`0;-0;"zero";@`, 0, "zero"},
		{`0;-0;"zero";@`, -3, "-3"},
		{`_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)`, 0, "-"},
		{`_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)`, -1234.5, "(1,234.50)"},
		{`_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)`, 1234.5, "1,234.50"},
		{`_ * #,##0.00_ ;_ * \-#,##0.00_ ;_ * "-"??_ ;_ @_ `, 0, "-"},
		{"0.00E+00", 12345, "1.23E+04"},
		{"0.00E+00", 0.000123, "1.23E-04"},
		{"##0.0E+0", 12345, "12.3E+3"},
		{"# ?/?", 1.25, "1 1/4"},
		{"# ??/??", 0.333333, "1/3"},
		{"?/8", 0.5, "4/8"},
		{"000-00-0000", 123456789, "123-45-6789"},
		{`[<=9999999]###-####;(###) ###-####`, 5551234, "555-1234"},
		{`[<=9999999]###-####;(###) ###-####`, 2125551234, "(212) 555-1234"},
		{`#,##0.0,,"M"`, 12345678, "12.3M"},
		{"[Red]0.0", -1.25, "-1.3"},
		{`[$€-407] #,##0.00`, 5, "€ 5.00"},
		{"@", 5, "5"},
		{"yyyy-mm-dd", 45000.25, "2023-03-15"},
		{"yyyy-mm-dd hh:mm", 45000.5, "2023-03-15 12:00"},
		{"d-mmm-yy", 45000, "15-Mar-23"},
		{"dddd, mmmm d, yyyy", 45000, "Wednesday, March 15, 2023"},
		{"h:mm AM/PM", 0.75, "6:00 PM"},
		{"h:mm:ss AM/PM", 0.0000115741, "12:00:01 AM"},
		{"[h]:mm:ss", 1.5, "36:00:00"},
		{"mm:ss.0", 0.000011574, "00:01.0"},
		{"h:mm", 0.999999, "0:00"}, // 23:59:59.9 rounds to the next midnight
		{"m/d/yyyy", 60, "2/29/1900"},
		{"m/d/yyyy", 61, "3/1/1900"},
		{"yyyy-mm-dd", -1, "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+strconv.FormatFloat(tt.v, 'g', -1, 64), func(t *testing.T) {
			raw := strconv.FormatFloat(tt.v, 'g', -1, 64)
			if got := parseNumFormat(tt.code).render(tt.v, raw, false); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSharedStringsPages(t *testing.T) {
	var tab sharedStrings
	big := strings.Repeat("x", 2*pageSize+5)
	want := []string{"", "a", strings.Repeat("y", pageSize-2), "bcd", "", big, "e", "", "fg", strings.Repeat("z", pageSize), "h"}
	for _, s := range want {
		if err := tab.add([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range want {
		if got, _ := tab.get(i); got != s {
			t.Errorf("string %d: got %d bytes, want %d", i, len(got), len(s))
		}
	}
}
