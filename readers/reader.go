package readers

import (
	"context"

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
