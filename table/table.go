package table

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// Row is one data record of the input.
type Row struct {
	// Num locates the row in its source for messages and for writers that
	// edit the source in place: the 1-based line on which a CSV/TSV record
	// starts, the 1-based worksheet row number of an XLSX row, the 1-based
	// line of a JSON Lines object, the 1-based row of a Parquet file, the
	// rowid of a SQLite table's row (or the 1-based row of a query's
	// result that has no rowid).
	Num int
	// Cells holds one string per header column, exactly as read (padded with
	// "" when the source row is shorter). Readers never alter cell text.
	Cells []string
	// Raw is the row's original bytes when the format has them and a writer
	// of the same format can reuse them (a JSON Lines object), else nil.
	Raw []byte
	// Native is the row in the source's own types when a writer of the
	// same format can keep them exactly (a parquet.Row for Parquet), else
	// nil. Cells still hold the row's text.
	Native any
}

// Source describes where a reader's rows come from, so that a writer can
// edit that source in place and word its messages in the source's terms.
type Source struct {
	// Path is the input file, or "" for a stream (standard input).
	Path string
	// Format is the input's format.
	Format Format
	// Sheet is the worksheet the rows come from, for a workbook.
	Sheet string
	// HeaderRow is the 1-based worksheet row of the header, for a
	// workbook; 0 otherwise.
	HeaderRow int
	// Table is the table the rows come from (or are written back to),
	// for a SQLite database; "" otherwise.
	Table string
	// Schema is the source's own schema when a writer of the same format
	// can keep it (a *parquet.Schema for Parquet), else nil.
	Schema any
}

// Format names an input or output format.
type Format string

// The formats enrich reads and writes.
const (
	CSV     Format = "csv"
	TSV     Format = "tsv"
	JSONL   Format = "jsonl"
	XLSX    Format = "xlsx"
	Parquet Format = "parquet"
	SQLite  Format = "sqlite"
)

// Formats lists every format, for messages.
var formats = []Format{CSV, TSV, JSONL, XLSX, Parquet, SQLite}

// ErrUnknownFormat is wrapped by the errors of FormatOf and ParseFormat.
var ErrUnknownFormat = errors.New("unknown format")

// FormatError is a file name or a format name that names no format.
type FormatError struct {
	Path string // the file name; "" when a format name was parsed
	Ext  string // the extension, or the format name given; "" when the file name has none
}

func (e *FormatError) Error() string {
	switch {
	case e.Path == "":
		return fmt.Sprintf("unknown format %q; use csv, tsv, jsonl, xlsx, parquet or sqlite", e.Ext)
	case e.Ext == "":
		return fmt.Sprintf("%s: cannot tell the format from a name without an extension", e.Path)
	}
	return fmt.Sprintf("%s: unknown format %q; use .csv, .tsv, .jsonl, .xlsx, .parquet or .db", e.Path, e.Ext)
}

func (e *FormatError) Unwrap() error { return ErrUnknownFormat }

// FormatOf infers a format from a file name's extension, looking through
// a compression extension (in.csv.gz is CSV; see SplitCompression). "-"
// and unknown extensions return fallback, or a *FormatError when fallback
// is empty ("-" alone is CSV).
func FormatOf(path string, fallback Format) (Format, error) {
	if path == "-" {
		if fallback == "" {
			return CSV, nil
		}
		return fallback, nil
	}
	base, _ := SplitCompression(path)
	switch ext := strings.ToLower(filepath.Ext(base)); ext {
	case ".csv":
		return CSV, nil
	case ".tsv", ".tab":
		return TSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	case ".xlsx", ".xlsm":
		return XLSX, nil
	case ".parquet", ".pq":
		return Parquet, nil
	case ".db", ".sqlite", ".sqlite3":
		return SQLite, nil
	default:
		if fallback != "" {
			return fallback, nil
		}
		return "", &FormatError{Path: path, Ext: ext}
	}
}

// ParseFormat checks a format's name.
func ParseFormat(s string) (Format, error) {
	for _, f := range formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", &FormatError{Ext: s}
}

// Kind is the type of an added value.
type Kind uint8

// The kinds of added values. A Number value is JSON number text
// ("3", "-1.5e3"), a Bool value is "true" or "false", a JSON value is any
// JSON text (an object or array from a structured answer); each is written
// as text where the format has no such type (CSV, TSV), and an empty value
// is an empty cell whatever its kind.
const (
	Text Kind = iota
	Number
	Bool
	JSON
	// Integer declares a column of whole numbers (a schema's "integer"),
	// for formats that type a column before any value arrives (Parquet
	// INT64, SQLite INTEGER). It appears in declarations only: a value
	// that arrives is a Number.
	Integer
)

// String names k in messages.
func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Number:
		return "number"
	case Bool:
		return "bool"
	case JSON:
		return "json"
	case Integer:
		return "integer"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Keys returns the name each header cell is addressed by, in templates and
// as JSON object keys: the cell itself, except that an empty cell becomes
// column_N (N 1-based), and a name seen before gets the first free suffix
// _2, _3 …, free meaning used by no header cell and none of reserved (the
// columns a writer adds), so every key is distinct: ["a", "a", "a_2"]
// gives "a", "a_3", "a_2".
func Keys(header []string, reserved ...string) []string {
	taken := make(map[string]bool, len(header)+len(reserved))
	for _, h := range header {
		if h != "" {
			taken[h] = true
		}
	}
	for _, r := range reserved {
		taken[r] = true
	}
	seen := make(map[string]bool, len(header))
	keys := make([]string, len(header))
	for i, h := range header {
		base, free := h, !seen[h]
		if h == "" {
			base = "column_" + strconv.Itoa(i+1)
			free = !taken[base] && !seen[base]
		}
		key := base
		for n := 2; !free; n++ {
			key = base + "_" + strconv.Itoa(n)
			free = !taken[key] && !seen[key]
		}
		seen[key] = true
		keys[i] = key
	}
	return keys
}
