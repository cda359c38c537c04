package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
)

// Exit statuses (documented in README.md).
const (
	exitOK          = 0   // every row answered
	exitFatal       = 1   // the run could not finish; no OUTPUT is left behind
	exitUsage       = 2   // bad flags or arguments
	exitRowsFailed  = 3   // the run finished and OUTPUT is complete, but some rows hold an error
	exitInterrupted = 130 // stopped by Ctrl-C (143 for SIGTERM)
	exitTempFail    = 75  // EX_TEMPFAIL: --batch --detach, batches still running; run again later
)

// defaultAnthropicModel is -m's default with --provider anthropic.
const defaultAnthropicModel = "claude-haiku-4-5"

// config is everything the command line says, before any file is opened.
type config struct {
	input, output       string
	format              string
	tsvQuoted           bool
	prompt, promptFile  string
	system              string
	column, errorColumn string
	model               string
	maxTokens           int
	temperature         float64
	temperatureSet      bool
	provider, baseURL   string
	concurrency         int
	rpm, tpm            float64
	priceIn, priceOut   float64
	priceInSet          bool
	priceOutSet         bool
	usageColumns        bool
	schemaFile, fields  string
	columnSet           bool
	escapeFormulas      bool
	retries             int
	timeout             time.Duration
	sheet               string
	table, query        string
	fillExisting        bool
	compression         string
	headerRow           int
	rows                string // --rows A:B, parsed into firstRow and lastRow
	firstRow, lastRow   int
	limit               int
	dryRun, quiet       bool
	cacheDir            string
	fresh, noCache      bool
	noDedupe            bool
	logFormat           string
	help, version       bool
	batchFlags
	shardSpec  string
	shard      pipeline.Shard // from --shard; Count 0 without it
	limitStore string
	limitKey   string

	con *console // how the command talks to its user, once the flags are known
}

