package readers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/enrich-dev/enrich/table"
)

// Parquet reads a Parquet file row group by row group, a batch of rows at
// a time, so memory follows the batch and the pages being decoded, never
// the file. It is built on parquet-go (github.com/parquet-go/parquet-go),
// which is pure Go; see the package documentation for why not Arrow's.
//
// The columns are the file's top-level fields in schema order, and each
// row's cells are their text (see the package documentation). Each row
// also carries its values as parquet-go read them (Row.Native), and
// Source the file's schema, so that Parquet output keeps both exactly.
type Parquet struct {
	name   string // the file, or "standard input", for messages
	path   string // the file for Source; "" for standard input
	f      *os.File
	owns   bool   // Close closes f: not when it is standard input itself
	spool  string // a copy of standard input, removed by Close
	file   *parquet.File
	schema *parquet.Column // the file's schema root, for Source
	root   *pqNode
	header []string
	asm    *assembler

	group int          // index of the row group being read
	rows  parquet.Rows // its rows; nil between groups
	buf   []parquet.Row
	at, n int   // the next row in buf, and how many it holds
	num   int   // rows returned so far
	err   error // sticky
}

var (
	_ Reader   = (*Parquet)(nil)
	_ Rewinder = (*Parquet)(nil)
)

// parquetBatch is how many rows a read decodes at once.
const parquetBatch = 256

// OpenParquet opens a Parquet file and reads its footer. A file that is
// not Parquet, a truncated one and a column of a type this reader cannot
// show are *ParquetError values wrapping ErrNotParquet or
// ErrUnsupportedType, reported here, before any row is read.
func OpenParquet(path string) (*Parquet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	p, err := newParquet(f, path)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	p.path, p.owns = path, true
	return p, nil
}

// NewParquet reads Parquet from r, named name in messages. Parquet keeps
// its footer at the end, so r is read through once into a temporary file
// (removed by Close) unless it already is a regular file.
func NewParquet(r io.Reader, name string) (*Parquet, error) {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return newParquet(f, name)
		}
	}
	tmp, err := os.CreateTemp("", "enrich-stdin-*.parquet")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot keep a copy to read: %w", name, err)
	}
	if _, err := io.Copy(tmp, r); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return nil, readError(name, err)
	}
	p, err := newParquet(tmp, name)
	if err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return nil, err
	}
	p.spool, p.owns = tmp.Name(), true
	return p, nil
}

func newParquet(f *os.File, name string) (p *Parquet, err error) {
	st, err := f.Stat()
	if err != nil {
		return nil, readError(name, err)
	}
	if err := checkMagic(f, st.Size(), name); err != nil {
		return nil, err
	}
	defer func() {
		// parquet-go panics on some malformed footers; a bad file is an
		// error, never the end of the program.
		if r := recover(); r != nil {
			err = &ParquetError{File: name, RowGroup: -1, Err: detailf(ErrNotParquet, "its footer cannot be read (%v)", r)}
		}
	}()
	file, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, &ParquetError{File: name, RowGroup: -1, Err: detailf(ErrNotParquet, "its footer cannot be read: %v", err)}
	}
	root, err := buildSchema(name, file.Metadata().Schema)
	if err != nil {
		return nil, err
	}
	p = &Parquet{name: name, f: f, file: file, schema: file.Root(), root: root, asm: newAssembler(root.end), buf: make([]parquet.Row, parquetBatch)}
	for _, c := range root.children {
		p.header = append(p.header, c.name)
	}
	return p, nil
}

// checkMagic tells a file that is not Parquet from a truncated one before
// parquet-go reads the footer, whose own errors say neither.
func checkMagic(f io.ReaderAt, size int64, name string) error {
	fail := func(format string, args ...any) error {
		return &ParquetError{File: name, RowGroup: -1, Err: detailf(ErrNotParquet, format, args...)}
	}
	var head, tail [4]byte
	if size < 12 {
		return fail("%d bytes is too short for a Parquet file", size)
	}
	if _, err := f.ReadAt(head[:], 0); err != nil {
		return readError(name, err)
	}
	if _, err := f.ReadAt(tail[:], size-4); err != nil {
		return readError(name, err)
	}
	switch {
	case string(head[:]) != "PAR1":
		return fail("it does not start with PAR1, as every Parquet file does")
	case string(tail[:]) == "PARE":
		return fail("it is encrypted (it ends with PARE), which this reader does not decrypt")
	case string(tail[:]) != "PAR1":
		return fail("it does not end with PAR1: the file is truncated, or its writer did not finish")
	}
	return nil
}

// Header returns the top-level column names in schema order.
func (p *Parquet) Header() []string { return slices.Clone(p.header) }

