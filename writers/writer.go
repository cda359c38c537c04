package writers

import (
	"context"

	"github.com/enrich-dev/enrich/table"
)

// Record is one output row: the input row, untouched, and the values of the
// columns enrich adds, in the order of the writer's added columns.
type Record struct {
	Row    table.Row
	Values []string
	// Kinds, when not nil, says how to type each of Values in formats that
	// have types (XLSX cells, JSON values); nil means every value is text.
	Kinds []table.Kind
}

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
