package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/templates"
	"github.com/enrich-dev/enrich/writers"
)

// Run is the whole command, minus the process: main wraps it with signals
// and os.Exit, tests call it directly. When ctx was cancelled with an
// Interrupted cause and the run did not finish, the status is the shell's
// for that signal (130 for Ctrl-C, 143 for SIGTERM).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	code := run(ctx, args, stdin, stdout, stderr)
	if sig, ok := context.Cause(ctx).(Interrupted); ok && code != exitOK && code != exitRowsFailed {
		code = SignalStatus(sig.Signal)
	}
	return code
}

// Interrupted is the cause of a run stopped by a signal.
type Interrupted struct{ os.Signal }

func (i Interrupted) Error() string { return "interrupted by " + i.Signal.String() }

// SignalStatus is the shell's convention: 128 + the signal's number.
func SignalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitInterrupted
}

// StoppedAtOnce is what main prints when a second signal ends the process.
const StoppedAtOnce = "enrich: stopped at once; every answer already received is kept in the journal"

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if isMerge(args) {
		return runMerge(args[1:], stderr)
	}
	c, err := parseFlags(args, stderr)
	if err != nil {
		return newConsole(stderr, c.logFormat).fail(err)
	}
	if c.help {
		return exitOK
	}
	if c.version {
		printVersion(stdout)
		return exitOK
	}
	c.con = newConsole(stderr, c.logFormat)
	if err := c.readPromptFile(ctx); err != nil {
		return c.stopped(ctx, err)
	}
	r, ropts, err := c.openInput(ctx, stdin)
	if err != nil {
		return c.stopped(ctx, err)
	}
	defer r.Close()
	client, opts, err := c.options(ctx, r)
	if err != nil {
		return c.stopped(ctx, err)
	}
	if c.dryRun {
		return c.dryRunOf(ctx, client, opts, r, stdout)
	}
	if c.batch || c.batchCancel {
		return c.enrichInBatches(ctx, client, opts, r, ropts, stdout)
	}
	return c.enrich(ctx, client, opts, r, ropts, stdout)
}

// openInput opens INPUT with the reader its format (or --format) names.
// It stops waiting when ctx ends: the header may be coming down a pipe
// that nothing is written to.
func (c *config) openInput(ctx context.Context, stdin io.Reader) (readers.Reader, readers.Options, error) {
	if err := c.checkPaths(); err != nil {
		return nil, readers.Options{}, err
	}
	inFormat, err := table.FormatOf(c.input, table.Format(c.format))
	if err != nil {
		return nil, readers.Options{}, usageError{err}
	}
	ropts := readers.Options{Format: inFormat, Sheet: c.sheet, TSVQuoted: c.tsvQuoted, HeaderRow: c.headerRow, FirstRow: c.firstRow, LastRow: c.lastRow}
	if inFormat == table.SQLite {
		if ropts.SQLite, err = c.sqliteOptions(ctx); err != nil {
			return nil, ropts, err
		}
	}
	if c.input == "-" && c.format == "" {
		ropts.Format = "" // sniffed
	}
	var outFormat table.Format
	if c.output != "" {
		if outFormat, err = table.FormatOf(c.output, table.Format(c.format)); err != nil {
			return nil, ropts, usageError{err}
		}
		// Standard output without --format takes the input's format, so
		// JSON Lines input is written as JSON Lines.
		ropts.KeepNewKeys = outFormat == table.JSONL || c.outputFollowsInput()
	}
	r, err := readers.OpenContext(ctx, c.input, stdin, ropts)
	if err == nil && outFormat == table.XLSX && inFormat != table.XLSX {
		// An Excel cell holds 32,767 characters: a longer input cell is
		// refused by the first pass, not by the writer after every row
		// has been paid for.
		r = readers.LimitCells(r, writers.XLSXMaxCellChars)
	}
	return r, ropts, err
}

