package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/writers"
)

// batchFlags are the flags of batch mode.
type batchFlags struct {
	batch, detach, batchCancel bool
	batchSize                  int
	batchPoll                  time.Duration
}

func addBatchFlags(fs *pflag.FlagSet, b *batchFlags) {
	fs.BoolVar(&b.batch, "batch", false, "send what the journal lacks through the provider's batch API: half the price, answered within 24h")
	fs.BoolVar(&b.detach, "detach", false, "with --batch: submit and exit 75; run the same command again to collect (75 while batches run)")
	fs.IntVar(&b.batchSize, "batch-size", 0, "at most `N` requests per batch (0: the provider's limit)")
	fs.DurationVar(&b.batchPoll, "batch-poll", pipeline.DefaultBatchPoll, "`DURATION` between batch status polls, backing off as they run")
	fs.BoolVar(&b.batchCancel, "batch-cancel", false, "cancel the batches this command submitted, keep what they finished")
}

func (c *config) validateBatch() error {
	switch {
	case c.detach && !c.batch:
		return usagef("--detach needs --batch")
	case c.batchSize < 0:
		return usagef("--batch-size must not be negative, got %d", c.batchSize)
	case c.batchPoll <= 0:
		return usagef("--batch-poll must be positive, got %s", c.batchPoll)
	case !c.batch && !c.batchCancel:
		return nil
	case c.batchCancel && c.dryRun:
		return usagef("--batch-cancel cancels batches at the provider, which a --dry-run does not do")
	case c.dryRun:
		return nil
	case c.input == "-":
		return usagef("--batch reads INPUT more than once (to submit, then to write OUTPUT), so it cannot be standard input; save it to a file first")
	case c.noCache:
		return usagef("--batch records its batches beside the journal so that no rerun pays for them twice; it cannot run with --no-cache")
	}
	return nil
}

// enrichInBatches is a run through the provider's batch API, or with
// --batch-cancel the cancelling of one.
func (c *config) enrichInBatches(ctx context.Context, client llm.Client, opts pipeline.Options, r readers.Reader, ropts readers.Options, stdout io.Writer) int {
	start := time.Now()
	if _, ok := client.(llm.Batcher); !ok {
		return c.con.fail(fmt.Errorf("provider %s: %w", c.provider, pipeline.ErrNoBatcher))
	}
	prog := newProgress(c.con, c.quiet)
	if price, _, ok := c.batchPrice(opts.Prompt.Model); ok && c.provider != "mock" {
		prog.price = &price
	}
	opts.Warn = c.con.warn
	p, err := pipeline.New(client, opts)
	if err != nil {
		return c.con.fail(err)
	}
	if !c.batchCancel {
		// OUTPUT can be written (its folder exists, it is not INPUT); it is
		// made when every batch has ended, so nothing half-made waits
		// beside it for a day.
		w, err := c.newWriter(r, p, stdout)
		if err != nil {
			return c.con.fail(err)
		}
		_ = w.Abort()
	}

	jpath, err := journal.PathFor(c.cacheDir, c.output, c.input)
	if err != nil {
		return c.con.fail(err)
	}
	blog, err := journal.OpenBatches(journal.BatchesPath(jpath))
	if errors.Is(err, journal.ErrLocked) {
		return c.con.fail(hinted{err, "another enrich run is waiting on these batches; let it finish, or stop it first"})
	}
	if err != nil {
		return c.con.fail(hinted{err, "choose a writable journal folder with --cache DIR"})
	}
	defer blog.Close()
	recorded := 0
	_ = blog.Replay(func([]byte) error { recorded++; return nil })
	if c.fresh && recorded > 0 && !c.batchCancel {
		return c.con.fail(hinted{fmt.Errorf("batches submitted for %s are recorded in %s", c.outputName(), blog.Path()),
			"run the same command with --batch-cancel first to stop them, or without --fresh to collect them"})
	}
	j, closeJournal, err := c.openJournal()
	if err != nil {
		return c.con.fail(err)
	}
	defer closeJournal()
	if j == nil {
		return c.con.fail(hinted{errors.New("--batch needs the journal to collect the answers in, and another run holds it"), "let that run finish first"})
	}
	opts.Resume.Cache = j
	bo := pipeline.BatchOptions{Log: blog, Size: c.batchSize, Poll: c.batchPoll, Detach: c.detach, Progress: prog.batchUpdate}
	if c.batchCancel {
		if p, err = pipeline.New(client, opts); err != nil {
			return c.con.fail(err)
		}
		return c.cancelBatches(ctx, p, bo, j)
	}

	if p, err = pipeline.New(client, opts); err != nil {
		return c.con.fail(err)
	}
	pv, err := firstPass(ctx, p, r, j, c.limit, c.input, ropts)
	if err != nil {
		return c.con.fail(err)
	}
	prog.total = pv.Rows
	if recorded > 0 {
		c.con.notef("resuming: collecting the batches recorded in %s", blog.Path())
	} else if pv.Cached > 0 {
		c.con.notef("resuming: %d of %d rows already answered (journal %s)", pv.Cached, pv.Rows, j.Path())
	}
	opts.Progress = prog.update
	if p, err = pipeline.New(client, opts); err != nil {
		return c.con.fail(err)
	}
	open := func() (pipeline.Rows, error) { return readers.Open(c.input, nil, ropts) }
	create := func() (writers.Writer, error) { return c.newWriter(r, p, stdout) }
	stats, bstats, err := p.RunBatch(ctx, open, create, bo)

	var pending *pipeline.PendingError
	switch {
	case errors.As(err, &pending):
		prog.clear()
		if pending.Submitted > 0 {
			c.con.notef("submitted %d requests in %s (recorded in %s); they run at the provider, within 24h; run the same command again to collect them and write %s (it exits 75 while they still run)",
				bstats.Requests, plural(bstats.Submitted, "batch", "batches"), blog.Path(), c.outputName())
		} else {
			c.con.notef("%s holding %d requests still running at the provider (%d done); nothing new was submitted; run the same command again later to collect them",
				plural(pending.Batches, "batch", "batches"), pending.Requests, pending.Done)
		}
		return exitTempFail
	case err != nil && ctx.Err() != nil:
		prog.clear()
		switch {
		case bstats.Live > 0:
			c.con.notef("interrupted: no OUTPUT was written; %s keep running at the provider and are recorded in %s; run the same command again to collect them, or add --batch-cancel to cancel them",
				plural(bstats.Live, "batch", "batches"), blog.Path())
		case bstats.Submitted+bstats.Collected > 0 || recorded > 0:
			c.con.notef("interrupted: no OUTPUT was written; every batch has ended and its answers are in the journal %s; run the same command again to write OUTPUT", j.Path())
		default:
			c.con.notef("interrupted: no OUTPUT was written; nothing was submitted")
		}
		return exitInterrupted
	case err != nil:
		prog.clear()
		code := c.con.fail(err)
		if bstats.Live > 0 {
			c.con.hintf("%d batches keep running at the provider (recorded in %s); run the same command again to collect them, or add --batch-cancel to cancel them", bstats.Live, blog.Path())
		}
		return code
	}
	stats.Elapsed = time.Since(start)
	prog.finishBatch(stats, bstats, c.outputName())
	if stats.Failed > 0 {
		return exitRowsFailed
	}
	return exitOK
}

