package table

import (
	"errors"
	"path/filepath"
	"strings"
)

// Compression names how a file's bytes are compressed around its format:
// in.csv.gz is CSV compressed with gzip.
type Compression string

// The compressions enrich reads and writes. None is the zero value.
const (
	None Compression = ""
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
)

// ErrCompressedWorkbook is an .xlsx name with a compression extension
// (book.xlsx.gz): a workbook is a zip archive already, and one inside
// gzip or zstd is read or written by no spreadsheet.
var ErrCompressedWorkbook = errors.New("an xlsx workbook is a zip archive already and is not read or written compressed")

// SplitCompression splits a compression extension off a file name:
// "in.csv.gz" gives "in.csv" and Gzip, "in.jsonl.zst" gives "in.jsonl" and
// Zstd, and a name without one (or "-") is returned as it is with None.
// Extensions are matched ignoring case; .gz, .gzip, .zst and .zstd are
// known.
func SplitCompression(path string) (string, Compression) {
	if path == "-" {
		return path, None
	}
	ext := filepath.Ext(path)
	switch strings.ToLower(ext) {
	case ".gz", ".gzip":
		return strings.TrimSuffix(path, ext), Gzip
	case ".zst", ".zstd":
		return strings.TrimSuffix(path, ext), Zstd
	}
	return path, None
}

// CompressionOf is the compression a file name asks for.
func CompressionOf(path string) Compression {
	_, c := SplitCompression(path)
	return c
}
