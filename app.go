package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

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
	client, err := c.newClient()
	if err != nil {
		return fail(stderr, err)
	}
	opts := c.pipelineOptions(tmpl)
	if c.dryRun {
		return dryRun(ctx, r, opts, stdout, stderr)
	}
	w, err := c.newWriter(r, inFormat, opts.Added(), stdout)
	if err != nil {
		return fail(stderr, err)
	}
	if c.input != "-" {
		// A first pass counts the rows for the progress bar and, more
		// importantly, finds a malformed row before any request is paid for.
		if opts.Total, err = countRows(ctx, c.input, ropts, c.limit); err != nil {
			_ = w.Abort()
			return fail(stderr, err)
		}
	}
	prog := newProgress(stderr, c.quiet, c.logFormat)
	opts.Progress = prog.update
	stats, err := pipeline.Run(ctx, r, w, client, opts)
	prog.finish(stats)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "enrich: interrupted after %d rows; no output was written\n", stats.Rows)
			return exitInterrupted
		}
		return fail(stderr, err)
	}
	if stats.Failed > 0 {
		return exitRowsFailed
	}
	return exitOK
}

func (c *config) checkPaths() error {
	if c.input != "-" {
		if _, err := os.Stat(c.input); err != nil {
			return fmt.Errorf("cannot read input: %w", err)
		}
	}
	return nil
}

func (c *config) newClient() (llm.Client, error) {
	if c.provider == "mock" {
		return llm.Mock{}, nil
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
		return nil, hinted{
			err:  errors.New("OPENAI_API_KEY is not set"),
			hint: "export OPENAI_API_KEY=sk-…, or point --base-url at a local OpenAI-compatible server, or try --provider mock offline",
		}
	}
	return llm.NewOpenAI(llm.OpenAIOptions{BaseURL: base, APIKey: key, MaxConns: c.concurrency})
}

func isOpenAI(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

func (c *config) pipelineOptions(tmpl *templates.Template) pipeline.Options {
	o := pipeline.Options{
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

func countRows(ctx context.Context, path string, opts readers.Options, limit int) (int64, error) {
	r, err := readers.Open(path, nil, opts)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n int64
	for limit == 0 || n < int64(limit) {
		if _, err := r.Next(ctx); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func dryRun(ctx context.Context, r readers.Reader, opts pipeline.Options, stdout, stderr io.Writer) int {
	const show = 3
	p, err := pipeline.DryRun(ctx, r, opts, show)
	if err != nil {
		return fail(stderr, err)
	}
	for _, pr := range p.Prompts {
		fmt.Fprintf(stdout, "--- row %d ---\n%s\n", pr.Row, strings.TrimRight(pr.Text, "\n"))
	}
	for _, e := range p.Errors {
		fmt.Fprintf(stdout, "--- error ---\n%s\n", e)
	}
	fmt.Fprintf(stdout, "--- dry run: %d rows, %d requests would be sent", p.Rows, p.Rows-p.Failed)
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