// options checks the template against r's header and gathers what the
// pipeline needs: the client and the options, less the journal.
func (c *config) options(ctx context.Context, r readers.Reader) (llm.Client, pipeline.Options, error) {
	tmpl, err := templates.Parse(c.prompt, r.Header(), c.sourceName())
	var field *templates.FieldError
	if errors.As(err, &field) && c.headerRow == 0 {
		if row, ok := titleLike(ctx, r); ok {
			return nil, pipeline.Options{}, hinted{err: err, hint: fmt.Sprintf(
				"row %d, taken as the header, has one filled cell and the table below is wider: it looks like a title; say which row is the header with --header-row N", row)}
		}
	}
	if err != nil {
		return nil, pipeline.Options{}, err
	}
	if c.promptFile == "" && looksLikeAFile(c.prompt) {
		c.con.warnf("the prompt %q has no {{…}} field, so every row gets the same request", c.prompt)
		c.con.hintf("to read the template from that file, use --prompt-file %s", c.prompt)
	}
	client, scope, err := c.newClient()
	if err != nil {
		return nil, pipeline.Options{}, err
	}
	opts := c.pipelineOptions(tmpl, scope)
	if opts.Prompt.Schema, err = c.schema(ctx); err != nil {
		return nil, opts, err
	}
	if opts.Prompt.Schema != nil && c.columnSet {
		opts.Columns.Prefix = c.column
	}
	return client, opts, nil
}

// dryRunOf shows the first prompts and what a run would cost. It counts
// what the journal already holds, so its figures are what the run would
// send, and writes nothing: no OUTPUT, no journal.
func (c *config) dryRunOf(ctx context.Context, client llm.Client, opts pipeline.Options, r readers.Reader, stdout io.Writer) int {
	j, closeJournal, err := c.openJournalForPreview()
	defer closeJournal()
	if err != nil {
		c.con.warnf("%v; the preview counts no answers from it", err)
	} else if j != nil {
		opts.Resume.Cache = j
	}
	p, err := pipeline.New(client, opts)
	if err != nil {
		return c.con.fail(err)
	}
	return c.preview(ctx, p, r, stdout)
}

// enrich is the run itself: OUTPUT, the journal, a first pass over a
// file, the pipeline, and what the user is told at the end.
func (c *config) enrich(ctx context.Context, client llm.Client, opts pipeline.Options, r readers.Reader, ropts readers.Options, stdout io.Writer) int {
	prog := newProgress(c.con, c.quiet)
	if price, _, ok := c.price(opts.Prompt.Model); ok && c.provider != "mock" {
		prog.price = &price
	}
	opts.Progress = prog.update
	opts.Warn = c.con.warn
	closeStore, err := c.openLimitStore(ctx, &opts)
	if err != nil {
		return c.con.fail(err)
	}
	defer closeStore()
	var shard *shardRun
	if c.shard.Count > 1 {
		var err error
		if shard, err = c.startShard(r.Source()); err != nil {
			return c.con.fail(err)
		}
		defer shard.abort()
		opts.Shard.Kept = shard.kept
	}
	// The options are checked, and the columns known, before OUTPUT or
	// the journal is created; the pipeline that runs is made again below,
	// with the journal.
	p, err := pipeline.New(client, opts)
	if err != nil {
		return c.con.fail(err)
	}
	w, err := c.newWriter(r, p, stdout)
	if err != nil {
		return c.con.fail(err)
	}
	j, closeJournal, err := c.openJournal()
	if err != nil {
		_ = w.Abort()
		return c.con.fail(err)
	}
	defer closeJournal()
	if j != nil {
		opts.Resume.Cache = j
		if p, err = pipeline.New(client, opts); err != nil {
			_ = w.Abort()
			return c.con.fail(err)
		}
	}
	if c.input != "-" {
		pv, err := firstPass(ctx, p, r, j, c.limit, c.input, ropts)
		if err != nil {
			_ = w.Abort()
			return c.stopped(ctx, err)
		}
		prog.total = pv.Rows
		if pv.Cached > 0 && !c.noCache {
			c.con.notef("resuming: %d of %d rows already answered (journal %s)", pv.Cached, pv.Rows, j.Path())
		}
	}
	stop := context.AfterFunc(ctx, func() { prog.interrupted(grace) })
	stats, err := p.Run(ctx, r, w)
	stop()
	if err == nil && shard != nil {
		err = shard.finish(c.output, stats.Input)
	}
	stats.FirstError = safe(stats.FirstError) // a provider's message, or cells
	prog.finish(stats, outcome{written: err == nil, output: c.outputName()})
	return c.exitStatus(ctx, err, stats, j)
}

