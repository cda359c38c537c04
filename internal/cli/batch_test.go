package cli

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// readCells reads an output for comparison: the bytes of CSV and JSONL,
// every sheet's cells of XLSX (a workbook's zip holds timestamps).
func readCells(t *testing.T, path string) string {
	t.Helper()
	if filepath.Ext(path) != ".xlsx" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	f := openWorkbook(t, path)
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(sheet + ": " + strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A batch run writes what an online run writes, byte for byte, in every
// format; a line refused inside the batch (a 400 in the output file) is
// the row's error, as online.
func TestBatchOutputEqualsOnline(t *testing.T) {
	fault := func(prompt string) fakeprovider.Fault {
		if len(prompt)%4 == 0 {
			return fakeprovider.Status400
		}
		return fakeprovider.OK
	}
	for _, c := range []struct{ in, tmpl, ext string }{
		{"examples/products.csv", "examples/product-ad.tmpl", ".csv"},
		{"examples/reviews.jsonl", "examples/review-sentiment.tmpl", ".jsonl"},
		{"examples/tickets.xlsx", "examples/ticket-triage.tmpl", ".xlsx"},
	} {
		t.Run(c.ext, func(t *testing.T) {
			dir := t.TempDir()
			online := fakeprovider.New(fakeprovider.Options{Fault: func(_ int64, p string) fakeprovider.Fault { return fault(p) }})
			want := filepath.Join(dir, "online"+c.ext)
			ro := enrich(t, online, "", c.in, "-o", want, "--prompt-file", c.tmpl, "-q")

			p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{LineFault: fault, Processing: 300 * time.Millisecond}})
			got := filepath.Join(dir, "batch"+c.ext)
			rb := enrich(t, p, "", c.in, "-o", got, "--prompt-file", c.tmpl, "--batch", "--batch-poll", "200ms")
			if rb.code != ro.code || ro.code != exitRowsFailed {
				t.Fatalf("batch exit %d, online %d; stderr:\n%s", rb.code, ro.code, rb.stderr)
			}
			if a, b := readCells(t, want), readCells(t, got); a != b {
				t.Errorf("batch output differs from online:\nbatch:\n%.800s\nonline:\n%.800s", b, a)
			}
			if p.BatchesCreated() != 1 || p.Requests() > 12 {
				t.Errorf("%d batches, %d HTTP calls; want one batch and a handful of calls", p.BatchesCreated(), p.Requests())
			}
			if a, b := mustRead(t, want), mustRead(t, got); !bytes.Equal(a, b) {
				t.Errorf("batch output is not byte-identical to online (%d vs %d bytes)", len(b), len(a))
			}
			for _, w := range []string{"1 batch,", "batch requests", "rows failed; their errors are in the error column"} {
				if !strings.Contains(rb.stderr, w) {
					t.Errorf("the summary lacks %q:\n%s", w, rb.stderr)
				}
			}
		})
	}
}

func TestBatchRowRefusedInTheOutputFile(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{LineFault: func(prompt string) fakeprovider.Fault {
		if strings.Contains(prompt, "Nimbus") {
			return fakeprovider.Status400
		}
		return fakeprovider.OK
	}}})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "--prompt-file", "examples/product-ad.tmpl", "--batch", "--batch-poll", "200ms", "-q")
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d, want 3; stderr:\n%s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), "status 400: Invalid value for 'model'") {
		t.Errorf("the refused row's error is not in OUTPUT:\n%s", b)
	}
	if p.BatchesCreated() != 1 {
		t.Errorf("%d batches: a 400 was submitted again", p.BatchesCreated())
	}
}

func TestBatchSplitAndExpired(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Expire: func(n int64) bool { return n == 2 }}})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "--prompt-file", "examples/product-ad.tmpl",
		"--batch", "--batch-size", "3", "--batch-poll", "200ms", "-q")
	succeeded(t, r)
	// 8 rows in batches of 3: 3 batches; the second expires half done, so
	// its other 2 requests go in a fourth.
	if got := p.BatchesCreated(); got != 4 {
		t.Errorf("%d batches, want 4 (ids %v)", got, p.BatchIDs())
	}
	if !strings.Contains(r.stderr, "2 requests retried") {
		t.Errorf("the summary does not count the retried requests:\n%s", r.stderr)
	}
}

func TestBatchDetachThenRerun(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Processing: 600 * time.Millisecond}})
	srv := httptest.NewServer(p)
	defer srv.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	args := []string{"examples/products.csv", "-o", out, "--prompt-file", "examples/product-ad.tmpl", "--batch", "--detach",
		"--base-url", srv.URL + "/v1", "--cache", filepath.Join(dir, "cache")}
	r := enrich(t, nil, "", args...)
	if r.code != exitTempFail || !strings.Contains(r.stderr, "submitted 8 requests in 1 batch") {
		t.Fatalf("exit %d, want 75 and what was submitted; stderr:\n%s", r.code, r.stderr)
	}
	r = enrich(t, nil, "", args...)
	if r.code != exitTempFail || !strings.Contains(r.stderr, "nothing new was submitted") {
		t.Fatalf("rerun while running: exit %d, want 75; stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("OUTPUT was written while the batch ran")
	}
	time.Sleep(700 * time.Millisecond)
	r = enrich(t, nil, "", args...)
	succeeded(t, r)
	if p.BatchesCreated() != 1 {
		t.Errorf("%d batches, want 1", p.BatchesCreated())
	}
	if b, _ := os.ReadFile(out); strings.Count(string(b), "echo: ") != 8 {
		t.Errorf("OUTPUT lacks answers:\n%s", b)
	}
	if logs, _ := filepath.Glob(filepath.Join(dir, "cache", "journals", "*.batches.jsonl")); len(logs) != 0 {
		t.Errorf("the batch record outlived the job: %v", logs)
	}
}