// cancelBatches is --batch-cancel.
func (c *config) cancelBatches(ctx context.Context, p *pipeline.Pipeline, bo pipeline.BatchOptions, j *journal.Journal) int {
	bstats, err := p.CancelBatches(ctx, bo)
	if err != nil {
		return c.con.fail(err)
	}
	if bstats.Cancelled == 0 {
		c.con.notef("no batches are recorded for %s; nothing to cancel", c.outputName())
		return exitOK
	}
	c.con.notef("cancelled %d batches; the %d answers they had finished are kept in the journal %s; run the same command again (with or without --batch) to ask only for the rest",
		bstats.Cancelled, bstats.Succeeded, j.Path())
	return exitOK
}

// batchPrice is the price at the batch rate: half the list price, unless
// --price-in/--price-out say what is paid.
func (c *config) batchPrice(model string) (cost.Price, string, bool) {
	p, src, ok := c.price(model)
	if c.priceInSet && c.priceOutSet {
		return p, src, ok
	}
	return p.Batch(), "the batch price: half the " + src, ok
}

// batchHint is the advice for batch mode's errors, or "".
func batchHint(err error) string {
	var failed *llm.BatchFailedError
	switch {
	case errors.Is(err, llm.ErrNoBatchAPI), errors.Is(err, pipeline.ErrNoBatcher):
		return "--batch needs a provider with a batch API (OpenAI, Azure OpenAI's v1 API, Gemini's OpenAI-compatible endpoint, Anthropic); run without --batch to send one request per row"
	case errors.As(err, &failed):
		return "the provider refused the batch's input as a whole, so nothing in it ran or was charged; fix the cause and run the same command again"
	}
	return ""
}

// writeBatchPreview is --dry-run --batch: the batches a run would submit
// and their cost at the batch price.
func (c *config) writeBatchPreview(ctx context.Context, w io.Writer, p *pipeline.Pipeline, pv pipeline.Preview) int {
	r, _, err := c.openInput(ctx, nil)
	if err != nil {
		return c.con.fail(err)
	}
	defer r.Close()
	plan, err := p.PlanBatches(ctx, r, c.batchSize)
	if err != nil {
		return c.con.fail(err)
	}
	fmt.Fprintf(w, "rows:     %d (%d distinct requests, %d already answered in the journal, %d to send)\n", pv.Rows, pv.Distinct, pv.Cached, plan.Requests)
	if pv.Failed > 0 {
		fmt.Fprintf(w, "errors:   %d rows would fail to render their prompt\n", pv.Failed)
	}
	fmt.Fprintf(w, "batches:  %d holding %d requests (at most %d requests and %s a batch), %s in all, the largest %s\n",
		plan.Batches, plan.Requests, plan.Size, mb(plan.MaxBytes), mb(plan.Bytes), mb(plan.Largest))
	if plan.TooLarge > 0 {
		fmt.Fprintf(w, "          %d requests are too large for any batch and would fail\n", plan.TooLarge)
	}
	price, source, ok := c.batchPrice(c.model)
	c.writeCost(w, pv, plan.Requests, price, source, ok)
	fmt.Fprintf(w, "time:     within the provider's 24h completion window; most batches end within hours\n")
	return exitOK
}

