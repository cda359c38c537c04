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

func (c *config) preview(ctx context.Context, p *pipeline.Pipeline, r readers.Reader, stdout io.Writer) int {
	const show = 3
	pv, err := p.Preview(ctx, r, pipeline.PreviewOptions{Show: show, Costs: true})
	if err != nil {
		return c.stopped(ctx, err)
	}
	for _, s := range pv.Samples {
		fmt.Fprintf(stdout, "--- row %d ---\n%s\n", s.Row, safe(strings.TrimRight(s.Text, "\n")))
	}
	for _, e := range pv.Errors {
		fmt.Fprintf(stdout, "--- error ---\n%s\n", safe(e))
	}
	fmt.Fprintf(stdout, "--- dry run: nothing was sent ---\n")
	if c.batch {
		return c.writeBatchPreview(ctx, stdout, p, pv)
	}
	c.writePreview(stdout, pv)
	return exitOK
}

// writePreview prints what a run would cost: requests, tokens, money and
// the least time the rate limits allow.
func (c *config) writePreview(w io.Writer, p pipeline.Preview) {
	fmt.Fprintf(w, "rows:     %d (%d distinct requests, %d already answered in the journal, %d to send)\n", p.Rows, p.Distinct, p.Cached, p.ToSend)
	if p.Failed > 0 {
		fmt.Fprintf(w, "errors:   %d rows would fail to render their prompt\n", p.Failed)
	}
	price, source, ok := c.price(c.model)
	c.writeCost(w, p, p.ToSend, price, source, ok)
	fmt.Fprintf(w, "time:     %s\n", c.timeEstimate(p))
}

// writeCost prints a preview's tokens and money for the requests it
// would send, at price (ok false: no price is known for the model).
func (c *config) writeCost(w io.Writer, p pipeline.Preview, requests int64, price cost.Price, source string, ok bool) {
	out := int64(0)
	if c.maxTokens > 0 {
		out = int64(c.maxTokens) * requests
		fmt.Fprintf(w, "tokens:   ~%d input (%s), %d output reserved (--max-tokens %d × %d)\n", p.InputTokens, p.Counter, out, c.maxTokens, requests)
	} else {
		fmt.Fprintf(w, "tokens:   ~%d input (%s); output unknown without --max-tokens\n", p.InputTokens, p.Counter)
	}
	if !ok {
		fmt.Fprintf(w, "cost:     unknown: no price for %q; give one with --price-in and --price-out (dollars per 1M tokens)\n", c.model)
		return
	}
	what := "at most"
	if c.maxTokens == 0 {
		what = "input only,"
	}
	fmt.Fprintf(w, "cost:     %s %s at %s (%s)\n", what, dollars(price.Cost(p.InputTokens, out)), price, source)
}

// timeEstimate words the least time the rate limits allow; latency adds
// to it.
func (c *config) timeEstimate(p pipeline.Preview) string {
	if p.ToSend == 0 {
		return "none: every answer is already in the journal"
	}
	var by []string
	if c.rpm > 0 {
		by = append(by, fmt.Sprintf("%d requests at --rpm %g", p.ToSend, c.rpm))
	}
	if c.tpm > 0 {
		by = append(by, fmt.Sprintf("%d tokens at --tpm %g", p.Time.Tokens, c.tpm))
	}
	latency := fmt.Sprintf("%d × the model's latency (%d requests, %d at a time)", p.Time.Rounds, p.ToSend, c.concurrency)
	if len(by) == 0 {
		return "about " + latency + " (no --rpm or --tpm limits it)"
	}
	return fmt.Sprintf("at least %s (%s), or %s if that is longer", p.Time.Least.Round(time.Second), strings.Join(by, "; "), latency)
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
