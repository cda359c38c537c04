package readers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf8"

	"github.com/enrich-dev/enrich/table"
)

// JSONLOptions configures NewJSONL. The zero value is the strict default.
type JSONLOptions struct {
	// KeepNewKeys applies only to input that cannot be read twice (a pipe).
	// Such input takes its columns from the first object, and by default a
	// later key that is not a column is an error, because its values would
	// silently miss the prompt. With KeepNewKeys those keys are left out of
	// Cells and survive only in Row.Raw.
	KeepNewKeys bool
}

// JSONL reads JSON Lines: one JSON object per line.
type JSONL struct {
	name    string
	br      *bufio.Reader
	closer  io.Closer // set by Open, which owns the file
	path    string    // set by Open
	header  []string
	index   map[string]int
	strict  bool // a key outside the header is an error
	line    int  // lines read so far
	lineBuf []byte
	pending *table.Row // the first row, already parsed to find the header
	err     error

	// Set when the input could be sought and was read once for its keys.
	seeker  io.ReadSeeker
	start   int64
	scanned int   // objects the key scan read
	scanErr error // the bad line that stopped it, if any
}

var _ Reader = (*JSONL)(nil)

// NewJSONL finds the columns and returns a reader positioned at the first
// object. The columns are every key of every object, in first-seen order,
// so that a key that appears late still reaches the prompt. That needs two
// passes: when r is an io.ReadSeeker whose Seek works (a regular file, even
// as standard input), NewJSONL reads the whole input once keeping only the
// keys, then seeks back. Otherwise the first object's keys are the columns.
// name is used only in messages. The JSONL does not close r.
func NewJSONL(r io.Reader, name string, opts JSONLOptions) (*JSONL, error) {
	j := &JSONL{name: name, index: map[string]int{}}
	var err error
	if rs, ok := r.(io.ReadSeeker); ok {
		if pos, err := rs.Seek(0, io.SeekCurrent); err == nil {
			if err := j.prescan(rs, pos); err != nil {
				return nil, err
			}
			return j, nil
		}
	}
	if j.br, err = newBOMReader(r, name); err != nil {
		return nil, err
	}
	j.strict = !opts.KeepNewKeys
	row, err := j.next(false)
	switch {
	case errors.Is(err, io.EOF):
		return nil, j.emptyError()
	case err != nil:
		return nil, err
	}
	j.pending = &row
	return j, nil
}

// prescan collects the keys of every object, then rewinds to pos. A bad
// line ends the scan: Next reports it when it gets there, after the rows
// before it, unless it is the first object and there is nothing to read.
func (j *JSONL) prescan(rs io.ReadSeeker, pos int64) error {
	var err error
	if j.br, err = newBOMReader(rs, j.name); err != nil {
		return err
	}
	var firstErr error
	objects := 0
	for {
		line, err := j.readLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := j.addKeys(line); err != nil {
			firstErr = err
			break
		}
		objects++
	}
	if objects == 0 {
		if firstErr != nil {
			return firstErr
		}
		return j.emptyError()
	}
	j.seeker, j.start, j.scanned, j.scanErr = rs, pos, objects, firstErr
	if err := j.Rewind(); err != nil {
		return fmt.Errorf("rewind %s after reading its keys: %w", displayName(j.name), err)
	}
	return nil
}

// Rewind starts over at the first object, when the input could be sought
// (a file); the columns stay those the key scan found.
func (j *JSONL) Rewind() error {
	if j.seeker == nil {
		return fmt.Errorf("%s: %w", displayName(j.name), ErrNotRewindable)
	}
	if _, err := j.seeker.Seek(j.start, io.SeekStart); err != nil {
		return readError(j.name, err)
	}
	var err error
	j.br, err = newBOMReader(j.seeker, j.name)
	j.line, j.err, j.pending = 0, nil, nil
	return err
}

// Count reports what the key scan of a file found: its objects, and the
// bad line that stopped it (Next returns that error when it gets there).
// known is false for input that was not scanned (a pipe).
func (j *JSONL) Count() (rows int, known bool, err error) {
	if j.seeker == nil {
		return 0, false, nil
	}
	return j.scanned, true, j.scanErr
}