// stopped is fail for an error before any request was sent, unless the
// error is that ctx ended (Ctrl-C or SIGTERM while the input, a file or
// the first pass was being read): that is an interruption, said as one.
func (c *config) stopped(ctx context.Context, err error) int {
	if ctx.Err() == nil {
		return c.con.fail(err)
	}
	c.con.notef("interrupted before any request was sent; no OUTPUT was written")
	return exitInterrupted
}

// exitStatus is the exit status of a run, and its last words when it failed.
func (c *config) exitStatus(ctx context.Context, err error, stats pipeline.Stats, j *journal.Journal) int {
	switch {
	case err != nil && ctx.Err() != nil:
		c.con.notef("interrupted: %s; %s", c.interruptedNote(), c.resumeNote(j, stats))
		return exitInterrupted
	case err != nil:
		code := c.con.fail(err)
		if j != nil && !c.noCache && stats.Answered+stats.Cached > 0 {
			c.con.hintf("%s", c.resumeNote(j, stats))
		}
		return code
	case stats.Failed > 0:
		return exitRowsFailed
	}
	return exitOK
}

// schema reads --schema or builds one from --fields; nil for neither.
func (c *config) schema(ctx context.Context) (*pipeline.Schema, error) {
	switch {
	case c.fields != "":
		s, err := pipeline.FieldsSchema(c.fields)
		if err != nil {
			return nil, fmt.Errorf("--fields: %w", err)
		}
		return s, nil
	case c.schemaFile != "":
		doc, err := c.readSchemaFile(ctx)
		if err != nil {
			return nil, err
		}
		return pipeline.ParseSchema(doc, c.schemaFile)
	}
	return nil, nil
}

// resumeNote tells the user what a rerun will cost.
func (c *config) resumeNote(j *journal.Journal, s pipeline.Stats) string {
	if j == nil || c.noCache {
		return "a rerun starts over (no journal was kept)"
	}
	return fmt.Sprintf("%d answers are recorded in %s; run the same command again to resume without paying for them twice", j.Len(), j.Path())
}

func (c *config) checkPaths() error {
	if c.input != "-" {
		if _, err := os.Stat(c.input); err != nil {
			return fmt.Errorf("cannot read input: %w", err)
		}
	}
	return nil
}

func (c *config) newClient() (llm.Client, string, error) {
	base := c.baseURL
	if env := llm.BaseURLEnv(c.provider); base == "" && env != "" {
		base = os.Getenv(env)
	}
	opts := llm.Options{Provider: c.provider, BaseURL: base, MaxConns: c.concurrency}
	if env := llm.KeyEnv(c.provider); env != "" {
		opts.APIKey = os.Getenv(env)
	}
	client, err := llm.New(opts)
	if errors.Is(err, llm.ErrNoKey) && c.dryRun {
		// A dry run sends nothing, so it needs no key; it still needs the
		// client, whose endpoint is part of every request's journal key.
		opts.APIKey = "unused-in-a-dry-run"
		client, err = llm.New(opts)
	}
	if err != nil {
		return nil, "", err // a *llm.KeyError is worded in advice.go
	}
	scope := c.provider
	if e, ok := client.(interface{ Endpoint() string }); ok {
		scope += " " + e.Endpoint()
	}
	return client, scope, nil
}

// grace is how long requests in flight may finish after Ctrl-C.
const grace = 5 * time.Second

func (c *config) pipelineOptions(tmpl *templates.Template, scope string) pipeline.Options {
	o := pipeline.Options{
		Prompt: pipeline.Prompt{
			Template:  tmpl,
			System:    c.system,
			Model:     c.model,
			MaxTokens: c.maxTokens,
		},
		Columns: pipeline.Columns{Name: c.column, Error: c.errorColumn, Usage: c.usageColumns},
		Limits: pipeline.Limits{
			Concurrency: c.concurrency,
			RPM:         c.rpm,
			TPM:         c.tpm,
			Attempts:    c.retries + 1,
			Timeout:     c.timeout,
		},
		Resume:   pipeline.Resume{Scope: scope, NoDedupe: c.noDedupe, Grace: grace},
		Limit:    c.limit,
		RowError: rowError,
		Shard:    c.shard,
	}
	if c.temperatureSet {
		t := c.temperature
		o.Prompt.Temperature = &t
	}
	return o
}