// Source describes the file and carries its schema (a *parquet.Column,
// the root of the file's schema, whose fields keep the file's order).
func (p *Parquet) Source() table.Source {
	return table.Source{Path: p.path, Format: table.Parquet, Schema: p.schema}
}

// Rows is the row count the footer states.
func (p *Parquet) Rows() int64 { return p.file.NumRows() }

// Next returns the next row. Row.Num is its 1-based position in the file.
func (p *Parquet) Next(ctx context.Context) (row table.Row, err error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if p.err != nil {
		return table.Row{}, p.err
	}
	if p.file == nil {
		return table.Row{}, fmt.Errorf("%s: the reader is closed", p.name)
	}
	defer func() {
		if r := recover(); r != nil {
			p.err = &ParquetError{File: p.name, RowGroup: p.group, Row: p.num + 1, Err: fmt.Errorf("parquet-go failed: %v", r)}
			row, err = table.Row{}, p.err
		}
	}()
	for p.at >= p.n {
		if err := p.fill(); err != nil {
			if !errors.Is(err, io.EOF) {
				p.err = err
			}
			return table.Row{}, err
		}
	}
	r := p.buf[p.at]
	p.at++
	p.num++
	p.asm.load(r)
	cells := make([]string, len(p.root.children))
	for i, c := range p.root.children {
		cells[i] = p.asm.cell(c)
	}
	return table.Row{Num: p.num, Cells: cells, Native: r.Clone()}, nil
}

// fill reads the next batch, moving on to the next row group when one
// ends; io.EOF after the last.
func (p *Parquet) fill() error {
	groups := p.file.RowGroups()
	for {
		if p.rows == nil {
			if p.group >= len(groups) {
				return io.EOF
			}
			p.rows = groups[p.group].Rows()
		}
		n, err := p.rows.ReadRows(p.buf)
		p.at, p.n = 0, n
		if err != nil && !errors.Is(err, io.EOF) {
			return &ParquetError{File: p.name, RowGroup: p.group, Row: p.num + 1, Err: err}
		}
		if n > 0 {
			return nil
		}
		_ = p.rows.Close()
		p.rows = nil
		p.group++
	}
}

// Rewind starts over at the first row.
func (p *Parquet) Rewind() error {
	if p.file == nil {
		return fmt.Errorf("%s: the reader is closed", p.name)
	}
	if p.rows != nil {
		_ = p.rows.Close()
		p.rows = nil
	}
	p.group, p.at, p.n, p.num, p.err = 0, 0, 0, 0, nil
	return nil
}

// Close releases the file, and removes the copy of standard input.
func (p *Parquet) Close() error {
	if p.file == nil {
		return nil
	}
	if p.rows != nil {
		_ = p.rows.Close()
		p.rows = nil
	}
	p.file = nil
	if !p.owns {
		return nil // standard input is not ours to close
	}
	err := p.f.Close()
	if p.spool != "" {
		if rerr := os.Remove(p.spool); err == nil {
			err = rerr
		}
	}
	return err
}

// ErrNotParquet and ErrUnsupportedType arrive in a *ParquetError.
var (
	// ErrNotParquet: the file is not Parquet, or is truncated or
	// encrypted, so its footer cannot be read.
	ErrNotParquet = errors.New("not a Parquet file")
	// ErrUnsupportedType: a column of a type the reader has no text for
	// (VARIANT, GEOMETRY, GEOGRAPHY, or a type stored in a physical type
	// the specification does not allow for it).
	ErrUnsupportedType = errors.New("unsupported Parquet type")
)

// ParquetError locates a problem in a Parquet file: the column (a dotted
// path for a nested field), the row group (from 0, as Parquet tools count
// them; -1 when none) and the row (from 1; 0 when none).
type ParquetError struct {
	File     string
	Column   string
	RowGroup int
	Row      int
	Err      error
}

// Error renders `data.parquet: column "geom": unsupported logical type
// GEOMETRY` or "data.parquet: row group 2, row 2049: …".
func (e *ParquetError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	var where []string
	if e.Column != "" {
		where = append(where, "column "+strconv.Quote(e.Column))
	}
	if e.RowGroup >= 0 && e.Row > 0 {
		where = append(where, fmt.Sprintf("row group %d, row %d", e.RowGroup, e.Row))
	}
	if len(where) > 0 {
		b.WriteString(strings.Join(where, ", "))
		b.WriteString(": ")
	}
	if msg := e.Err.Error(); errors.Is(e.Err, ErrNotParquet) && !strings.HasPrefix(msg, ErrNotParquet.Error()) {
		b.WriteString(ErrNotParquet.Error() + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParquetError) Unwrap() error { return e.Err }