// Header returns a copy of the column names.
func (j *JSONL) Header() []string { return slices.Clone(j.header) }

// Source describes the input: JSON Lines, with the file's path when Open
// opened one.
func (j *JSONL) Source() table.Source { return table.Source{Path: j.path, Format: table.JSONL} }

// Next returns the next object. Cells follow the header; keys an object
// lacks, and null values, are "".
func (j *JSONL) Next(ctx context.Context) (table.Row, error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if j.err != nil {
		return table.Row{}, j.err
	}
	if j.pending != nil {
		row := *j.pending
		j.pending = nil
		return row, nil
	}
	row, err := j.next(true)
	if err != nil {
		j.err = err
		return table.Row{}, err
	}
	return row, nil
}

// Close closes the file when Open opened it; it is safe to call twice.
func (j *JSONL) Close() error {
	if j.closer == nil {
		return nil
	}
	err := j.closer.Close()
	j.closer = nil
	return err
}

// next reads up to the next non-blank line and turns it into a row. With
// haveHeader false the object's keys become the header first.
func (j *JSONL) next(haveHeader bool) (table.Row, error) {
	for {
		line, err := j.readLine()
		if err != nil {
			return table.Row{}, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !haveHeader {
			if err := j.addKeys(line); err != nil {
				return table.Row{}, err
			}
		}
		cells := make([]string, len(j.header))
		err = parseObject(line, func(key string, value json.RawMessage) error {
			i, ok := j.index[key]
			if !ok {
				if j.strict {
					return detailf(ErrNewKey, "key %q is not in the first line; when the input cannot be read twice (standard input, a pipe), every key must appear in the first line: pass the file path instead", key)
				}
				return nil
			}
			cells[i] = cellText(value) // a repeated key: the last value wins
			return nil
		})
		if err != nil {
			return table.Row{}, j.locate(err, line)
		}
		raw := bytes.Clone(line)
		return table.Row{Num: j.line, Cells: cells, Raw: raw}, nil
	}
}

// addKeys appends the keys of the object on line that are not columns yet.
func (j *JSONL) addKeys(line []byte) error {
	err := parseObject(line, func(key string, _ json.RawMessage) error {
		if _, ok := j.index[key]; !ok {
			j.index[key] = len(j.header)
			j.header = append(j.header, key)
		}
		return nil
	})
	if err != nil {
		return j.locate(err, line)
	}
	return nil
}

// readLine returns the next line without its "\n" or "\r\n", in a buffer
// reused by the next call. Lines of any length are fine, unlike with
// bufio.Scanner, which stops at 64 KiB by default.
func (j *JSONL) readLine() ([]byte, error) {
	j.lineBuf = j.lineBuf[:0]
	for {
		chunk, err := j.br.ReadSlice('\n')
		j.lineBuf = append(j.lineBuf, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(j.lineBuf) == 0 {
				return nil, io.EOF
			}
		case err != nil:
			return nil, readError(j.name, err)
		}
		j.line++
		line := bytes.TrimSuffix(j.lineBuf, []byte("\n"))
		return bytes.TrimSuffix(line, []byte("\r")), nil
	}
}

// locate places an error from parseObject on the current line. A column
// is given where one is known: a JSON syntax error or bad UTF-8.
func (j *JSONL) locate(err error, line []byte) error {
	pe := &ParseError{File: j.name, Line: j.line, Err: err}
	var at *offsetError
	if errors.As(err, &at) {
		pe.Column = utf8.RuneCount(line[:min(at.offset, len(line))]) + 1
	}
	return pe
}

func (j *JSONL) emptyError() error {
	return detailf(ErrEmpty, "%s is empty: no JSON objects", displayName(j.name))
}

// newBOMReader skips a leading byte order mark, which some Windows tools
// write even though JSON forbids it, and refuses UTF-16.
func newBOMReader(r io.Reader, name string) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	return br, checkNotUTF16(br, displayName(name))
}
