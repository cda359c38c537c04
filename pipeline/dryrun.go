package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/llm"
)

// Preview is what a survey of the input found. No request is sent to get it.
type Preview struct {
	Rows     int64 // rows that would be processed (after Limit)
	Distinct int64 // distinct requests among them: what a run pays for at most
	Cached   int64 // rows whose answer the cache already holds
	ToSend   int64 // requests a run would send: distinct and not cached
	// InputTokens estimates the prompt tokens of the requests to send,
	// counted by Counter (a tokenizer's name, or the bytes/4 rule).
	InputTokens int64
	Counter     string
	Prompts     []Prompt // the first rendered prompts
	Errors      []string // the first rows whose prompt would not render
	Failed      int64    // rows whose prompt would not render
}

// Prompt is one rendered prompt and the row it came from.
type Prompt struct {
	Row  int // the row's position in its source (table.Row.Num)
	Text string
}

// SurveyOptions says how much a survey works out.
type SurveyOptions struct {
	Show int // how many rendered prompts to keep
	// Costs works out distinct requests and input tokens, which a
	// preview needs and a run's first pass does not: the tokenizer's
	// vocabulary takes tens of MB, the distinct keys ~40 bytes a row.
	Costs bool
}

// Survey reads every row (up to opts.Limit) and renders each prompt,
// keeping the first so.Show of them. It counts what a run would cost:
// rows and answers already in opts.Cache, and with so.Costs the distinct
// requests, those still to send, and their input tokens. Reading the whole input first also finds a
// malformed row before any request is paid for.
func Survey(ctx context.Context, r Rows, opts Options, so SurveyOptions) (Preview, error) {
	show := so.Show
	opts, err := opts.withDefaults()
	if err != nil {
		return Preview{}, err
	}
	var p Preview
	seen := make(map[llm.Key]struct{})
	var counter cost.Counter
	if so.Costs {
		counter = cost.CounterFor(opts.Model)
		p.Counter = counter.Name()
	}
	for seq := int64(0); opts.Limit == 0 || seq < int64(opts.Limit); seq++ {
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
		req := opts.request(text)
		key := opts.rowKey(req, seq)
		cached := opts.Cache != nil && opts.Cache.Has(key)
		if cached {
			p.Cached++
		}
		if _, ok := seen[key]; so.Costs && !ok {
			seen[key] = struct{}{}
			p.Distinct++
			if !cached {
				p.ToSend++
				p.InputTokens += int64(counter.Prompt(req.System, req.Prompt))
			}
		}
	}
	return p, nil
}
