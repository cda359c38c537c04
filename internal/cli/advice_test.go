package cli

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// errorOf keeps the error of a two-result call.
func errorOf[T any](_ T, err error) error { return err }

// posted wraps err as http.Client.Do does for a request to OpenAI's path.
func posted(err error) error {
	return &url.Error{Op: "Post", URL: "http://127.0.0.1:1/v1/chat/completions", Err: err}
}

// TestAdvice: each typed error, sentinel and llm.Problem the packages
// return, as the user reads it. Errors come from the packages themselves
// wherever a real call can make them.
func TestAdvice(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text.xlsx")
	if err := os.WriteFile(text, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonlKey := func() error {
		w, err := writers.New(io.Discard, writers.Options{Format: table.JSONL, Header: []string{"a"}, Added: []string{"response"}, Source: table.Source{Format: table.JSONL}})
		if err != nil {
			t.Fatal(err)
		}
		return w.Write(context.Background(), writers.Record{Row: table.Row{Num: 9, Cells: []string{"1"}, Raw: []byte(`{"a":1,"response":2}`)}, Values: []string{"x"}})
	}
	const noHint = ""
	tests := []struct {
		name       string
		err        error
		line, hint string
	}{
		// The command's own.
		{"hinted", hinted{err: errors.New("cannot open the journal"), hint: "choose a writable journal folder with --cache DIR, or run with --no-cache"},
			"cannot open the journal", "choose a writable journal folder with --cache DIR, or run with --no-cache"},
		{"plain", errors.New("boom"), "boom", noHint},

		// llm.New
		{"no openai key", errorOf(llm.New(llm.Options{})),
			"OPENAI_API_KEY is not set", "export OPENAI_API_KEY=…, or point --base-url at a local OpenAI-compatible server, or try --provider mock offline"},
		{"no anthropic key", errorOf(llm.New(llm.Options{Provider: "anthropic"})),
			"ANTHROPIC_API_KEY is not set", "export ANTHROPIC_API_KEY=…, or point --base-url at a local OpenAI-compatible server, or try --provider mock offline"},

		// llm.Problem, below HTTP.
		{"unreachable", posted(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}),
			"Post \"http://127.0.0.1:1/v1/chat/completions\": dial tcp: connect: connection refused", "is the server running, and is --base-url right?"},
		{"untrusted cert", posted(x509.UnknownAuthorityError{}),
			"Post \"http://127.0.0.1:1/v1/chat/completions\": x509: certificate signed by unknown authority", "the server's TLS certificate is not trusted; check the host in --base-url"},
		{"wrong protocol", posted(errors.New("http: server gave HTTP response to HTTPS client")),
			"Post \"http://127.0.0.1:1/v1/chat/completions\": http: server gave HTTP response to HTTPS client",
			"the server does not speak HTTP as expected; check http:// versus https:// and the port in --base-url"},
		{"unknown host", posted(&net.DNSError{Err: "no such host", Name: "lcoalhost", IsNotFound: true}),
			"Post \"http://127.0.0.1:1/v1/chat/completions\": lookup lcoalhost: no such host", "the host in --base-url does not resolve; check its spelling"},
		{"timeout", posted(context.DeadlineExceeded),
			"Post \"http://127.0.0.1:1/v1/chat/completions\": context deadline exceeded", "the model did not answer within the per-request timeout; raise --timeout or lower --max-tokens"},
		{"canceled", posted(context.Canceled), "Post \"http://127.0.0.1:1/v1/chat/completions\": context canceled", noHint},

		// llm.Problem, from the provider.
		{"bad key", &llm.Error{Status: 401, Message: "Incorrect API key provided", Provider: "openai"},
			"status 401: Incorrect API key provided", "check OPENAI_API_KEY (or the key for your --base-url server)"},
		{"bad anthropic key", &llm.Error{Status: 401, Message: "invalid x-api-key", Provider: "anthropic"},
			"status 401: invalid x-api-key", "check ANTHROPIC_API_KEY (or the key for your --base-url server)"},
		{"bad key of an unknown provider", &llm.Error{Status: 401, Provider: "acme"}, "status 401", "check the API key"},
		{"forbidden", &llm.Error{Status: 403, Message: "no access", Provider: "openai"},
			"status 403: no access", "the key may not use this model or endpoint; check its project, permissions and region"},
		{"not found", &llm.Error{Status: 404, Message: "model gpt-9 does not exist", Provider: "openai"},
			"status 404: model gpt-9 does not exist", "check --model and --base-url (requests go to BASE/chat/completions)"},
		{"not found at anthropic", &llm.Error{Status: 404, Message: "model: claude-9", Provider: "anthropic"},
			"status 404: model: claude-9", "check --model and --base-url (requests go to BASE/v1/messages)"},
		{"not found, default provider", &llm.Error{Status: 404}, "status 404", "check --model and --base-url (requests go to BASE/chat/completions)"},
		{"out of quota", &llm.Error{Status: 429, Code: "insufficient_quota", Message: "You exceeded your current quota", Provider: "openai"},
			"status 429: You exceeded your current quota", "the account is out of credits or over its quota; check billing for the key's project"},
		{"out of anthropic credit", &llm.Error{Status: 400, Message: "Your credit balance is too low to access the Anthropic API.", Provider: "anthropic"},
			"status 400: Your credit balance is too low to access the Anthropic API.", "the account is out of credits; check Plans & Billing in the Anthropic console"},
		{"too large", &llm.Error{Status: 413, Message: "Request Entity Too Large", Provider: "openai"},
			"status 413: Request Entity Too Large", "the request is too large for the provider; shorten the prompt template or the row's cells"},
		{"token cap field", &llm.Error{Status: 400, Message: "Unsupported parameter: 'max_tokens'", Provider: "openai"},
			"status 400: Unsupported parameter: 'max_tokens'",
			"the server rejects the token-cap field it was sent; try the other of max_tokens and max_completion_tokens (OpenAIOptions.MaxTokensField)"},
		{"rate limited", &llm.Error{Status: 429, Message: "Rate limit reached", Retryable: true, Provider: "openai"},
			"status 429: Rate limit reached", "the provider is rate-limiting; lower -j or set --rpm"},
		{"overloaded", &llm.Error{Status: 529, Code: "overloaded_error", Message: "Overloaded", Retryable: true, Provider: "anthropic"},
			"status 529: Overloaded", "the provider is overloaded; try again later, or lower -j"},
		{"content filter", &llm.Error{Code: "content_filter", Message: "content filter", Provider: "openai"},
			"content filter", "the provider's content filter blocked this answer; rephrase the prompt or skip the row"},
		{"cap before answer", &llm.Error{Message: "response has no content (finish_reason length)", Provider: "openai"},
			"response has no content (finish_reason length)", "the token cap ran out before any answer (reasoning models think first); raise the max tokens"},
		{"server error", &llm.Error{Status: 500, Message: "Internal server error", Retryable: true, Provider: "openai"},
			"status 500: Internal server error", noHint},
		{"wrapped by the pipeline", fmt.Errorf("stopping: the provider refused 10 requests in a row (%w)", &llm.Error{Status: 401, Provider: "openai"}),
			"stopping: the provider refused 10 requests in a row (status 401)", "check OPENAI_API_KEY (or the key for your --base-url server)"},

		// readers and table
		{"sheet of a csv", errorOf(readers.Open("examples/products.csv", nil, readers.Options{Sheet: "Data"})),
			"--sheet only applies to xlsx input, and examples/products.csv is read as csv", noHint},
		{"sheet of standard input", errorOf(readers.Open("-", strings.NewReader("a\n"), readers.Options{Sheet: "Data", Format: table.JSONL})),
			"--sheet only applies to xlsx input, and standard input is read as jsonl", noHint},
		{"text named xlsx", errorOf(readers.Open(text, nil, readers.Options{})),
			text + ": not an Excel workbook: it holds text", "if that is CSV or TSV, give the file that extension"},
		{"no extension", usageError{errorOf(table.FormatOf("out", ""))},
			"out: cannot tell the format from a name without an extension", "pass --format csv, tsv or jsonl to say which"},
		{"unknown extension", usageError{errorOf(table.FormatOf("out.txt", ""))},
			`out.txt: unknown format ".txt"; use .csv, .tsv, .jsonl, .xlsx, .parquet or .db`, "rename it, or pass --format csv, tsv or jsonl"},
		{"unknown format name", usageError{errorOf(table.ParseFormat("orc"))}, `unknown format "orc"; use csv, tsv, jsonl, xlsx, parquet or sqlite`, noHint},

		// writers
		{"column exists", errorOf(writers.New(io.Discard, writers.Options{Header: []string{"a", "response"}, Added: []string{"response"}})),
			`column "response" already exists in the input`, "choose another name with -c/--column"},
		{"key exists", jsonlKey(), `line 9: key "response" already exists in the input object`, "choose another name with -c/--column"},
		{"column empty", errorOf(writers.New(io.Discard, writers.Options{Header: []string{"a"}, Added: []string{""}})),
			"added column 1 has an empty name", "choose a name with -c/--column"},
		{"column twice", errorOf(writers.New(io.Discard, writers.Options{Header: []string{"a"}, Added: []string{"r", "r"}})),
			`column "r" is added twice`, "choose distinct names with -c/--column"},
		{"over the input", errorOf(writers.Create("examples/products.csv", writers.Options{Header: []string{"a"}, Added: []string{"r"}, Source: table.Source{Path: "examples/products.csv"}})),
			"refusing to write over the input file examples/products.csv", "choose another -o"},
	}
	diagnosed := map[llm.Problem]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("the case made no error")
			}
			diagnosed[llm.Diagnose(tt.err)] = true
			var stderr bytes.Buffer
			newConsole(&stderr, "text").fail(tt.err)
			want := "enrich: error: " + tt.line + "\n"
			if tt.hint != "" {
				want += "enrich: hint: " + tt.hint + "\n"
			}
			if got := stderr.String(); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	for p := llm.Unknown + 1; !strings.HasPrefix(p.String(), "problem("); p++ {
		if !diagnosed[p] {
			t.Errorf("no case for llm.%v", p)
		}
	}
}
