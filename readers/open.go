package readers

import (
	"fmt"
	"io"
	"os"

	"github.com/enrich-dev/enrich/table"
)

// Options says how Open reads its input. The zero value reads a file in the
// format its extension names.
type Options struct {
	// Format overrides the format inferred from the file name. For standard
	// input it defaults to CSV.
	Format table.Format
	// Sheet names the worksheet of an XLSX input; "" is the first sheet.
	// It is an error (*SheetFormatError) for any other format, so a
	// typo'd invocation does not silently ignore it.
	Sheet string
	// KeepNewKeys is JSONLOptions.KeepNewKeys.
	KeepNewKeys bool
	// HeaderRow, FirstRow and LastRow are XLSXOptions' for an XLSX input,
	// and an error (ErrWorksheetOnly) for any other.
	HeaderRow, FirstRow, LastRow int
}

// stdinName names standard input in messages.
const stdinName = "standard input"

// Open returns the reader for path, or for stdin when path is "-". The
// returned Reader owns any file it opened: Close closes it. stdin itself is
// never closed.
func Open(path string, stdin io.Reader, opts Options) (Reader, error) {
	var format table.Format
	var err error
	if opts.Format != "" {
		format, err = table.ParseFormat(string(opts.Format))
	} else {
		format, err = table.FormatOf(path, "")
	}
	if err != nil {
		return nil, err
	}
	name := path
	if path == "-" {
		name = stdinName
	}
	if opts.Sheet != "" && format != table.XLSX {
		return nil, &SheetFormatError{Name: name, Format: format}
	}
	if (opts.HeaderRow != 0 || opts.FirstRow != 0 || opts.LastRow != 0) && format != table.XLSX {
		return nil, fmt.Errorf("%w, and %s is read as %s", ErrWorksheetOnly, name, format)
	}
	if format == table.XLSX {
		if path == "-" {
			return nil, fmt.Errorf("cannot read xlsx from standard input; pass a file")
		}
		return OpenXLSX(path, XLSXOptions{Sheet: opts.Sheet, HeaderRow: opts.HeaderRow, FirstRow: opts.FirstRow, LastRow: opts.LastRow})
	}

	var r io.Reader = stdin
	var file *os.File
	if path == "-" && stdin == nil {
		return nil, fmt.Errorf("no standard input to read")
	}
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err // *fs.PathError: "open tickets.csv: no such file or directory"
		}
		r, file = f, f
	}
	rd, err := openText(r, name, format, opts)
	if err != nil {
		if file != nil {
			_ = file.Close()
		}
		return nil, err
	}
	if file != nil {
		switch rd := rd.(type) {
		case *CSV:
			rd.closer, rd.source.Path = file, path
		case *JSONL:
			rd.closer, rd.path = file, path
		}
	}
	return rd, nil
}

func openText(r io.Reader, name string, format table.Format, opts Options) (Reader, error) {
	switch format {
	case table.CSV:
		return NewCSV(r, name, ',')
	case table.TSV:
		return NewCSV(r, name, '\t')
	case table.JSONL:
		return NewJSONL(r, name, JSONLOptions{KeepNewKeys: opts.KeepNewKeys})
	}
	return nil, fmt.Errorf("%s: no reader for format %q", name, format)
}