func (c *config) newWriter(r readers.Reader, p *pipeline.Pipeline, stdout io.Writer) (writers.Writer, error) {
	if c.inPlace() {
		return c.inPlaceWriter(r, p)
	}
	outFormat, err := table.FormatOf(c.output, table.Format(c.format))
	if err != nil {
		return nil, usageError{err}
	}
	if in := r.Source().Format; c.outputFollowsInput() && in != table.XLSX {
		outFormat = in
	}
	wopts := writers.Options{
		Format:             outFormat,
		Header:             r.Header(),
		Added:              p.Columns(),
		Kinds:              p.Kinds(),
		Source:             r.Source(),
		Compression:        c.compression,
		NeutralizeFormulas: c.escapeFormulas,
		TSVQuoted:          c.tsvQuoted,
	}
	if c.output == "-" {
		return writers.New(stdout, wopts)
	}
	return writers.Create(c.output, wopts)
}

// outputFollowsInput: standard output without --format carries the
// input's format (CSV for a workbook, which standard output cannot carry).
func (c *config) outputFollowsInput() bool {
	return c.output == "-" && c.format == ""
}

// firstPass counts the rows of a file input, and what the journal
// already answers, and finds a malformed row before any request is paid
// for. It reads the input at most once more than the run will: not at all
// when the reader already has (JSON Lines, for its keys) and the journal
// holds nothing, else through the run's own reader, rewound afterwards.
func firstPass(ctx context.Context, p *pipeline.Pipeline, r readers.Reader, j *journal.Journal, limit int, path string, ropts readers.Options) (pipeline.Preview, error) {
	if cr, ok := r.(readers.Counter); ok && (j == nil || j.Len() == 0) {
		if n, known, err := cr.Count(); known {
			if err != nil && (limit == 0 || n < limit) {
				return pipeline.Preview{}, err
			}
			if limit > 0 {
				n = min(n, limit)
			}
			return pipeline.Preview{Rows: int64(n)}, nil
		}
	}
	if rw, ok := r.(readers.Rewinder); ok {
		pv, err := p.Preview(ctx, r, pipeline.PreviewOptions{})
		if err != nil {
			return pv, err
		}
		return pv, rw.Rewind()
	}
	// A reader that cannot start over: a second one reads the file.
	r2, err := readers.Open(path, nil, ropts)
	if err != nil {
		return pipeline.Preview{}, err
	}
	defer r2.Close()
	return p.Preview(ctx, r2, pipeline.PreviewOptions{})
}

// titleLike reports whether a workbook's header row looks like a title
// above the table rather than its column names: one filled cell where
// the sheet has several columns, or where the next row is wider. It may
// read a row; the caller is about to stop. The row is the header's.
func titleLike(ctx context.Context, r readers.Reader) (row int, ok bool) {
	src := r.Source()
	if src.Format != table.XLSX {
		return 0, false
	}
	filled := 0
	for _, h := range r.Header() {
		if strings.TrimSpace(h) != "" {
			filled++
		}
	}
	if filled != 1 {
		return 0, false
	}
	if len(r.Header()) > 1 {
		return src.HeaderRow, true
	}
	_, err := r.Next(ctx)
	return src.HeaderRow, errors.Is(err, readers.ErrBeyondHeader)
}

// looksLikeAFile reports whether a -p prompt is more likely a file's name
// than a template: one word with no {{…}}, naming a file that exists or
// ending like a template file.
func looksLikeAFile(prompt string) bool {
	if strings.Contains(prompt, "{{") || strings.ContainsAny(prompt, " \t\n") {
		return false
	}
	if fi, err := os.Stat(prompt); err == nil && fi.Mode().IsRegular() {
		return true
	}
	switch strings.ToLower(filepath.Ext(prompt)) {
	case ".tmpl", ".tpl", ".gotmpl", ".txt", ".md", ".prompt":
		return true
	}
	return false
}

// outputName names OUTPUT for people.
func (c *config) outputName() string {
	if c.output == "-" {
		return "standard output"
	}
	return c.output
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// hinted is an error with advice for the user, for errors the command
// makes itself; advice.go words the library's.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }
