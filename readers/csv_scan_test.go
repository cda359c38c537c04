package readers

import (
	"strings"
	"testing"
	"time"
)

// raceSlowdown scales time limits for the race detector, which slows the
// byte loops of the parser about tenfold (see race_test.go).
var raceSlowdown time.Duration = 1

// A 10 MB cell is read whole and in time linear in its size: the parser
// appends each buffered piece of a field once, never re-scanning what it
// already holds, so a quadratic slip would take minutes here.
func TestCSVHugeCell(t *testing.T) {
	const size = 10 << 20
	unquoted := strings.Repeat("word ", size/5)
	quoted := strings.Repeat(strings.Repeat("x", 1000)+"\"\"quoted\"\", and a line break\r\n", size/1024)
	tests := []struct {
		name, field, want string
	}{
		{"unquoted", unquoted, unquoted},
		{"quoted, with line breaks and quotes", `"` + quoted + `"`, strings.ReplaceAll(quoted, `""`, `"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "id,text\n1," + tt.field + "\n2,short\n"
			start := time.Now()
			r, err := NewCSV(strings.NewReader(in), "big.csv", ',')
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readAll(t, r)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Cells[1] != tt.want || rows[1].Cells[1] != "short" {
				t.Fatalf("the %d-byte cell was not read back intact", len(tt.want))
			}
			if limit := raceSlowdown * time.Second; elapsed > limit {
				t.Errorf("reading a %d MB cell took %v, want under %v", len(in)>>20, elapsed, limit)
			}
		})
	}
}

// charCount counts eight bytes at a time; it must agree with counting the
// bytes that do not continue a UTF-8 sequence, one by one.
func TestCharCount(t *testing.T) {
	for _, s := range []string{
		"", "a", "é", "😀", "abcdefgh", "abcdefghi", "ééééé", "😀😀😀😀😀",
		"\xff\xfe\x80\xbf\xc0", strings.Repeat("aé😀\x80", 7), "1234567é", "123456😀",
	} {
		want := 0
		for i := range len(s) {
			if s[i]&0xC0 != 0x80 {
				want++
			}
		}
		if got := charCount([]byte(s)); got != want {
			t.Errorf("charCount(%q): got %d, want %d", s, got, want)
		}
	}
}
