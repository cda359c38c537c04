package pipeline

import (
	"encoding/binary"
	"fmt"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
)

// Shard makes a run take only its share of the input, so that Count
// processes, each with its own Index, together do one run's work.
//
// A row belongs to the shard its request falls to: a hash of the request
// without its scope (so every process agrees, whatever endpoint each one
// uses), modulo Count. Identical requests therefore land in one shard and
// are sent once across all of them, as in one run; a row whose prompt
// does not render goes by its position instead. Rows keep their place in
// the input's numbering (Limit counts the input's rows, and a key made
// per row with NoDedupe uses the input's position), so a shard's rows are
// the very records an unsharded run writes for them.
type Shard struct {
	Index, Count int // Count 0 or 1: no sharding
	// Kept, when set, hears of each row the shard takes, in input order,
	// before the row is written: its position in the input (0-based,
	// counting every row read) and its table.Row.Num. A merge needs them
	// to put the parts back in order.
	Kept func(seq int64, num int)
}

func (s Shard) on() bool { return s.Count > 1 }

func (s Shard) validate() error {
	if s.Count < 0 || s.Index < 0 || s.Count > 0 && s.Index >= s.Count || s.Count == 0 && s.Index != 0 {
		return fmt.Errorf("shard %d of %d does not exist", s.Index, s.Count)
	}
	return nil
}

// owns reports whether the row at seq, whose prompt rendered to req
// (ok false when it did not render), is this shard's.
func (s Shard) owns(seq int64, req llm.Request, ok bool) bool {
	if !s.on() {
		return true
	}
	if !ok {
		return seq%int64(s.Count) == int64(s.Index)
	}
	k := llm.KeyOf("", req)
	return binary.BigEndian.Uint64(k[8:])%uint64(s.Count) == uint64(s.Index)
}

// rendered is a row's request, or why its prompt did not render.
type rendered struct {
	req llm.Request
	err error
}

func (o Options) render(row table.Row) *rendered {
	prompt, err := o.Prompt.Template.Render(row.Cells)
	if err != nil {
		return &rendered{err: err}
	}
	return &rendered{req: o.request(prompt)}
}