// plural is "1 batch", "2 batches".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func mb(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// batchUpdate shows where the batches stand: a live line on a terminal,
// a log line on each change of stage and every few seconds otherwise.
func (p *progress) batchUpdate(bp pipeline.BatchProgress) {
	if p.quiet {
		return
	}
	phases := map[llm.BatchPhase]int{}
	var total, done int
	for _, b := range bp.Batches {
		phases[b.Phase]++
		total += b.Requests
		if b.Phase == llm.BatchEnded {
			done += b.Requests
		} else {
			done += b.Counts.Succeeded + b.Counts.Failed
		}
	}
	var states []string
	for _, ph := range []llm.BatchPhase{llm.BatchValidating, llm.BatchInProgress, llm.BatchFinalizing, llm.BatchCancelling, llm.BatchEnded} {
		if n := phases[ph]; n > 0 {
			states = append(states, fmt.Sprintf("%d %s", n, ph))
		}
	}
	elapsed := bp.Elapsed.Round(time.Second)
	if p.tty {
		line := fmt.Sprintf("enrich: batches %s | %s | %d/%d requests done | %s", bp.Stage, strings.Join(states, ", "), done, total, elapsed)
		if w := p.width() - 1; len(line) > w && w > 0 {
			line = line[:w]
		}
		p.con.mu.Lock()
		fmt.Fprintf(p.con.w, "\r\033[K%s", line)
		p.drawn = true
		p.con.mu.Unlock()
		return
	}
	p.mu.Lock()
	changed := bp.Stage != p.lastStage
	due := time.Since(p.lastLog) >= p.every
	if changed || due {
		p.lastStage, p.lastLog = bp.Stage, time.Now()
	}
	p.mu.Unlock()
	if !changed && !due {
		return
	}
	attrs := []any{"stage", bp.Stage, "batches", len(bp.Batches), "states", strings.Join(states, ", "),
		"requests", total, "done", done, "submitted", bp.Stats.Submitted, "elapsed_s", round1(bp.Elapsed.Seconds())}
	p.con.mu.Lock()
	defer p.con.mu.Unlock()
	if p.con.json != nil {
		p.con.json.Info("batches", attrs...)
		return
	}
	slog.New(slog.NewTextHandler(p.con.w, nil)).Info("batches", attrs...)
}

// clear wipes the live line before a last message.
func (p *progress) clear() {
	p.con.mu.Lock()
	p.clearBar()
	p.con.mu.Unlock()
}

// finishBatch is the summary of a batch run: the rows, the batches and
// their requests, the tokens and the cost at the batch price.
func (p *progress) finishBatch(s pipeline.Stats, b pipeline.BatchStats, output string) {
	costText, costUSD := "", -1.0
	if p.price != nil {
		costUSD = p.price.Cost(b.TokensIn, b.TokensOut)
		costText = "cost " + dollars(costUSD) + " at the batch price"
	}
	if p.con.json != nil {
		p.con.say(slog.LevelInfo, "", "summary", "", "rows", s.Rows, "answered", s.Answered, "failed", s.Failed,
			"batches", b.Submitted, "batch_requests", b.Requests, "batches_collected", b.Collected, "retried", b.Retried,
			"from_journal", b.FromJournal, "tokens_in", b.TokensIn, "tokens_out", b.TokensOut,
			"cost_usd", costUSD, "elapsed_s", round1(s.Elapsed.Seconds()), "written", true, "output", output)
	} else {
		parts := []string{fmt.Sprintf("%d rows", s.Rows), fmt.Sprintf("%d answered", s.Answered), fmt.Sprintf("%d failed", s.Failed),
			plural(b.Submitted, "batch", "batches"), fmt.Sprintf("%d batch requests", b.Requests),
			plural(b.Collected, "batch", "batches") + " collected", fmt.Sprintf("%d from the journal", b.FromJournal),
			fmt.Sprintf("tokens %d in / %d out", b.TokensIn, b.TokensOut)}
		if b.Retried > 0 {
			parts = append(parts, fmt.Sprintf("%d requests retried in a later batch", b.Retried))
		}
		if costText != "" {
			parts = append(parts, costText)
		}
		parts = append(parts, s.Elapsed.Round(time.Millisecond).String())
		for _, line := range pack(parts, 80-len("enrich: ")) {
			p.con.notef("%s", line)
		}
	}
	if s.Failed > 0 && s.FirstError != "" {
		p.con.notef("%d rows failed; their errors are in the error column of %s; the first: %s", s.Failed, output, s.FirstError)
	} else {
		p.con.notef("done: %d rows written to %s", s.Rows, output)
	}
}
