package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/internal/diskindex"
)

// Preview is what a look at the input found. No request is sent to get it.
type Preview struct {
	Rows     int64 // rows that would be processed (after Limit)
	Distinct int64 // distinct requests among them: what a run pays for at most
	Cached   int64 // rows whose answer the cache already holds
	ToSend   int64 // requests a run would send: distinct and not cached
	// InputTokens estimates the prompt tokens of the requests to send,
	// counted by Counter (a tokenizer's name, or the bytes/4 rule).
	InputTokens int64
	Counter     string
	Samples     []Sample // the first rendered prompts
	Errors      []string // the first rows whose prompt would not render
	Failed      int64    // rows whose prompt would not render
	// Time is the least time the rate limits allow for the requests to
	// send (with PreviewOptions.Costs).
	Time Estimate
}

// Sample is one rendered prompt and the row it came from.
type Sample struct {
	Row  int // the row's position in its source (table.Row.Num)
	Text string
}

// Estimate is how long sending a preview's requests takes at least.
type Estimate struct {
	// Least is the time the rate limits allow: requests at Limits.RPM and
	// tokens (InputTokens plus the answers' reserve) at Limits.TPM; 0
	// when neither is set.
	Least time.Duration
	// Tokens is what the TPM limit is charged: the input estimate plus
	// MaxTokens (or DefaultOutputReserve) a request.
	Tokens int64
	// Rounds is how many times the model's latency the run takes when
	// latency, not a rate limit, is what bounds it: ToSend requests,
	// Concurrency at a time.
	Rounds int64
}

// PreviewOptions says how much a preview works out.
type PreviewOptions struct {
	Show int // how many rendered prompts to keep
	// Costs works out distinct requests, input tokens and the time, which
	// a dry run needs and a run's first pass does not: the tokenizer's
	// vocabulary takes tens of MB, and the distinct keys go to a temporary
	// file (24 bytes a row on disk, none in memory).
	Costs bool
}

// Preview reads r to its end (up to Limit) and renders each prompt,
// keeping the first po.Show of them. A prompt that fails on the first row
// is a *FirstRowError, as in Run; on later rows it is counted in Failed. It counts what a run would cost: rows
// and answers already in the cache, and with po.Costs the distinct
// requests, those still to send, their input tokens and the least time
// the limits allow. Reading the whole input first also finds a malformed
// row before any request is paid for. Preview does not close r, so a
// reader that can rewind may be run next.
func (p *Pipeline) Preview(ctx context.Context, r Rows, po PreviewOptions) (Preview, error) {
	var pv Preview
	var seen *diskindex.Index // the distinct keys, on disk: flat memory at any size
	var counter cost.Counter
	if po.Costs {
		var err error
		if seen, err = diskindex.New(""); err != nil {
			return pv, err
		}
		defer seen.Close()
		counter = cost.CounterFor(p.opts.Prompt.Model)
		pv.Counter = counter.Name()
	}
	cache := p.opts.Resume.Cache
	limit := int64(p.opts.Limit)
	// Reading in a goroutine of its own, as Run does, lets ctx stop a
	// preview whose input is a pipe with nothing coming.
	next, stop := pull(ctx, r)
	defer stop()
	for seq := int64(0); limit == 0 || seq < limit; seq++ {
		row, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return pv, err
		}
		text, err := p.opts.Prompt.Template.Render(row.Cells)
		if p.opts.Shard.on() && !p.opts.Shard.owns(seq, p.opts.request(text), err == nil) {
			continue
		}
		pv.Rows++
		if err != nil && pv.Rows == 1 {
			return pv, &FirstRowError{Row: row.Num, Err: err}
		}
		if err != nil {
			pv.Failed++
			if len(pv.Errors) < po.Show {
				pv.Errors = append(pv.Errors, fmt.Sprintf("row %d: %v", row.Num, err))
			}
			continue
		}
		if len(pv.Samples) < po.Show {
			pv.Samples = append(pv.Samples, Sample{Row: row.Num, Text: text})
		}
		if cache == nil && !po.Costs {
			continue // nothing to count but the row
		}
		req := p.opts.request(text)
		key := p.opts.rowKey(req, seq)
		cached := cache != nil && cache.Has(key)
		if cached {
			pv.Cached++
		}
		if !po.Costs {
			continue
		}
		if _, ok, err := seen.Get(key); err != nil {
			return pv, err
		} else if !ok {
			if err := seen.Put(key, 0); err != nil {
				return pv, err
			}
			pv.Distinct++
			if !cached {
				pv.ToSend++
				pv.InputTokens += int64(counter.Prompt(req.System, req.Prompt))
			}
		}
	}
	if po.Costs {
		pv.Time = p.estimate(pv)
	}
	return pv, nil
}

// estimate is the least time the limits allow for pv's requests.
func (p *Pipeline) estimate(pv Preview) Estimate {
	l := p.opts.Limits
	e := Estimate{Rounds: (pv.ToSend + int64(l.Concurrency) - 1) / int64(l.Concurrency)}
	if l.RPM > 0 {
		e.Least = time.Duration(float64(pv.ToSend) / l.RPM * float64(time.Minute))
	}
	reserve := int64(p.opts.Prompt.MaxTokens)
	if reserve == 0 {
		reserve = DefaultOutputReserve
	}
	e.Tokens = pv.InputTokens + reserve*pv.ToSend
	if l.TPM > 0 {
		e.Least = max(e.Least, time.Duration(float64(e.Tokens)/l.TPM*float64(time.Minute)))
	}
	return e
}
