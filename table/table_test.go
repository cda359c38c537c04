package table

import (
	"errors"
	"slices"
	"testing"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		header, reserved, want []string
	}{
		{[]string{"a", "b"}, nil, []string{"a", "b"}},
		{[]string{"a", "a", "a_2"}, nil, []string{"a", "a_3", "a_2"}},
		{[]string{"", "x", ""}, nil, []string{"column_1", "x", "column_3"}},
		{[]string{"column_1", ""}, nil, []string{"column_1", "column_2"}},
		{[]string{"", "column_1"}, nil, []string{"column_1_2", "column_1"}},
		{[]string{"", "b"}, []string{"column_1"}, []string{"column_1_2", "b"}},
		{[]string{"a", "a"}, []string{"a_2"}, []string{"a", "a_3"}},
	}
	for _, tt := range tests {
		if got := Keys(tt.header, tt.reserved...); !slices.Equal(got, tt.want) {
			t.Errorf("Keys(%q, %q) = %q, want %q", tt.header, tt.reserved, got, tt.want)
		}
	}
}

func TestFormatOf(t *testing.T) {
	tests := []struct {
		path     string
		fallback Format
		want     Format
		err      string
	}{
		{"a.csv", "", CSV, ""},
		{"A.TSV", "", TSV, ""},
		{"a.tab", "", TSV, ""},
		{"a.ndjson", "", JSONL, ""},
		{"a.xlsm", "", XLSX, ""},
		{"-", "", CSV, ""},
		{"-", JSONL, JSONL, ""},
		{"a.txt", TSV, TSV, ""},
		{"a.txt", "", "", `a.txt: unknown format ".txt"; use .csv, .tsv, .jsonl, .xlsx, .parquet or .db`},
		{"data", "", "", "data: cannot tell the format from a name without an extension"},
	}
	for _, tt := range tests {
		got, err := FormatOf(tt.path, tt.fallback)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("FormatOf(%q, %q) = %q, %v; want %q, %q", tt.path, tt.fallback, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("FormatOf(%q): %v does not wrap ErrUnknownFormat", tt.path, err)
		}
	}
	if f, err := ParseFormat("JSONL"); f != JSONL || err != nil {
		t.Errorf("ParseFormat(JSONL) = %q, %v", f, err)
	}
	if _, err := ParseFormat("xls"); err == nil || err.Error() != `unknown format "xls"; use csv, tsv, jsonl, xlsx, parquet or sqlite` {
		t.Errorf("ParseFormat(xls) error = %v", err)
	}
}