func TestBatchCancel(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Processing: time.Hour}})
	srv := httptest.NewServer(p)
	defer srv.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	args := []string{"examples/products.csv", "-o", out, "--prompt-file", "examples/product-ad.tmpl",
		"--base-url", srv.URL + "/v1", "--cache", filepath.Join(dir, "cache"), "--batch-poll", "200ms"}
	if r := enrich(t, nil, "", append(args, "--batch", "--detach")...); r.code != exitTempFail {
		t.Fatalf("exit %d, want 75; stderr:\n%s", r.code, r.stderr)
	}
	r := enrich(t, nil, "", append(args, "--batch-cancel")...)
	succeeded(t, r)
	if !strings.Contains(r.stderr, "cancelled 1 batches") && !strings.Contains(r.stderr, "cancelled 1 batch") {
		t.Errorf("stderr does not say what was cancelled:\n%s", r.stderr)
	}
	// The rerun submits anew: nothing is recorded any more.
	r = enrich(t, nil, "", append(args, "--batch", "--detach")...)
	if r.code != exitTempFail || p.BatchesCreated() != 2 {
		t.Errorf("after a cancel: exit %d, %d batches; want 75 and a new batch", r.code, p.BatchesCreated())
	}
}

func TestBatchWithoutABatchAPI(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Disabled: true}})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "--prompt-file", "examples/product-ad.tmpl", "--batch")
	if r.code != exitFatal {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "enrich: error: "); n != 1 || !strings.Contains(r.stderr, "enrich: hint: --batch needs a provider with a batch API") {
		t.Errorf("want one error line and the hint; stderr:\n%s", r.stderr)
	}
	if p.Requests() != 1 {
		t.Errorf("%d HTTP calls, want 1: the first 404 stops the run", p.Requests())
	}
}

func TestBatchAnthropic(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	srv := httptest.NewServer(p)
	defer srv.Close()
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-test")
	t.Setenv("ANTHROPIC_BASE_URL", "")
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r := enrich(t, nil, "", "examples/reviews.jsonl", "-o", out, "--prompt-file", "examples/review-sentiment.tmpl",
		"--provider", "anthropic", "--base-url", srv.URL, "--batch", "--batch-poll", "200ms", "-q")
	succeeded(t, r)
	b, _ := os.ReadFile(out)
	if lines := bytes.Count(b, []byte("echo: ")); lines == 0 || p.BatchesCreated() != 1 {
		t.Errorf("%d answers in %d batches:\n%s", lines, p.BatchesCreated(), b)
	}
}

func TestDryRunBatch(t *testing.T) {
	r := enrich(t, nil, "", "examples/products.csv", "--dry-run", "--batch", "--batch-size", "3", "--prompt-file", "examples/product-ad.tmpl", "--max-tokens", "50")
	succeeded(t, r)
	for _, w := range []string{"batches:  3 holding 8 requests (at most 3 requests", "at $0.075 in / $0.3 out per 1M tokens (the batch price: half the list price"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the dry run lacks %q:\n%s", w, r.stdout)
		}
	}
}

func TestBatchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"examples/products.csv", "-o", "x.csv", "-p", "x", "--detach"},
		{"-", "-o", "x.csv", "-p", "x", "--batch"},
		{"examples/products.csv", "-o", "x.csv", "-p", "x", "--batch", "--no-cache"},
		{"examples/products.csv", "-o", "x.csv", "-p", "x", "--batch", "--batch-poll", "0s"},
		{"examples/products.csv", "-o", "x.csv", "-p", "x", "--batch", "--batch-size", "-1"},
	} {
		if r := enrich(t, nil, "", args...); r.code != exitUsage {
			t.Errorf("%q: exit %d, want 2; stderr:\n%s", args, r.code, r.stderr)
		}
	}
}

// The mock answers batches offline, as online.
func TestBatchMock(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := t.TempDir()
	for _, name := range []string{"online.csv", "batch.csv"} {
		args := []string{"examples/products.csv", "-o", filepath.Join(dir, name), "--provider", "mock", "--fields", "headline,score:integer", "-p", "{{.name}}", "-q"}
		if name == "batch.csv" {
			args = append(args, "--batch")
		}
		succeeded(t, enrich(t, nil, "", args...))
	}
	if a, b := readCells(t, filepath.Join(dir, "online.csv")), readCells(t, filepath.Join(dir, "batch.csv")); a != b {
		t.Errorf("mock batch output differs:\n%s\nonline:\n%s", b, a)
	}
}
