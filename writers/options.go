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
	case table.CSV, table.TSV, table.JSONL, table.XLSX:
	default:
		return o, fmt.Errorf("unknown output format %q; use csv, tsv, jsonl or xlsx", o.Format)
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
func (o Options) inPlace() bool {
	return o.Format == table.XLSX && o.Source.Format == table.XLSX
}

// rowName locates an input row in messages, in the input's own terms.
func (o Options) rowName(num int) string {
	switch o.Source.Format {
	case table.CSV, table.TSV, table.JSONL:
		return fmt.Sprintf("line %d", num)
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
