package table

import "testing"

func TestSplitCompression(t *testing.T) {
	tests := []struct {
		path, base string
		c          Compression
		format     Format
	}{
		{"in.csv.gz", "in.csv", Gzip, CSV},
		{"dir.v2/IN.TSV.GZ", "dir.v2/IN.TSV", Gzip, TSV},
		{"in.jsonl.zst", "in.jsonl", Zstd, JSONL},
		{"in.ndjson.zstd", "in.ndjson", Zstd, JSONL},
		{"in.tsv.gzip", "in.tsv", Gzip, TSV},
		{"in.csv", "in.csv", None, CSV},
		{"book.xlsx.gz", "book.xlsx", Gzip, XLSX},
		{"-", "-", None, CSV},
	}
	for _, tt := range tests {
		base, c := SplitCompression(tt.path)
		if base != tt.base || c != tt.c {
			t.Errorf("SplitCompression(%q) = %q, %q; want %q, %q", tt.path, base, c, tt.base, tt.c)
		}
		if f, err := FormatOf(tt.path, ""); f != tt.format || err != nil {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", tt.path, f, err, tt.format)
		}
	}
	if _, err := FormatOf("data.gz", ""); err == nil {
		t.Error("FormatOf(data.gz) found a format in a name that has only a compression extension")
	}
	if f, _ := FormatOf("data.gz", JSONL); f != JSONL {
		t.Errorf("FormatOf(data.gz, jsonl) = %q, want the fallback", f)
	}
}
