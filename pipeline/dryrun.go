package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/enrich-dev/enrich/readers"
)

// Preview is what a dry run found: no request is sent to get it.
type Preview struct {
	Rows    int64    // rows that would be sent (after Limit)
	Prompts []Prompt // the first rendered prompts
	Errors  []string // the first rows whose prompt would not render
	Failed  int64    // rows whose prompt would not render
}

// Prompt is one rendered prompt and the row it came from.
type Prompt struct {
	Row  int // the row's position in its source (readers.Row.Num)
	Text string
}

// DryRun reads every row (up to opts.Limit), renders each prompt and keeps
// the first show of them, so a user sees what would be sent and how many
// requests a run would make, without sending any.
func DryRun(ctx context.Context, r readers.Reader, opts Options, show int) (Preview, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Preview{}, err
	}
	var p Preview
	for opts.Limit == 0 || p.Rows < int64(opts.Limit) {
		row, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p, err
		}
		p.Rows++
		text, err := opts.Template.Render(row.Cells)
		if err != nil {
			p.Failed++
			if len(p.Errors) < show {
				p.Errors = append(p.Errors, fmt.Sprintf("row %d: %v", row.Num, err))
			}
			continue
		}
		if len(p.Prompts) < show {
			p.Prompts = append(p.Prompts, Prompt{Row: row.Num, Text: text})
		}
	}
	return p, nil
}
