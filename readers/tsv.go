package readers

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/enrich-dev/enrich/table"
)

// ErrPlainTSV marks errors found in input read as plain TSV, where a quote
// is an ordinary character, so that a caller can suggest reading it as
// quoted TSV instead. It is wrapped together with the error's kind.
var ErrPlainTSV = errors.New("read as plain TSV, without quoting")

// TSV reads plain tab-separated values, as IANA's text/tab-separated-values
// defines them and as databases, bioinformatics tools and most exports
// write them: a record is a line, fields are separated by tabs, and no
// character is special otherwise. A quote is data, so "AGENT" K reads as
// typed, and a field cannot hold a tab or a line break.
//
//   - A line ends at "\n"; a "\r" just before it (or before the end of the
//     input) is part of the line end. Any other "\r" is data.
//   - Cells are the bytes between tabs, exactly: no unquoting, no
//     unescaping of backslash sequences, no trimming.
//   - A UTF-8 byte order mark at the start is skipped, empty lines are
//     skipped, and bytes that are not UTF-8 are an error (ErrUTF8), as for
//     CSV.
//   - The header is the first line; a shorter row is padded, a longer one
//     is an error (ErrFieldCount).
//
// Row.Num is the record's line. For TSV that quotes fields as CSV does,
// read it with NewCSV and a tab.
type TSV struct {
	name    string
	br      *bufio.Reader
	closer  io.Closer // set by Open, which owns the file
	source  table.Source
	restart // when the input can be sought, Rewind starts over
	header  []string
	line    int // lines read so far
	lineBuf []byte
	err     error // sticky
}

var _ Reader = (*TSV)(nil)

// NewTSV reads the header line from r at once, so that a malformed or
// empty input is reported before any work starts. name is used only in
// messages. The TSV does not close r.
func NewTSV(r io.Reader, name string) (*TSV, error) {
	t := &TSV{name: name, source: table.Source{Format: table.TSV}}
	t.mark(r)
	if err := t.begin(r); err != nil {
		return nil, err
	}
	return t, nil
}

// begin reads the header from the start of r.
func (t *TSV) begin(r io.Reader) error {
	if t.br == nil {
		t.br = bufio.NewReaderSize(r, 64<<10)
	} else {
		t.br.Reset(r)
	}
	t.line, t.err = 0, nil
	if err := checkNotUTF16(t.br, displayName(t.name)); err != nil {
		return err
	}
	if b, _ := t.br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = t.br.Discard(3)
	}
	fields, err := t.record()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return detailf(ErrEmpty, "%s is empty: no header row", displayName(t.name))
		}
		return err
	}
	t.header = t.cells(fields, fields)
	return nil
}

// Rewind starts over at the first row after the header, when the input
// can be sought (a file, compressed or not).
func (t *TSV) Rewind() error { return t.rewind(t.name, t.begin) }

// Header returns a copy of the header cells exactly as read.
func (t *TSV) Header() []string { return slices.Clone(t.header) }

// Source describes the input: TSV, with the file's path when Open opened
// one.
func (t *TSV) Source() table.Source { return t.source }

// Next returns the next record, padded with "" up to the header's width.
func (t *TSV) Next(ctx context.Context) (table.Row, error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if t.err != nil {
		return table.Row{}, t.err
	}
	fields, err := t.record()
	if err == nil && fields > len(t.header) {
		err = t.fieldCount(fields)
	}
	if err != nil {
		t.err = err
		return table.Row{}, err
	}
	return table.Row{Num: t.line, Cells: t.cells(fields, len(t.header))}, nil
}

// Close closes the file when Open opened it; it is safe to call twice.
func (t *TSV) Close() error {
	if t.closer == nil {
		return nil
	}
	err := t.closer.Close()
	t.closer = nil
	return err
}

// record reads up to the next non-empty line into lineBuf, without its
// line end, checks its UTF-8 and returns its number of fields, or io.EOF
// when only empty lines remain.
func (t *TSV) record() (int, error) {
	for {
		t.lineBuf = t.lineBuf[:0]
		for {
			chunk, err := t.br.ReadSlice('\n')
			t.lineBuf = append(t.lineBuf, chunk...)
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) && len(t.lineBuf) == 0 {
				return 0, io.EOF
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return 0, readError(t.name, err)
			}
			break
		}
		t.line++
		line := bytes.TrimSuffix(t.lineBuf, []byte("\n"))
		t.lineBuf = bytes.TrimSuffix(line, []byte("\r"))
		if len(t.lineBuf) == 0 {
			continue
		}
		if !utf8.Valid(t.lineBuf) {
			return 0, t.utf8Error()
		}
		return bytes.Count(t.lineBuf, []byte{'\t'}) + 1, nil
	}
}

// cells splits the current line into width cells, sharing one string.
func (t *TSV) cells(fields, width int) []string {
	s := string(t.lineBuf)
	out := make([]string, width)
	for i := 0; i < fields-1; i++ {
		k := strings.IndexByte(s, '\t')
		out[i], s = s[:k], s[k+1:]
	}
	out[fields-1] = s
	return out
}

// fieldCount is the error for a line of more fields than the header,
// located at the first field beyond it.
func (t *TSV) fieldCount(fields int) error {
	at := 0
	for range len(t.header) {
		at += bytes.IndexByte(t.lineBuf[at:], '\t') + 1
	}
	return &ParseError{File: t.name, Line: t.line, Column: charCount(t.lineBuf[:at]) + 1,
		Err: &plainTSVError{kind: ErrFieldCount, msg: fmt.Sprintf(
			"row has %d fields, the header has %d; in plain TSV every tab separates fields and quotes are data", fields, len(t.header))}}
}

// utf8Error locates the first invalid byte of the current line.
func (t *TSV) utf8Error() error {
	i := 0
	for i < len(t.lineBuf) {
		r, size := utf8.DecodeRune(t.lineBuf[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return &ParseError{File: t.name, Line: t.line, Column: charCount(t.lineBuf[:i]) + 1,
		Err: detailf(ErrUTF8, "invalid UTF-8 (byte 0x%02x): the file may use a legacy encoding such as Windows-1252; save it as UTF-8", t.lineBuf[i])}
}

// plainTSVError is an error of kind found in plain TSV: errors.Is finds
// both kind and ErrPlainTSV.
type plainTSVError struct {
	kind error
	msg  string
}

func (e *plainTSVError) Error() string   { return e.msg }
func (e *plainTSVError) Unwrap() []error { return []error{e.kind, ErrPlainTSV} }