// errUsage marks errors that deserve exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func newFlagSet(c *config) *pflag.FlagSet {
	fs := pflag.NewFlagSet("enrich", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVarP(&c.output, "output", "o", "", "output `FILE` (format from its extension), or - for standard output")
	fs.StringVar(&c.format, "format", "", "`FORMAT` wherever - is used: csv, tsv, jsonl or parquet (default: sniff standard input; standard output as the input)")
	fs.BoolVar(&c.tsvQuoted, "tsv-quoted", false, "TSV input and output quote fields as CSV does (default: plain TSV, quotes are data)")
	fs.StringVarP(&c.prompt, "prompt", "p", "", "prompt `TEMPLATE` (Go text/template; {{.column}} is a cell)")
	fs.StringVar(&c.promptFile, "prompt-file", "", "read the prompt template from `FILE`")
	fs.StringVar(&c.system, "system", "", "system prompt (`TEXT`) sent with every request")
	fs.StringVarP(&c.column, "column", "c", pipeline.DefaultColumn, "`NAME` of the answer column (with --schema/--fields: a prefix for their columns)")
	fs.StringVar(&c.schemaFile, "schema", "", "JSON Schema `FILE` (an object): a column per property, answers validated")
	fs.StringVar(&c.fields, "fields", "", "`LIST` of fields, e.g. \"category,urgency:integer\" (types: string, integer, number, boolean)")
	fs.StringVar(&c.errorColumn, "error-column", "", "`NAME` of the error column (default COLUMN_error)")
	fs.StringVarP(&c.model, "model", "m", "gpt-4o-mini", "`MODEL` name")
	fs.IntVar(&c.maxTokens, "max-tokens", 0, "maximum `TOKENS` per answer (0: the provider's default)")
	fs.Float64Var(&c.temperature, "temperature", 0, "sampling temperature (default: the provider's)")
	fs.StringVar(&c.provider, "provider", "openai", "`NAME`: openai (any OpenAI-compatible server), anthropic, or mock (offline)")
	fs.StringVar(&c.baseURL, "base-url", "", "API base `URL` (default $OPENAI_BASE_URL or $ANTHROPIC_BASE_URL)")
	fs.IntVarP(&c.concurrency, "concurrency", "j", pipeline.DefaultConcurrency, "`N` requests in flight")
	fs.Float64Var(&c.rpm, "rpm", 0, "requests per minute (0: learn the provider's limit)")
	fs.Float64Var(&c.tpm, "tpm", 0, "tokens per minute: prompt estimate + answer reserve (0: no client-side limit)")
	fs.IntVar(&c.retries, "retries", pipeline.DefaultAttempts-1, "`N` retries per row after the first attempt")
	fs.DurationVar(&c.timeout, "timeout", pipeline.DefaultTimeout, "time limit per request (`DURATION`, e.g. 30s)")
	fs.StringVar(&c.sheet, "sheet", "", "worksheet `NAME` of an .xlsx input (default: the first)")
	fs.IntVar(&c.headerRow, "header-row", 0, "worksheet row `N` holding the header, in an .xlsx input (default: the first row with any text)")
	fs.StringVar(&c.rows, "rows", "", "worksheet `ROWS` that are the data, in an .xlsx input: 2:500, 5: or :500 (default: all below the header)")
	fs.StringVar(&c.table, "table", "", "`TABLE` of a SQLite input to read; without -o the answers are written back into it")
	fs.StringVar(&c.query, "query", "", "`SELECT` whose rows a SQLite input gives instead of a whole table (select rowid to write back)")
	fs.BoolVar(&c.fillExisting, "fill-existing", false, "SQLite in place: write into answer columns the table already has instead of refusing")
	fs.StringVar(&c.compression, "compression", "", "Parquet output `CODEC`: zstd (default) or snappy")
	fs.IntVar(&c.limit, "limit", 0, "process only the first `N` rows")
	fs.StringVar(&c.cacheDir, "cache", "", "`DIR` for the answer journals (default: the user cache folder's enrich/)")
	fs.BoolVar(&c.fresh, "fresh", false, "forget this OUTPUT's recorded answers and ask again")
	fs.BoolVar(&c.noCache, "no-cache", false, "keep no journal: an interrupted run starts over")
	fs.BoolVar(&c.noDedupe, "no-dedupe", false, "send identical prompts once per row, not once per run")
	fs.BoolVar(&c.dryRun, "dry-run", false, "show the first prompts and what a run would cost; send nothing")
	fs.Float64Var(&c.priceIn, "price-in", 0, "`DOLLARS` per 1M input tokens, for cost figures (default: the price table)")
	fs.Float64Var(&c.priceOut, "price-out", 0, "`DOLLARS` per 1M output tokens, for cost figures (default: the price table)")
	fs.BoolVar(&c.escapeFormulas, "escape-formulas", false, "CSV/TSV: prefix added values starting with = + - @ with ' (for Excel)")
	fs.BoolVar(&c.usageColumns, "usage-columns", false, "add COLUMN_tokens_in and COLUMN_tokens_out to every row")
	addBatchFlags(fs, &c.batchFlags)
	fs.StringVar(&c.shardSpec, "shard", "", "take only shard `I/N` of the rows (I from 0), or auto/N, auto: the index from the runner's environment; combine the parts with enrich merge")
	fs.StringVar(&c.limitStore, "limit-store", "", "share --rpm/--tpm with every process using this Redis `URL` (redis://HOST:PORT/DB, rediss://…)")
	fs.StringVar(&c.limitKey, "limit-key", "", "`NAME` of the shared budget in --limit-store (default: from provider, base URL and model)")
	fs.BoolVarP(&c.quiet, "quiet", "q", false, "no progress bar or progress lines")
	fs.StringVar(&c.logFormat, "log-format", "text", "`FORMAT` of the lines on standard error: text or json")
	fs.BoolVarP(&c.help, "help", "h", false, "show this help")
	fs.BoolVar(&c.version, "version", false, "show the version")
	return fs
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := newFlagSet(&c)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return c, usageError{err}
	}
	if c.help {
		fmt.Fprint(stderr, usage(fs))
		return c, nil
	}
	if c.version {
		return c, nil
	}
	c.temperatureSet = fs.Changed("temperature")
	c.columnSet = fs.Changed("column")
	c.priceInSet, c.priceOutSet = fs.Changed("price-in"), fs.Changed("price-out")
	if c.provider == "anthropic" && !fs.Changed("model") {
		c.model = defaultAnthropicModel
	}
	switch fs.NArg() {
	case 0:
		return c, usagef("no INPUT given; usage: enrich INPUT -o OUTPUT -p TEMPLATE (see --help)")
	case 1:
		c.input = fs.Arg(0)
	default:
		return c, usagef("one INPUT at a time, got %d: %s", fs.NArg(), strings.Join(fs.Args(), " "))
	}
	return c, c.validate()
}

