package readers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// Row is one data record of the input.
type Row struct {
	// Num locates the row in its source for messages and for writers that
	// edit the source in place: the 1-based line on which a CSV/TSV record
	// starts, the 1-based worksheet row number of an XLSX row, the 1-based
	// line of a JSON Lines object.
	Num int
	// Cells holds one string per header column, exactly as read (padded with
	// "" when the source row is shorter). Readers never alter cell text.
	Cells []string
	// Raw is the row's original bytes when the format has them and a writer
	// of the same format can reuse them (a JSON Lines object), else nil.
	Raw []byte
}

// Reader is a pull iterator over the rows of one input.
//
// Header is known once the reader is constructed. Next returns io.EOF after
// the last row; any other error is located (file, line, column) and final.
// Readers own their resources; Close releases them and is safe to call twice.
type Reader interface {
	Header() []string
	Next(ctx context.Context) (Row, error)
	Close() error
}

// Format names an input or output format.
type Format string

// The formats enrich reads and writes.
const (
	FormatCSV   Format = "csv"
	FormatTSV   Format = "tsv"
	FormatJSONL Format = "jsonl"
	FormatXLSX  Format = "xlsx"
)

// FormatOf infers a format from a file name's extension. "-" and unknown
// extensions return fallback, or an error naming the extension when fallback
// is empty.
func FormatOf(path string, fallback Format) (Format, error) {
	if path == "-" {
		if fallback == "" {
			return FormatCSV, nil
		}
		return fallback, nil
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		return FormatCSV, nil
	case ".tsv", ".tab":
		return FormatTSV, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	default:
		if fallback != "" {
			return fallback, nil
		}
		if ext == "" {
			return "", fmt.Errorf("%s: cannot tell the format from a name without an extension; use --format csv|tsv|jsonl", path)
		}
		return "", fmt.Errorf("%s: unknown format %q; use .csv, .tsv, .jsonl or .xlsx, or --format", path, ext)
	}
}

// ParseFormat checks a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatCSV, FormatTSV, FormatJSONL, FormatXLSX:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q; use csv, tsv, jsonl or xlsx", s)
}
