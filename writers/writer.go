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
}

// Writer receives records in input order.
//
// Write errors stick: after one, every later call returns it. Close flushes
// and commits the output (for files: renames the temporary file over OUTPUT);
// Abort discards it, leaving no OUTPUT behind. Exactly one of Close or Abort
// should be called; calling either again is a no-op.
type Writer interface {
	Write(ctx context.Context, rec Record) error
	Close() error
	Abort() error
}
