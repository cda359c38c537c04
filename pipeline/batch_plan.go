package pipeline

import (
	"context"
	"errors"
	"io"

	"github.com/enrich-dev/enrich/llm"
)

// BatchPlan is how a batch run would split its requests. Nothing is sent
// to work it out.
type BatchPlan struct {
	Rows        int64 // rows read (after Limit)
	Requests    int64 // distinct requests the cache does not answer: what batches would hold
	FromJournal int64 // rows the cache answers
	Batches     int   // batches they would fill
	Bytes       int64 // the batch input files' total size
	Largest     int64 // the largest file
	TooLarge    int64 // requests too large for any batch
	Size        int   // the most requests a batch holds, as used
	MaxBytes    int64 // the most bytes a batch holds
}

// PlanBatches reads r (without closing it) and splits the requests a batch
// run would submit as it would: at most size a batch (0, or more than the
// provider allows, for the provider's limit) and within the provider's
// bytes. The client must be an llm.Batcher.
func (p *Pipeline) PlanBatches(ctx context.Context, r Rows, size int) (BatchPlan, error) {
	b, ok := p.client.(llm.Batcher)
	if !ok {
		return BatchPlan{}, ErrNoBatcher
	}
	l := b.BatchLimits()
	if size <= 0 || size > l.Requests {
		size = l.Requests
	}
	return p.planWith(ctx, r, size, l.Bytes)
}

func (p *Pipeline) planWith(ctx context.Context, r Rows, size int, maxBytes int64) (BatchPlan, error) {
	b := p.client.(llm.Batcher)
	o := p.opts
	plan := BatchPlan{Size: size, MaxBytes: maxBytes}
	seen := make(map[llm.Key]struct{})
	var n int
	var bytes int64
	flush := func() {
		if n > 0 {
			plan.Batches++
			plan.Largest = max(plan.Largest, bytes)
		}
		n, bytes = 0, 0
	}
	limit := int64(o.Limit)
	for seq := int64(0); limit == 0 || seq < limit; seq++ {
		row, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return plan, err
		}
		plan.Rows++
		prompt, err := o.Prompt.Template.Render(row.Cells)
		if err != nil {
			continue
		}
		req := o.request(prompt)
		key := o.rowKey(req, seq)
		if c := o.Resume.Cache; c != nil && c.Has(key) {
			plan.FromJournal++
			continue
		}
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		line, err := b.BatchLine(key.String(), req)
		if err != nil {
			return plan, err
		}
		sz := int64(len(line)) + 1
		if sz > maxBytes {
			plan.TooLarge++
			continue
		}
		if n >= size || bytes+sz > maxBytes {
			flush()
		}
		n++
		bytes += sz
		plan.Requests++
		plan.Bytes += sz
	}
	flush()
	return plan, nil
}
