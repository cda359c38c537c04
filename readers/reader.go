package readers

import (
	"context"
	"errors"

	"github.com/enrich-dev/enrich/table"
)

// Reader is a pull iterator over the rows of one input.
//
// Header is known once the reader is constructed. Next returns io.EOF after
// the last row; any other error is located (file, line, column) and final.
// Source describes where the rows come from (for writers that edit it in
// place). Readers own their resources; Close releases them and is safe to
// call twice.
type Reader interface {
	Header() []string
	Next(ctx context.Context) (table.Row, error)
	Source() table.Source
	Close() error
}

// Rewinder is a reader that can start over: Rewind puts it back before
// its first row, with the same header, so that a first pass (counting and
// checking every row before any request is paid for) and the run share
// one open input. Readers of files are Rewinders; a reader of a pipe
// returns ErrNotRewindable.
type Rewinder interface {
	Rewind() error
}

// Counter is a reader that has already read its whole input once (JSON
// Lines does, to find every key): Count returns the rows it found and, if
// that pass stopped at a bad row, the error Next will return there. known
// is false when no such pass was made (input from a pipe).
type Counter interface {
	Count() (rows int, known bool, err error)
}

// ErrNotRewindable is Rewind's error for input that can be read only once.
var ErrNotRewindable = errors.New("input can be read only once")
