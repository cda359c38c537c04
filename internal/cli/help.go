package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"
)

// helpWidth is the widest line --help prints.
const helpWidth = 80

const helpHead = `enrich runs an LLM prompt over every row of a table and writes every row
back, in order, with the answer in new columns.

usage: enrich INPUT -o OUTPUT -p TEMPLATE [flags]
       enrich DATA.db --table NAME -p TEMPLATE [flags]  (answers into the table)

  INPUT    .csv, .tsv, .jsonl (also .gz, .zst), .xlsx, .parquet or .db file,
           or - for standard input
  OUTPUT   .csv, .tsv, .jsonl (also .gz, .zst), .xlsx or .parquet file,
           or - for standard output

examples:
  # offline, to see what it does: the mock model echoes the prompt
  enrich examples/products.csv -o out.csv --provider mock \
    -p 'Write a one-line ad for {{.name}}: {{.description}}'

  # what a run would send and cost, before paying for anything
  enrich tickets.xlsx --dry-run --prompt-file triage.tmpl --max-tokens 50

  # structured answers into typed columns, 500 requests a minute
  enrich tickets.xlsx -o out.xlsx --fields 'category,urgency:integer' \
    -p 'Triage: {{.Subject}} {{.Body}}' --rpm 500

  # one step of a pipeline: JSON Lines in, JSON Lines out
  zcat reviews.jsonl.gz | enrich - --format jsonl -o - -p '{{.text}}' >out.jsonl
`

const helpEnv = `environment:
  OPENAI_API_KEY, ANTHROPIC_API_KEY    the key for --provider openai / anthropic
  OPENAI_BASE_URL, ANTHROPIC_BASE_URL  the server, when --base-url is not given
  XDG_CACHE_HOME                       where journals live (unless --cache DIR)

exit status: 0 every row answered, 1 fatal (no OUTPUT), 2 usage,
3 OUTPUT complete but some rows hold an error, 130/143 interrupted,
75 batches still running (--batch --detach): run the same command again later
`

// flagGroups orders the flags of --help. Every flag is in one group (a
// test checks), so a new flag must say where it belongs.
var flagGroups = []struct {
	title string
	names []string
}{
	{"input and output", []string{"output", "format", "tsv-quoted", "sheet", "header-row", "rows", "table", "query", "fill-existing", "compression", "limit", "escape-formulas"}},
	{"prompt", []string{"prompt", "prompt-file", "system"}},
	{"output columns", []string{"column", "error-column", "schema", "fields", "usage-columns"}},
	{"model and provider", []string{"provider", "model", "base-url", "max-tokens", "temperature"}},
	{"limits and retries", []string{"concurrency", "rpm", "tpm", "retries", "timeout"}},
	{"many processes", []string{"shard", "limit-store", "limit-key"}},
	{"resume and cost", []string{"dry-run", "cache", "fresh", "no-cache", "no-dedupe", "price-in", "price-out"}},
	{"batch mode (the provider's batch API: half the price, within 24h)", []string{"batch", "detach", "batch-size", "batch-poll", "batch-cancel"}},
	{"display", []string{"quiet", "log-format", "help", "version"}},
}

// usage is the text of --help.
func usage(fs *pflag.FlagSet) string {
	var b strings.Builder
	b.WriteString(helpHead)
	for _, g := range flagGroups {
		sub := pflag.NewFlagSet(g.title, pflag.ContinueOnError)
		sub.SortFlags = false
		for _, name := range g.names {
			if f := fs.Lookup(name); f != nil {
				sub.AddFlag(f)
			}
		}
		fmt.Fprintf(&b, "\n%s:\n%s", g.title, sub.FlagUsagesWrapped(helpWidth))
	}
	b.WriteString("\n" + helpEnv)
	return b.String()
}

// printVersion prints the module's version, as go install recorded it,
// and the commit when the binary was built from a checkout.
func printVersion(w io.Writer) {
	version, commit := "(unknown)", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		version = info.Main.Version
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				commit = s.Value[:12]
			}
		}
	}
	if commit != "" {
		version += " " + commit
	}
	fmt.Fprintf(w, "enrich %s (%s)\n", version, runtime.Version())
}
