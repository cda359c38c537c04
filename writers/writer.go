package writers

import (
	"context"

	"github.com/enrich-dev/enrich/readers"
)

// Record is one output row: the input row, untouched, and the values of the
// columns enrich adds, in the order of the writer's added columns.
type Record struct {
	Row    readers.Row
	Values []string
	// Kinds, when not nil, says how to type each of Values in formats that
	// have types (XLSX cells, JSON values); nil means every value is text.
	Kinds []Kind
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
)

// Writer receives records in input order.
//
// Write errors stick: after one, every later call returns it. Close flushes
// and commits the output (for files: renames the temporary file over OUTPUT);
// Abort discards it, leaving no OUTPUT behind (a stream from New ends on
// its last whole record instead: what it sent can't be taken back). Exactly one of Close or Abort
// should be called; calling either again is a no-op.
type Writer interface {
	Write(ctx context.Context, rec Record) error
	Close() error
	Abort() error
}
