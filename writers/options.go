package writers

import (
	"fmt"
	"slices"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

// Options configures a writer. The zero value of each field is its default.
type Options struct {
	// Format is the output format. Default: table.CSV.
	Format table.Format

	// Header holds the input's header cells exactly as read. CSV, TSV and
	// new XLSX workbooks start with a header row of Header then Added; table.JSON
	// Lines objects take their keys from it.
	Header []string

	// Added names the columns enrich appends, in the order of
	// Record.Values. Names must be non-empty, distinct, and absent from
	// Header: a writer never overwrites an input column (*ColumnError).
	Added []string

	// Source describes the input (what the reader's Source returns).
	// Create refuses to write over Source.Path (ErrOverInput). When Source.Format and
	// Format are both table.XLSX the output is the input workbook with the
	// Added columns filled in on Source.Sheet (default: the first sheet),
	// right of the header in Source.HeaderRow (default 1); see the package
	// documentation. Source.Format also picks the word for Row.Num in
	// messages: "line" for CSV, TSV and JSON Lines, else "row". The zero
	// value is a stream of unknown format.
	Source table.Source

	// CSVLineEnding ends each CSV or TSV record: "\n" or "\r\n". Line
	// breaks inside cells are written as they are. Default: "\n".
	CSVLineEnding string

	// Kinds declares the type of each Added column, for formats that type
	// a column before any value arrives: Parquet (INT64 for table.Integer,
	// DOUBLE for table.Number, BOOLEAN for table.Bool, UTF8 otherwise) and
	// SQLite (INTEGER, REAL, INTEGER 0/1, TEXT). nil declares every added
	// column text. Other formats type each value by Record.Kinds instead.
	Kinds []table.Kind

	// Compression is Parquet's: "zstd" (the default) or "snappy".
	Compression string

	// NeutralizeFormulas is for CSV and TSV files that will be opened in a
	// spreadsheet. An added value (an answer or an error text) or added
	// column name that starts with =, +, -, @, a tab or a carriage return
	// gets a leading ', so
	// that Excel shows it as text instead of running it as a formula:
	// OWASP's advice against CSV injection. A plain number such as -3 or
	// +1.5 is left as it is; it calls nothing, and the quote would turn it
	// into text. Input cells are never changed, since enrich hands them
	// back exactly as read and they are the user's own data; the danger
	// is a model answer steered by hostile text in the input. XLSX output
	// needs no such option (every text cell is a string, never a formula)
	// and table.JSON Lines is not opened as a spreadsheet, so both ignore it.
	// Default: false, every value written as it is.
	NeutralizeFormulas bool

	// TSVQuoted writes TSV as RFC 4180 quoted text, like CSV with a tab.
	// By default TSV is plain: no quoting, input cells written as read,
	// and added values escaped (see EscapeTSV).
	TSVQuoted bool
}

// validate checks o and returns it with defaults filled in.
func (o Options) validate() (Options, error) {
	if o.Format == "" {
		o.Format = table.CSV
	}
	switch o.Format {
	case table.CSV, table.TSV, table.JSONL, table.XLSX, table.Parquet, table.SQLite:
	default:
		return o, fmt.Errorf("unknown output format %q; use csv, tsv, jsonl, xlsx, parquet or sqlite", o.Format)
	}
	if o.Kinds != nil && len(o.Kinds) != len(o.Added) {
		return o, fmt.Errorf("%d kinds declared for %d added columns", len(o.Kinds), len(o.Added))
	}
	for i, k := range o.Kinds {
		if k > table.Integer {
			return o, fmt.Errorf("added column %q: unknown kind %d", o.Added[i], k)
		}
	}
	if _, err := parquetCodec(o.Compression); err != nil {
		return o, err
	}
	if o.CSVLineEnding == "" {
		o.CSVLineEnding = "\n"
	}
	if o.CSVLineEnding != "\n" && o.CSVLineEnding != "\r\n" {
		return o, fmt.Errorf("csv line ending %q: use \"\\n\" or \"\\r\\n\"", o.CSVLineEnding)
	}
	if o.Source.HeaderRow == 0 {
		o.Source.HeaderRow = 1
	}
	if o.Source.HeaderRow < 0 || o.Source.HeaderRow > excelize.TotalRows {
		return o, fmt.Errorf("header row %d: must be between 1 and %d", o.Source.HeaderRow, excelize.TotalRows)
	}
	if len(o.Header)+len(o.Added) == 0 {
		return o, fmt.Errorf("no columns to write: both the header and the added columns are empty")
	}
	for i, name := range o.Added {
		switch {
		case name == "":
			return o, &ColumnError{Name: name, Index: i, Kind: ErrColumnEmpty}
		case slices.Contains(o.Header, name):
			return o, &ColumnError{Name: name, Index: i, Kind: ErrColumnExists}
		case slices.Contains(o.Added[:i], name):
			return o, &ColumnError{Name: name, Index: i, Kind: ErrColumnTwice}
		}
	}
	if o.Format == table.XLSX && len(o.Header)+len(o.Added) > excelize.MaxColumns {
		return o, fmt.Errorf("%d columns exceed Excel's %d per sheet; write to .csv or .jsonl instead",
			len(o.Header)+len(o.Added), excelize.MaxColumns)
	}
	return o, nil
}

// inPlace reports whether the output is the input workbook with columns
// added, rather than a new file.
func (o Options) inPlace() bool { return InPlace(o.Source.Format, o.Format) }

// InPlace reports whether output in format out from input in format in is
// a copy of the input with columns added (an .xlsx from an .xlsx: every
// row of the sheet, other sheets and all), rather than a new file holding
// only the rows written.
func InPlace(in, out table.Format) bool { return out == table.XLSX && in == table.XLSX }

// rowName locates an input row in messages, in the input's own terms.
func (o Options) rowName(num int) string {
	switch o.Source.Format {
	case table.CSV, table.TSV, table.JSONL:
		return fmt.Sprintf("line %d", num)
	case table.SQLite:
		if o.Source.Table != "" {
			return fmt.Sprintf("rowid %d", num)
		}
	}
	return fmt.Sprintf("row %d", num)
}

// columns returns Header followed by Added.
func (o Options) columns() []string {
	return slices.Concat(o.Header, o.Added)
}

// isStdio reports whether path names no file: "" or "-".
func isStdio(path string) bool {
	return path == "" || path == "-"
}
