package readers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/enrich-dev/enrich/table"
)

// CSV reads comma- or tab-separated text as RFC 4180 describes it, with the
// relaxations listed in the package documentation.
//
// The parser is written by hand rather than built on encoding/csv because
// encoding/csv rewrites "\r\n" inside a quoted field to "\n", and enrich must
// hand every cell on byte for byte (a model's answer is compared with, and
// written next to, the original text). gocarina/gocsv is no alternative
// either: it maps rows onto struct fields named at compile time, while our
// columns are whatever the user's header says, and it keeps its settings in
// package globals, which a library must not touch.
type CSV struct {
	name    string
	comma   byte
	br      *bufio.Reader
	closer  io.Closer // set by Open, which owns the file
	source  table.Source
	restart // when the input can be sought, Rewind starts over
	header  []string
	err     error // sticky: a reader that failed once keeps failing

	// chunk is the unparsed rest of the last bufio.ReadSlice. It stays valid
	// between calls to Next because nothing else reads br meanwhile.
	chunk []byte
	eof   bool

	// line and col locate the next byte of chunk; prevCR makes "\r\n" count
	// as one line break.
	line, col int
	prevCR    bool

	// buf holds the text of every field of the current record back to back
	// and fields says where each ends; both are reused from row to row.
	buf    []byte
	fields []field
}

type field struct {
	end       int // offset in buf just past the field's text
	line, col int // where the field starts in the input
	quoted    bool
}

var _ Reader = (*CSV)(nil)

// NewCSV reads the header row from r at once, so that a malformed or empty
// file is reported before any work starts. name is used only in messages.
// comma is ',' for CSV and '\t' for TSV; it must be a single ASCII character
// other than a quote or line break. The CSV does not close r.
func NewCSV(r io.Reader, name string, comma rune) (*CSV, error) {
	if comma <= 0 || comma >= utf8.RuneSelf || comma == '"' || comma == '\r' || comma == '\n' {
		return nil, fmt.Errorf("%s: delimiter %q is not supported: use one ASCII character other than a quote or line break", displayName(name), comma)
	}
	c := &CSV{
		name:   name,
		comma:  byte(comma),
		source: table.Source{Format: table.CSV},
	}
	if comma == '\t' {
		c.source.Format = table.TSV
	}
	c.mark(r)
	if err := c.begin(r); err != nil {
		return nil, err
	}
	return c, nil
}

// begin reads the header from the start of r.
func (c *CSV) begin(r io.Reader) error {
	if c.br == nil {
		c.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		c.br.Reset(r)
	}
	c.line, c.col, c.prevCR, c.chunk, c.eof, c.err = 1, 1, false, nil, false, nil
	// Excel writes a byte order mark before "UTF-8" CSV; it belongs to no
	// cell, and leaving it would corrupt the first column's name.
	if b, _ := c.br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = c.br.Discard(3)
	}
	if err := checkNotUTF16(c.br, displayName(c.name)); err != nil {
		return err
	}
	if _, err := c.readRecord(); err != nil {
		if errors.Is(err, io.EOF) {
			return detailf(ErrEmpty, "%s is empty: no header row", displayName(c.name))
		}
		return err
	}
	c.header = c.cells(len(c.fields))
	return nil
}

// Rewind starts over at the first row after the header, when the input
// can be sought (a file).
func (c *CSV) Rewind() error { return c.rewind(c.name, c.begin) }

// Header returns a copy of the header cells exactly as read; names may be
// empty or repeated, which is for the caller to judge.
func (c *CSV) Header() []string { return slices.Clone(c.header) }

// Source describes the input: CSV or TSV, with the file's path when Open
// opened one.
func (c *CSV) Source() table.Source { return c.source }

// Next returns the next record, padded with "" up to the header's width.
func (c *CSV) Next(ctx context.Context) (table.Row, error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if c.err != nil {
		return table.Row{}, c.err
	}
	line, err := c.readRecord()
	if err == nil && len(c.fields) > len(c.header) {
		extra := c.fields[len(c.header)]
		err = &ParseError{File: c.name, Line: extra.line, Column: extra.col,
			Err: detailf(ErrFieldCount, "row has %d fields, the header has %d; a field that contains %s must be quoted",
				len(c.fields), len(c.header), delimiterName(c.comma))}
	}
	if err != nil {
		c.err = err
		return table.Row{}, err
	}
	return table.Row{Num: line, Cells: c.cells(len(c.header))}, nil
}

// Close closes the file when Open opened it; it is safe to call twice.
func (c *CSV) Close() error {
	if c.closer == nil {
		return nil
	}
	err := c.closer.Close()
	c.closer = nil
	return err
}

// cells copies the current record out of the reused buffers: one string for
// all the text and one fresh slice, because rows outlive the next call.
func (c *CSV) cells(width int) []string {
	s := string(c.buf)
	out := make([]string, width)
	start := 0
	for i, f := range c.fields {
		out[i] = s[start:f.end]
		start = f.end
	}
	return out
}

// fill loads the next piece of input, at most up to and including a '\n'.
func (c *CSV) fill() error {
	chunk, err := c.br.ReadSlice('\n')
	c.chunk = chunk
	switch {
	case err == nil || errors.Is(err, bufio.ErrBufferFull):
		return nil
	case errors.Is(err, io.EOF):
		c.eof = true
		return nil
	default:
		return readError(c.name, err)
	}
}

// newline moves the position past a line break byte.
func (c *CSV) newline(b byte) {
	if b == '\n' && c.prevCR {
		c.prevCR = false
		return
	}
	c.line++
	c.col = 1
	c.prevCR = b == '\r'
}

func (c *CSV) parseError(line, col int, err error) error {
	return &ParseError{File: c.name, Line: line, Column: col, Err: err}
}

// delimiterName names the delimiter in messages.
func delimiterName(comma byte) string {
	switch comma {
	case ',':
		return "a comma"
	case '\t':
		return "a tab"
	}
	return fmt.Sprintf("%q", comma)
}
