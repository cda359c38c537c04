package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/ratelimit"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// advice is what the user reads for err: the error line, after
// "enrich: error: ", and a hint, after "enrich: hint: ", or "" for none.
//
// It is the one place where the library's facts (typed errors, sentinels,
// llm.Problem) meet the command's flags: the packages name none
// (noflags_test.go checks), so that their errors read right to any caller,
// and the words a user of this command needs are all here.
func advice(err error) (line, hint string) {
	line = err.Error()
	var h hinted
	if errors.As(err, &h) && h.hint != "" {
		return line, h.hint
	}
	var key *llm.KeyError
	if errors.As(err, &key) && key.Env != "" {
		return reword(line, key, key.Env+" is not set"),
			fmt.Sprintf("export %s=…, or point --base-url at a local OpenAI-compatible server, or try --provider mock offline", key.Env)
	}
	var sheet *readers.SheetFormatError
	if errors.As(err, &sheet) {
		return reword(line, sheet, fmt.Sprintf("--sheet only applies to xlsx input, and %s is read as %s", sheet.Name, sheet.Format)), ""
	}
	if errors.Is(err, readers.ErrHoldsText) {
		return line, "if that is CSV or TSV, give the file that extension"
	}
	var format *table.FormatError
	if errors.As(err, &format) && format.Path != "" {
		switch format.Ext {
		case ".xls", ".xlsb", ".ods", ".numbers":
			return line, "enrich reads .xlsx workbooks: open the file in Excel or LibreOffice and save it as .xlsx (Excel Workbook)"
		}
		if format.Ext == "" {
			return line, "pass --format csv, tsv or jsonl to say which"
		}
		return line, "rename it, or pass --format csv, tsv or jsonl"
	}
	if line, hint, ok := tableAdvice(err); ok {
		return line, hint
	}
	var store *ratelimit.UnreachableError
	if errors.As(err, &store) {
		return line, "check that Redis runs there (redis-cli -u URL ping) and that the password is right (in the URL or $" + limitStorePasswordEnv + "); without --limit-store each process paces itself alone"
	}
	var lost *ratelimit.LostError
	if errors.As(err, &lost) {
		return line, "the other processes fall back to their shares too; the run goes on, slower, and uses the store again as soon as it answers"
	}
	var column *writers.ColumnError
	if errors.As(err, &column) {
		switch column.Kind {
		case writers.ErrColumnEmpty:
			return line, "choose a name with -c/--column"
		case writers.ErrColumnTwice:
			return line, "choose distinct names with -c/--column"
		}
		return line, "choose another name with -c/--column"
	}
	if errors.Is(err, writers.ErrOverInput) {
		return line, "choose another -o"
	}
	if errors.Is(err, readers.ErrPlainTSV) && errors.Is(err, readers.ErrFieldCount) {
		return line, "if the file quotes fields that hold tabs, as CSV does, pass --tsv-quoted"
	}
	if errors.Is(err, writers.ErrTSVCell) {
		return line, "write .csv or .jsonl, or pass --tsv-quoted for TSV that quotes such cells as CSV does"
	}
	if errors.Is(err, table.ErrCompressedWorkbook) {
		return line, "use the .xlsx itself; write .csv.gz or .jsonl.zst for compressed output"
	}
	switch {
	case errors.Is(err, readers.ErrNoHeader):
		return line, "say which row is the header with --header-row N, or which rows are the data with --rows FIRST:LAST"
	case errors.Is(err, readers.ErrCellTooLong):
		return line, "write .csv or .jsonl output, which has no cell limit, or shorten the cell"
	case errors.Is(err, readers.ErrWorksheetOnly):
		return line, "--header-row and --rows apply to .xlsx input only"
	case errors.Is(err, readers.ErrTooLarge):
		return line, "if the workbook is genuine, open it in Excel or LibreOffice and save it again"
	}
	if hint := batchHint(err); hint != "" {
		return line, hint
	}
	return line, problemHint(err)
}

// reword puts words in place of e's own text within line, keeping any
// context that wraps it.
func reword(line string, e error, words string) string {
	return strings.Replace(line, e.Error(), words, 1)
}

// problemHint is the advice for what llm.Diagnose makes of err, or "".
func problemHint(err error) string {
	var provider string // "" is the default, OpenAI, as in llm.New
	var e *llm.Error
	if errors.As(err, &e) {
		provider = e.Provider
	}
	switch llm.Diagnose(err) {
	case llm.Unreachable:
		return "is the server running, and is --base-url right?"
	case llm.UntrustedCert:
		return "the server's TLS certificate is not trusted; check the host in --base-url"
	case llm.WrongProtocol:
		return "the server does not speak HTTP as expected; check http:// versus https:// and the port in --base-url"
	case llm.UnknownHost:
		return "the host in --base-url does not resolve; check its spelling"
	case llm.Timeout:
		return "the model did not answer within the per-request timeout; raise --timeout or lower --max-tokens"
	case llm.BadKey:
		if env := llm.KeyEnv(provider); env != "" {
			return "check " + env + " (or the key for your --base-url server)"
		}
		return "check the API key"
	case llm.Forbidden:
		return "the key may not use this model or endpoint; check its project, permissions and region"
	case llm.NotFound:
		if path := llm.EndpointPath(provider); path != "" {
			return "check --model and --base-url (requests go to BASE/" + path + ")"
		}
		return "check --model and --base-url"
	case llm.OutOfQuota:
		if provider == "anthropic" {
			return "the account is out of credits; check Plans & Billing in the Anthropic console"
		}
		return "the account is out of credits or over its quota; check billing for the key's project"
	case llm.TooLarge:
		return "the request is too large for the provider; shorten the prompt template or the row's cells"
	case llm.TokenCapField:
		return "the server rejects the token-cap field it was sent; try the other of max_tokens and max_completion_tokens (OpenAIOptions.MaxTokensField)"
	case llm.RateLimited:
		return "the provider is rate-limiting; lower -j or set --rpm"
	case llm.Overloaded:
		return "the provider is overloaded; try again later, or lower -j"
	case llm.ContentFilter:
		return "the provider's content filter blocked this answer; rephrase the prompt or skip the row"
	case llm.CapBeforeAnswer:
		return "the token cap ran out before any answer (reasoning models think first); raise the max tokens"
	}
	return ""
}

// rowError words a failed row's error for its error column: the
// pipeline's facts, with what to do about them in the command's terms.
func rowError(err error) string {
	var (
		cell    *pipeline.CellCutError
		timeout *pipeline.TimeoutError
		budget  *pipeline.BudgetError
	)
	switch {
	case errors.Is(err, pipeline.ErrCut):
		return err.Error() + "; raise --max-tokens for the whole answer"
	case errors.As(err, &cell):
		return err.Error() + "; write .csv or .jsonl for the whole answer"
	case errors.As(err, &timeout):
		// What the retry loop adds (the attempts) stays where it is.
		return strings.Replace(err.Error(), timeout.Error(), fmt.Sprintf("no answer within %s (--timeout): %v", timeout.After, timeout.Err), 1)
	case errors.As(err, &budget):
		return fmt.Sprintf("this request needs about %d tokens, more than the whole --tpm budget of %d a minute; raise --tpm or lower --max-tokens", budget.Need, budget.Budget)
	}
	return err.Error()
}
