package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
)

func (c *config) preview(ctx context.Context, r readers.Reader, opts pipeline.Options, stdout, stderr io.Writer) int {
	const show = 3
	p, err := pipeline.Survey(ctx, r, opts, pipeline.SurveyOptions{Show: show, Costs: true})
	if err != nil {
		return fail(stderr, err)
	}
	for _, pr := range p.Prompts {
		fmt.Fprintf(stdout, "--- row %d ---\n%s\n", pr.Row, strings.TrimRight(pr.Text, "\n"))
	}
	for _, e := range p.Errors {
		fmt.Fprintf(stdout, "--- error ---\n%s\n", e)
	}
	fmt.Fprintf(stdout, "--- dry run: nothing was sent ---\n")
	c.writePreview(stdout, p, opts)
	return exitOK
}

// writePreview prints what a run would cost: requests, tokens, money and
// the least time the rate limits allow.
func (c *config) writePreview(w io.Writer, p pipeline.Preview, opts pipeline.Options) {
	fmt.Fprintf(w, "rows:     %d (%d distinct requests, %d already answered in the journal, %d to send)\n", p.Rows, p.Distinct, p.Cached, p.ToSend)
	if p.Failed > 0 {
		fmt.Fprintf(w, "errors:   %d rows would fail to render their prompt\n", p.Failed)
	}
	out := int64(0)
	if opts.MaxTokens > 0 {
		out = int64(opts.MaxTokens) * p.ToSend
		fmt.Fprintf(w, "tokens:   ~%d input (%s), %d output reserved (--max-tokens %d × %d)\n", p.InputTokens, p.Counter, out, opts.MaxTokens, p.ToSend)
	} else {
		fmt.Fprintf(w, "tokens:   ~%d input (%s); output unknown without --max-tokens\n", p.InputTokens, p.Counter)
	}
	if price, source, ok := c.price(opts.Model); ok {
		what := "at most"
		if opts.MaxTokens == 0 {
			what = "input only,"
		}
		fmt.Fprintf(w, "cost:     %s %s at %s (%s)\n", what, dollars(price.Cost(p.InputTokens, out)), price, source)
	} else {
		fmt.Fprintf(w, "cost:     unknown: no price for %q; give one with --price-in and --price-out (dollars per 1M tokens)\n", opts.Model)
	}
	fmt.Fprintf(w, "time:     %s\n", timeEstimate(p, opts, out))
}

// timeEstimate is the least time the rate limits allow; latency adds to it.
func timeEstimate(p pipeline.Preview, opts pipeline.Options, outTokens int64) string {
	if p.ToSend == 0 {
		return "none: every answer is already in the journal"
	}
	var least time.Duration
	var by []string
	if opts.RPM > 0 {
		least = time.Duration(float64(p.ToSend) / opts.RPM * float64(time.Minute))
		by = append(by, fmt.Sprintf("%d requests at --rpm %g", p.ToSend, opts.RPM))
	}
	if opts.TPM > 0 {
		reserve := outTokens
		if reserve == 0 {
			reserve = int64(pipeline.DefaultOutputReserve) * p.ToSend
		}
		d := time.Duration(float64(p.InputTokens+reserve) / opts.TPM * float64(time.Minute))
		least = max(least, d)
		by = append(by, fmt.Sprintf("%d tokens at --tpm %g", p.InputTokens+reserve, opts.TPM))
	}
	rounds := (p.ToSend + int64(opts.Concurrency) - 1) / int64(opts.Concurrency)
	latency := fmt.Sprintf("%d × the model's latency (%d requests, %d at a time)", rounds, p.ToSend, opts.Concurrency)
	if len(by) == 0 {
		return "about " + latency + " (no --rpm or --tpm limits it)"
	}
	return fmt.Sprintf("at least %s (%s), or %s if that is longer", least.Round(time.Second), strings.Join(by, "; "), latency)
}

// dollars shows a cost with the precision small sums need.
func dollars(d float64) string {
	if d != 0 && d < 0.01 {
		return fmt.Sprintf("$%.6f", d)
	}
	return fmt.Sprintf("$%.2f", d)
}

// price is the model's price as cost.Resolve picks it, --price-in and
// --price-out being the override, and where it comes from in the flags'
// words.
func (c *config) price(model string) (cost.Price, string, bool) {
	var override *cost.Price
	if c.priceInSet && c.priceOutSet {
		override = &cost.Price{Input: c.priceIn, Output: c.priceOut}
	}
	p, src, ok := cost.Resolve(model, override)
	if src == cost.FromOverride {
		return p, "--price-in/--price-out", ok
	}
	return p, src.String() + "; --price-in/--price-out override it", ok
}
