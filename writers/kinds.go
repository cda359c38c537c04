package writers

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/enrich-dev/enrich/table"
)

// kindOf returns the kind of added value i: table.Text when the record has no
// Kinds.
func kindOf(kinds []table.Kind, i int) table.Kind {
	if kinds == nil {
		return table.Text
	}
	return kinds[i]
}

// A value whose text does not match its kind is written as text rather
// than failing the run: the kind is the pipeline's expectation of a
// model's answer, and the answer itself is still worth keeping. The same
// tests decide for every typed format, so a value is a number in table.JSON
// Lines exactly when it is a number in XLSX.

// cellValue returns s as the value excelize should store for kind: nil for
// an empty value (no cell), a float64 for a table.Number (see number), a bool for
// a table.Bool that is "true" or "false", else the text. table.JSON values are text: a
// spreadsheet has no structured cell.
func cellValue(kind table.Kind, s string) any {
	switch {
	case s == "":
		return nil
	case kind == table.Number:
		if f, ok := number(s); ok {
			return f
		}
	case kind == table.Bool && (s == "true" || s == "false"):
		return s == "true"
	}
	return s
}

// number parses s when it is table.JSON number text that a float64 holds.
// strconv.ParseFloat alone would also take "Inf", "0x1p-2" and "1_000";
// a number beyond float64's range, such as 1e400, is valid table.JSON but
// becomes infinity or an error in most readers of table.JSON, and Excel cannot
// hold it.
func number(s string) (float64, bool) {
	if !isJSONNumber(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// appendJSONValue appends s to dst as the table.JSON value of kind, and reports
// whether it could: a table.Number must pass number and keeps its spelling (1.50
// stays 1.50), a table.Bool must be "true" or "false", and a table.JSON value must be
// valid table.JSON in valid UTF-8; it is compacted, so that a pretty-printed
// object cannot break the one-object-per-line framing. table.Text, and any value
// that fails its test, is for the caller to write as a string.
func appendJSONValue(dst *bytes.Buffer, kind table.Kind, s string) bool {
	switch kind {
	case table.Number:
		if _, ok := number(s); ok {
			dst.WriteString(s)
			return true
		}
	case table.Bool:
		if s == "true" || s == "false" {
			dst.WriteString(s)
			return true
		}
	case table.JSON:
		// json.Valid accepts bad UTF-8 inside strings, which the table.JSON
		// text we write must not contain.
		if utf8.ValidString(s) && json.Valid([]byte(s)) {
			return json.Compact(dst, []byte(s)) == nil
		}
	}
	return false
}

// isJSONNumber reports whether s is a number as table.JSON spells it: an
// optional minus, an integer part without leading zeros, an optional
// fraction and an optional exponent.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// digits returns the index of the first non-digit in s at or after i.
func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
