package readers

import (
	"context"
	"fmt"
	"io"

	"github.com/enrich-dev/enrich/table"
)

// Options says how Open reads its input. The zero value reads a file in the
// format its extension names.
type Options struct {
	// Format overrides the format inferred from the file name. For standard
	// input without one, the format is sniffed from the first line: JSON
	// Lines when it starts with '{', TSV when it holds a tab and no more
	// commas than tabs, else CSV.
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
	// TSVQuoted reads TSV as RFC 4180 quoted text, like CSV with a tab
	// (NewCSV). By default TSV is plain (NewTSV): quotes are data.
	TSVQuoted bool
	// SQLite says what to read from a SQLite database: a table, or a
	// query's result.
	SQLite SQLiteOptions
}

// stdinName names standard input in messages.
const stdinName = "standard input"

// Open returns the reader for path, or for stdin when path is "-". A path
// ending in .gz or .zst (in.csv.gz) is decompressed as it is read, and so
// is standard input that starts with gzip's or zstd's magic number;
// compressed input rewinds like any file. The returned Reader owns any
// file it opened: Close closes it. stdin itself is never closed.
func Open(path string, stdin io.Reader, opts Options) (Reader, error) {
	var format table.Format
	var err error
	switch {
	case opts.Format != "":
		format, err = table.ParseFormat(string(opts.Format))
	case path != "-":
		format, err = table.FormatOf(path, "")
	}
	if err != nil {
		return nil, err
	}
	name := path
	if path == "-" {
		name = stdinName
	}
	if opts.Sheet != "" && format != "" && format != table.XLSX {
		return nil, &SheetFormatError{Name: name, Format: format}
	}
	if (opts.HeaderRow != 0 || opts.FirstRow != 0 || opts.LastRow != 0) && format != table.XLSX {
		return nil, fmt.Errorf("%w, and %s is read as %s", ErrWorksheetOnly, name, format)
	}
	switch format {
	case table.Parquet:
		if path == "-" {
			if stdin == nil {
				return nil, fmt.Errorf("no standard input to read")
			}
			return NewParquet(stdin, stdinName)
		}
		return orNil(OpenParquet(path))
	case table.SQLite:
		if path == "-" {
			return nil, fmt.Errorf("cannot read a SQLite database from standard input; pass a file")
		}
		return orNil(OpenSQLite(path, opts.SQLite))
	case table.XLSX:
		if path == "-" {
			return nil, fmt.Errorf("cannot read xlsx from standard input; pass a file")
		}
		if table.CompressionOf(path) != table.None {
			return nil, fmt.Errorf("%s: %w", path, table.ErrCompressedWorkbook)
		}
		return orNil(OpenXLSX(path, XLSXOptions{Sheet: opts.Sheet, HeaderRow: opts.HeaderRow, FirstRow: opts.FirstRow, LastRow: opts.LastRow}))
	}

	var r io.Reader
	var owned io.Closer // the file and any decompressor; nil for plain stdin
	if path == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("no standard input to read")
		}
		r, format, owned, err = openStdin(stdin, format)
	} else {
		r, owned, err = openFile(path)
	}
	if err != nil {
		return nil, err
	}
	if opts.Sheet != "" { // standard input, whose format was sniffed
		err = &SheetFormatError{Name: name, Format: format}
	}
	var rd Reader
	if err == nil {
		rd, err = openText(r, name, format, opts)
	}
	if err != nil {
		if owned != nil {
			_ = owned.Close()
		}
		return nil, err
	}
	if path == "-" {
		path = ""
	}
	switch rd := rd.(type) {
	case *CSV:
		rd.closer, rd.source.Path = owned, path
	case *TSV:
		rd.closer, rd.source.Path = owned, path
	case *JSONL:
		rd.closer, rd.path = owned, path
	}
	return rd, nil
}

// OpenContext is Open that stops waiting when ctx ends, with ctx's error.
// Open reads the header at once, and a header coming down a pipe may
// never come: the read then goes on in the background, and a reader it
// opens after all is closed.
func OpenContext(ctx context.Context, path string, stdin io.Reader, opts Options) (Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type opened struct {
		r   Reader
		err error
	}
	done := make(chan opened, 1)
	go func() {
		r, err := Open(path, stdin, opts)
		done <- opened{r, err}
	}()
	select {
	case o := <-done:
		return o.r, o.err
	case <-ctx.Done():
		go func() {
			if o := <-done; o.r != nil {
				_ = o.r.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

func openText(r io.Reader, name string, format table.Format, opts Options) (Reader, error) {
	switch format {
	case table.CSV:
		return NewCSV(r, name, ',')
	case table.TSV:
		if opts.TSVQuoted {
			return NewCSV(r, name, '\t')
		}
		return NewTSV(r, name)
	case table.JSONL:
		return NewJSONL(r, name, JSONLOptions{KeepNewKeys: opts.KeepNewKeys})
	}
	return nil, fmt.Errorf("%s: no reader for format %q", name, format)
}

// orNil keeps a failed constructor's nil pointer from becoming a non-nil
// Reader.
func orNil[R Reader](r R, err error) (Reader, error) {
	if err != nil {
		return nil, err
	}
	return r, nil
}
