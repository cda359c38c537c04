package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/templates"
	"github.com/enrich-dev/enrich/writers"
)

const defaultBaseURL = "https://api.openai.com/v1"

// run is the whole command, minus the process: main wraps it with signals
// and os.Exit, tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	if c.help {
		return exitOK
	}
	if err := c.checkPaths(); err != nil {
		return fail(stderr, err)
	}
	inFormat, err := readers.FormatOf(c.input, readers.Format(c.format))
	if err != nil {
		return fail(stderr, usageError{err})
	}
	ropts := readers.Options{Format: inFormat, Sheet: c.sheet}
	if c.output != "" {
		outFormat, err := readers.FormatOf(c.output, readers.Format(c.format))
		if err != nil {
			return fail(stderr, usageError{err})
		}
		ropts.KeepNewKeys = outFormat == readers.FormatJSONL
	}
	r, err := readers.Open(c.input, stdin, ropts)
	if err != nil {
		return fail(stderr, err)
	}
	defer r.Close()
	tmpl, err := templates.Parse(c.prompt, r.Header(), displayName(c.input))
	if err != nil {
		return fail(stderr, err)
	}
	client, scope, err := c.newClient()
	if err != nil {
		return fail(stderr, err)
	}
	opts := c.pipelineOptions(tmpl, scope)
	if c.dryRun {
		return dryRun(ctx, r, opts, stdout, stderr)
	}
	w, err := c.newWriter(r, inFormat, opts.Added(), stdout)
	if err != nil {
		return fail(stderr, err)
	}
	j, closeJournal, err := c.openJournal(stderr)
	if err != nil {
		_ = w.Abort()
		return fail(stderr, err)
	}
	defer closeJournal()
	if j != nil {
		opts.Cache = j
	}
	if c.input != "-" {
		// A first pass counts the rows and what is already answered, and
		// finds a malformed row before any request is paid for.
		pv, err := survey(ctx, c.input, ropts, opts)
		if err != nil {
			_ = w.Abort()
			return fail(stderr, err)
		}
		opts.Total = pv.Rows
		if pv.Cached > 0 && !c.noCache {
			fmt.Fprintf(stderr, "enrich: resuming: %d of %d rows already answered (journal %s)\n", pv.Cached, pv.Rows, j.Path())
		}
	}
	prog := newProgress(stderr, c.quiet, c.logFormat)
	opts.Progress = prog.update
	stats, err := pipeline.Run(ctx, r, w, client, opts)
	prog.finish(stats)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "enrich: interrupted: no OUTPUT was written; %s\n", c.resumeNote(j, stats))
			return exitInterrupted
		}
		code := fail(stderr, err)
		if j != nil && !c.noCache && stats.Answered+stats.Cached > 0 {
			fmt.Fprintf(stderr, "enrich: hint: %s\n", c.resumeNote(j, stats))
		}
		return code
	}
	if stats.Failed > 0 {
		return exitRowsFailed
	}
	return exitOK
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
	if c.provider == "mock" {
		return llm.Mock{}, "mock", nil
	}
	base := c.baseURL
	if base == "" {
		base = os.Getenv("OPENAI_BASE_URL")
	}
	if base == "" {
		base = defaultBaseURL
	}
	key := os.Getenv("OPENAI_API_KEY")
	if key == "" && isOpenAI(base) && !c.dryRun {
		return nil, "", hinted{
			err:  errors.New("OPENAI_API_KEY is not set"),
			hint: "export OPENAI_API_KEY=sk-…, or point --base-url at a local OpenAI-compatible server, or try --provider mock offline",
		}
	}
	client, err := llm.NewOpenAI(llm.OpenAIOptions{BaseURL: base, APIKey: key, MaxConns: c.concurrency})
	return client, "openai " + base, err
}

func isOpenAI(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

// grace is how long requests in flight may finish after Ctrl-C.
const grace = 5 * time.Second

func (c *config) pipelineOptions(tmpl *templates.Template, scope string) pipeline.Options {
	o := pipeline.Options{
		Scope:       scope,
		NoDedupe:    c.noDedupe,
		Grace:       grace,
		Template:    tmpl,
		System:      c.system,
		Model:       c.model,
		MaxTokens:   c.maxTokens,
		Column:      c.column,
		ErrorColumn: c.errorColumn,
		Concurrency: c.concurrency,
		RPM:         c.rpm,
		Retries:     c.retries,
		Timeout:     c.timeout,
		Limit:       c.limit,
	}
	if c.retries == 0 {
		o.Retries = -1
	}
	if c.temperatureSet {
		t := c.temperature
		o.Temperature = &t
	}
	return o
}

func (c *config) newWriter(r readers.Reader, inFormat readers.Format, added []string, stdout io.Writer) (writers.Writer, error) {
	outFormat, err := readers.FormatOf(c.output, readers.Format(c.format))
	if err != nil {
		return nil, usageError{err}
	}
	wopts := writers.Options{
		Format:      outFormat,
		Header:      r.Header(),
		Added:       added,
		Input:       c.input,
		InputFormat: inFormat,
	}
	if x, ok := r.(*readers.XLSX); ok {
		wopts.Sheet, wopts.HeaderRow = x.Sheet(), x.HeaderRow()
	}
	if c.output == "-" {
		return writers.New(stdout, wopts)
	}
	return writers.Create(c.output, wopts)
}

func survey(ctx context.Context, path string, ropts readers.Options, opts pipeline.Options) (pipeline.Preview, error) {
	r, err := readers.Open(path, nil, ropts)
	if err != nil {
		return pipeline.Preview{}, err
	}
	defer r.Close()
	return pipeline.Survey(ctx, r, opts, 0)
}

func dryRun(ctx context.Context, r readers.Reader, opts pipeline.Options, stdout, stderr io.Writer) int {
	const show = 3
	p, err := pipeline.Survey(ctx, r, opts, show)
	if err != nil {
		return fail(stderr, err)
	}
	for _, pr := range p.Prompts {
		fmt.Fprintf(stdout, "--- row %d ---\n%s\n", pr.Row, strings.TrimRight(pr.Text, "\n"))
	}
	for _, e := range p.Errors {
		fmt.Fprintf(stdout, "--- error ---\n%s\n", e)
	}
	fmt.Fprintf(stdout, "--- dry run: %d rows, %d distinct requests would be sent", p.Rows, p.Distinct)
	if p.Failed > 0 {
		fmt.Fprintf(stdout, ", %d rows would fail to render", p.Failed)
	}
	fmt.Fprintf(stdout, "; nothing was sent ---\n")
	return exitOK
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// hinted is an error with advice for the user.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "enrich: error: %s\n", err)
	var h hinted
	if errors.As(err, &h) && h.hint != "" {
		fmt.Fprintf(stderr, "enrich: hint: %s\n", h.hint)
	} else if hint := llm.Hint(err); hint != "" {
		fmt.Fprintf(stderr, "enrich: hint: %s\n", hint)
	}
	return exitCodeFor(err)
}