func (c *config) validate() error {
	if c.output == "" && !c.dryRun && !c.inPlace() {
		return usagef("no OUTPUT given; use -o FILE, or -o - for standard output")
	}
	switch {
	case c.prompt != "" && c.promptFile != "":
		return usagef("use -p or --prompt-file, not both")
	case c.promptFile != "":
		// Read by run, which can stop waiting for it (readPromptFile).
	case c.prompt == "":
		return usagef("no prompt given; use -p TEMPLATE or --prompt-file FILE")
	}
	if c.format != "" {
		f, err := table.ParseFormat(c.format)
		if err != nil {
			return usageError{err}
		}
		if f == table.XLSX || f == table.SQLite {
			return usagef("--format applies to standard input and output, which cannot be %s", f)
		}
	}
	if !slices.Contains(llm.Providers(), c.provider) {
		return usagef("unknown provider %q; use %s", c.provider, strings.Join(llm.Providers(), ", "))
	}
	if c.concurrency < 1 {
		return usagef("-j/--concurrency must be between 1 and %d, got %d", maxConcurrency, c.concurrency)
	}
	if c.schemaFile != "" && c.fields != "" {
		return usagef("use --schema or --fields, not both")
	}
	if c.tpm < 0 {
		return usagef("--tpm must not be negative, got %g", c.tpm)
	}
	if c.priceInSet != c.priceOutSet {
		return usagef("give both --price-in and --price-out, or neither")
	}
	if c.priceIn < 0 || c.priceOut < 0 {
		return usagef("--price-in and --price-out must not be negative, got %g and %g", c.priceIn, c.priceOut)
	}
	if c.rpm < 0 {
		return usagef("--rpm must not be negative, got %g", c.rpm)
	}
	if c.retries < 0 {
		return usagef("--retries must not be negative, got %d", c.retries)
	}
	if c.timeout <= 0 {
		return usagef("--timeout must be positive, got %s", c.timeout)
	}
	if c.limit < 0 {
		return usagef("--limit must not be negative, got %d", c.limit)
	}
	if c.maxTokens < 0 {
		return usagef("--max-tokens must not be negative, got %d", c.maxTokens)
	}
	if err := c.validateRows(); err != nil {
		return err
	}
	if c.fresh && c.noCache {
		return usagef("--fresh and --no-cache together mean the same as --no-cache; use one")
	}
	if err := c.validateBatch(); err != nil {
		return err
	}
	if c.shardSpec != "" {
		s, err := parseShard(c.shardSpec, os.Getenv)
		if err != nil {
			return err
		}
		c.shard = s
		if s.Count > 1 {
			if err := c.checkShard(); err != nil {
				return err
			}
		}
	}
	if c.limitKey != "" && c.limitStore == "" {
		return usagef("--limit-key names a budget in --limit-store; give --limit-store too")
	}
	if c.limitStore != "" && c.rpm == 0 && c.tpm == 0 {
		return usagef("--limit-store shares --rpm and --tpm; give at least one of them")
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return usagef("--log-format must be text or json, got %q", c.logFormat)
	}
	if err := c.checkBounds(); err != nil {
		return err
	}
	return c.validateTables()
}

// validateRows checks --header-row and --rows, which only a workbook has.
func (c *config) validateRows() error {
	if c.headerRow == 0 && c.rows == "" {
		return nil
	}
	if f, err := table.FormatOf(c.input, table.Format(c.format)); err == nil && f != table.XLSX {
		return usagef("--header-row and --rows apply to .xlsx input only, and %s is read as %s", displayName(c.input), f)
	}
	if c.headerRow < 0 || c.headerRow > 1048576 {
		return usagef("--header-row must be a row from 1 to 1048576, got %d", c.headerRow)
	}
	if c.rows != "" {
		first, last, ok := strings.Cut(c.rows, ":")
		var err1, err2 error
		if first != "" {
			c.firstRow, err1 = strconv.Atoi(first)
		}
		if last != "" {
			c.lastRow, err2 = strconv.Atoi(last)
		}
		if !ok || err1 != nil || err2 != nil || c.firstRow < 0 || c.lastRow < 0 || (first == "" && last == "") ||
			c.firstRow > 1048576 || c.lastRow > 1048576 || (c.lastRow > 0 && c.firstRow > c.lastRow) {
			return usagef("--rows takes FIRST:LAST worksheet rows, either side optional (2:500, 5:, :500), got %q", c.rows)
		}
	}
	if c.headerRow > 0 && ((c.firstRow > 0 && c.firstRow <= c.headerRow) || (c.lastRow > 0 && c.lastRow <= c.headerRow)) {
		return usagef("--rows %s must lie below --header-row %d", c.rows, c.headerRow)
	}
	return nil
}

func exitCodeFor(err error) int {
	var u usageError
	var sheet *readers.SheetFormatError // --sheet with input that has none
	if errors.As(err, &u) || errors.As(err, &sheet) {
		return exitUsage
	}
	return exitFatal
}
