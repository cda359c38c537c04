package cli

import (
	"bytes"
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

type cli struct {
	code           int
	stdout, stderr string
}

// enrich runs the command in-process against p (nil: no server) with the
// given standard input.
func enrich(t *testing.T, p *fakeprovider.Provider, stdin string, args ...string) cli {
	t.Helper()
	t.Setenv("OPENAI_API_KEY", "sk-test-SECRET")
	t.Setenv("OPENAI_BASE_URL", "")
	if os.Getenv("XDG_CACHE_HOME") == "" || !strings.HasPrefix(os.Getenv("XDG_CACHE_HOME"), os.TempDir()) {
		t.Setenv("XDG_CACHE_HOME", t.TempDir()) // journals stay out of the user's cache
	}
	if p != nil {
		srv := httptest.NewServer(p)
		t.Cleanup(srv.Close)
		args = append(args, "--base-url", srv.URL+"/v1")
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	if strings.Contains(out.String()+errb.String(), "SECRET") {
		t.Errorf("the API key appears in the output:\n%s\n%s", out.String(), errb.String())
	}
	if strings.Contains(errb.String(), "goroutine ") || strings.Contains(errb.String(), "panic") {
		t.Errorf("stderr shows a panic:\n%s", errb.String())
	}
	return cli{code, out.String(), errb.String()}
}

// succeeded stops the test unless the run exited 0.
func succeeded(t *testing.T, r cli) {
	t.Helper()
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// openWorkbook opens an output workbook for the rest of the test.
func openWorkbook(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestCSVToCSV(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Latency: time.Millisecond})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", "Ad for {{.name}} at ${{.price}}", "-j", "4")
	succeeded(t, r)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "products.out.csv", string(b))
	if !strings.Contains(r.stderr, "enrich: 8 rows, 8 answered, 0 failed, 8 requests") {
		t.Errorf("summary missing or wrong:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout should carry nothing when writing a file, got %q", r.stdout)
	}
}

func TestStdinToStdoutJSONL(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	in, err := os.ReadFile("examples/reviews.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	r := enrich(t, p, string(in), "-", "--format", "jsonl", "-o", "-", "-p", "{{.stars}}: {{.text}}", "-c", "sentiment")
	succeeded(t, r)
	golden(t, "reviews.out.jsonl", r.stdout)
}

func TestXLSXToXLSXKeepsTheWorkbook(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	out := filepath.Join(t.TempDir(), "out.xlsx")
	r := enrich(t, p, "", "examples/tickets.xlsx", "-o", out, "--prompt-file", "examples/ticket-triage.tmpl", "-c", "category")
	succeeded(t, r)
	f := openWorkbook(t, out)
	cell := func(sheet, ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := cell("Tickets", "G1"); got != "category" {
		t.Errorf("G1 = %q, want the new header", got)
	}
	if got := cell("Tickets", "G2"); !strings.HasPrefix(got, "echo: Classify") || !strings.Contains(got, "Charged twice") {
		t.Errorf("G2 = %q, want the answer for row 2", got)
	}
	if got := cell("Tickets", "D7"); got != `=HYPERLINK("http://example.com")` {
		t.Errorf("D7 = %q, want the text kept", got)
	}
	if fm, _ := f.GetCellFormula("Tickets", "F8"); fm != "SUM(F2:F7)" {
		t.Errorf("F8 formula = %q, want SUM(F2:F7)", fm)
	}
	if fm, _ := f.GetCellFormula("Tickets", "G7"); fm != "" {
		t.Errorf("the answer cell G7 became a formula %q", fm)
	}
	if got := cell("Agents", "A2"); got != "Priya" {
		t.Errorf("Agents!A2 = %q, want the other sheet untouched", got)
	}
	if merged, _ := f.GetMergeCells("Agents"); len(merged) != 1 {
		t.Errorf("Agents merges = %d, want 1", len(merged))
	}
	hs, _ := f.GetCellStyle("Tickets", "F1")
	ns, _ := f.GetCellStyle("Tickets", "G1")
	if hs != ns {
		t.Errorf("new header style %d, want its neighbour's %d", ns, hs)
	}
}

func TestCSVToXLSXCellsAreText(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.csv")
	os.WriteFile(in, []byte("a,b\n=1+1,@cmd\n"), 0o644)
	out := filepath.Join(t.TempDir(), "out.xlsx")
	r := enrich(t, fakeprovider.New(fakeprovider.Options{}), "", in, "-o", out, "-p", "{{.a}}")
	succeeded(t, r)
	f := openWorkbook(t, out)
	for _, ref := range []string{"A2", "B2", "C2"} {
		if fm, _ := f.GetCellFormula("Sheet1", ref); fm != "" {
			t.Errorf("%s is a formula %q, want text", ref, fm)
		}
	}
	if v, _ := f.GetCellValue("Sheet1", "A2"); v != "=1+1" {
		t.Errorf("A2 = %q, want =1+1 as text", v)
	}
}

func TestFaultsAreRetriedEndToEnd(t *testing.T) {
	// Each fault hits a different row's first attempt.
	faults := map[string]fakeprovider.Fault{
		"P-1002": fakeprovider.Status500,
		"P-1003": fakeprovider.Truncated,
		"P-1004": fakeprovider.Hang,
		"P-1005": fakeprovider.DropConnection,
		"P-1006": fakeprovider.Status429, // Retry-After: 1
	}
	var mu sync.Mutex
	p := fakeprovider.New(fakeprovider.Options{Latency: 5 * time.Millisecond, Fault: func(_ int64, prompt string) fakeprovider.Fault {
		mu.Lock()
		defer mu.Unlock()
		f := faults[prompt]
		delete(faults, prompt)
		return f
	}})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", "{{.sku}}", "-j", "4", "--timeout", "300ms")
	succeeded(t, r)
	if !strings.Contains(r.stderr, "8 answered, 0 failed") || !strings.Contains(r.stderr, "5 retries, 1 rate-limited (429)") {
		t.Errorf("summary does not show the 5 retries:\n%s", r.stderr)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), "echo: P-1008,") {
		t.Errorf("output lacks the last answer:\n%s", b)
	}
}

func TestFailedRowsExit3WithErrorsInColumn(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{Fault: func(_ int64, prompt string) fakeprovider.Fault {
		if prompt == "P-1003" {
			return fakeprovider.Status400
		}
		return fakeprovider.OK
	}})
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", "{{.sku}}")
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, exitRowsFailed, r.stderr)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), ",,status 400: Invalid value for 'model'\n") {
		t.Errorf("the failed row's error is not in its error column:\n%s", b)
	}
	if !strings.Contains(r.stderr, "1 rows failed") || !strings.Contains(r.stderr, "row 4: status 400") {
		t.Errorf("stderr does not point at the failed row:\n%s", r.stderr)
	}
}

func TestBadInputSpendsNothingAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("a,b\n1,2\n3,\"unterminated\n"), 0o644)
	wide := filepath.Join(dir, "wide.csv")
	os.WriteFile(wide, []byte("a,b\n1,2\n1,2,3\n"), 0o644)
	has := filepath.Join(dir, "has.csv")
	os.WriteFile(has, []byte("a,response\n1,2\n"), 0o644)
	out := filepath.Join(dir, "out.csv")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"missing input", []string{filepath.Join(dir, "nope.csv"), "-o", out, "-p", "x"}, exitFatal, []string{"nope.csv", "no such file"}},
		{"output is input", []string{"examples/products.csv", "-o", "examples/products.csv", "-p", "x"}, exitFatal, []string{"refusing to write over the input"}},
		{"missing column", []string{"examples/products.csv", "-o", out, "-p", "{{.nme}}"}, exitFatal, []string{`template field "nme"`, `"sku", "name"`, `did you mean "name"`}},
		{"template syntax", []string{"examples/products.csv", "-o", out, "-p", "{{.name"}, exitFatal, []string{"prompt template: line 1", "unclosed action"}},
		{"no prompt", []string{"examples/products.csv", "-o", out}, exitUsage, []string{"no prompt given"}},
		{"no output", []string{"examples/products.csv", "-p", "x"}, exitUsage, []string{"no OUTPUT"}},
		{"unknown flag", []string{"examples/products.csv", "-o", out, "-p", "x", "--bogus"}, exitUsage, []string{"unknown flag: --bogus"}},
		{"unknown provider", []string{"examples/products.csv", "-o", out, "-p", "x", "--provider", "nope"}, exitUsage, []string{`unknown provider "nope"`}},
		{"output folder missing", []string{"examples/products.csv", "-o", filepath.Join(dir, "no", "out.csv"), "-p", "x"}, exitFatal, []string{"out.csv"}},
		{"unterminated quote", []string{bad, "-o", out, "-p", "{{.a}}"}, exitFatal, []string{"bad.csv", "line 3"}},
		{"too many fields", []string{wide, "-o", out, "-p", "{{.a}}"}, exitFatal, []string{"wide.csv", "line 3"}},
		{"column exists", []string{has, "-o", out, "-p", "{{.a}}"}, exitFatal, []string{`column "response" already exists`}},
		{"unknown sheet", []string{"examples/tickets.xlsx", "-o", out, "-p", "x", "--sheet", "Nope"}, exitFatal, []string{"Nope", "Tickets", "Agents"}},
		{"unknown extension", []string{"examples/products.csv", "-o", filepath.Join(dir, "out.txt"), "-p", "x"}, exitUsage, []string{".txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeprovider.New(fakeprovider.Options{})
			r := enrich(t, p, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.code, r.stderr)
			}
			failedCleanly(t, r, p, dir, tt.want)
		})
	}
}

func TestMissingKeyAndBadBaseURL(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	out := filepath.Join(t.TempDir(), "out.csv")
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	var o, e bytes.Buffer
	code := run(context.Background(), []string{"examples/products.csv", "-o", out, "-p", "{{.name}}"}, nil, &o, &e)
	if code != exitFatal || !strings.Contains(e.String(), "OPENAI_API_KEY is not set") || !strings.Contains(e.String(), "enrich: hint:") {
		t.Errorf("exit %d, stderr %q; want the missing key named with a hint", code, e.String())
	}
	e.Reset()
	code = run(context.Background(), []string{"examples/products.csv", "-o", out, "-p", "{{.name}}", "--base-url", "localhost:8080"}, nil, &o, &e)
	if code != exitFatal || !strings.Contains(e.String(), "localhost:8080") {
		t.Errorf("exit %d, stderr %q; want the bad base URL named", code, e.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an output file was written")
	}
}

func TestDryRunAndLimit(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", "examples/products.csv", "--dry-run", "-p", "Ad: {{.name}}")
	if r.code != exitOK || p.Requests() != 0 {
		t.Fatalf("exit %d, %d requests; stderr:\n%s", r.code, p.Requests(), r.stderr)
	}
	for _, w := range []string{"--- row 2 ---\nAd: Trailhead 40L Backpack", "rows:     8 (8 distinct requests, 0 already answered in the journal, 8 to send)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("dry run output lacks %q:\n%s", w, r.stdout)
		}
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	r = enrich(t, p, "", "examples/products.csv", "-o", out, "-p", "{{.name}}", "--limit", "3")
	b, _ := os.ReadFile(out)
	if r.code != exitOK || strings.Count(string(b), "\n") != 3 || p.Requests() != 3 {
		t.Errorf("exit %d, %d requests, output:\n%s\nwant 3 rows", r.code, p.Requests(), b)
	}
}

// The dry run's figures on a known file: tokens counted with gpt-4o-mini's
// tokenizer, the list price, and the least time --rpm and --tpm allow.
func TestDryRunFigures(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", "examples/tickets.xlsx", "--dry-run", "--prompt-file", "examples/ticket-triage.tmpl",
		"-m", "gpt-4o-mini", "--max-tokens", "20", "--rpm", "60", "--tpm", "1000", "-j", "4")
	if r.code != exitOK || p.Requests() != 0 {
		t.Fatalf("exit %d, %d requests; stderr:\n%s", r.code, p.Requests(), r.stderr)
	}
	golden(t, "tickets.dryrun.txt", r.stdout)
	r = enrich(t, p, "", "examples/tickets.xlsx", "--dry-run", "--prompt-file", "examples/ticket-triage.tmpl",
		"-m", "my-local-model", "--price-in", "1", "--price-out", "2", "--max-tokens", "20")
	for _, w := range []string{"(about 4 bytes a token)", "at $1 in / $2 out per 1M tokens (--price-in/--price-out)", "1 × the model's latency (7 requests, 8 at a time)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("dry run output lacks %q:\n%s", w, r.stdout)
		}
	}
}

func TestHelp(t *testing.T) {
	r := enrich(t, nil, "", "--help")
	if r.code != exitOK || !strings.Contains(r.stderr, "usage: enrich INPUT -o OUTPUT -p TEMPLATE") || !strings.Contains(r.stderr, "--rpm") {
		t.Errorf("exit %d, help:\n%s", r.code, r.stderr)
	}
}

func TestMockProviderIsOffline(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	out := filepath.Join(t.TempDir(), "out.csv")
	t.Setenv("OPENAI_API_KEY", "")
	var o, e bytes.Buffer
	code := run(context.Background(), []string{"examples/products.csv", "-o", out, "--provider", "mock", "--prompt-file", "examples/product-ad.tmpl"}, nil, &o, &e)
	b, _ := os.ReadFile(out)
	if code != exitOK || strings.Count(string(b), "mock answer") != 8 {
		t.Errorf("exit %d, stderr %q, output:\n%s", code, e.String(), b)
	}
}

// After a run, a dry run of the same command knows what is answered.
func TestDryRunCountsTheJournal(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	// One server for both runs: its URL is part of every request's key.
	srv := httptest.NewServer(fakeprovider.New(fakeprovider.Options{}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "out.csv")
	if r := enrich(t, nil, "", "examples/products.csv", "-o", out, "-p", "{{.name}}", "--limit", "5", "--base-url", srv.URL); r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r := enrich(t, nil, "", "examples/products.csv", "-o", out, "-p", "{{.name}}", "--dry-run", "--base-url", srv.URL)
	if !strings.Contains(r.stdout, "rows:     8 (8 distinct requests, 5 already answered in the journal, 3 to send)") {
		t.Errorf("dry run after a partial run:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestMain runs the tests from the repository's root, so that command
// lines read as a user would type them (enrich examples/products.csv …).
func TestMain(m *testing.M) {
	flag.Parse()
	here, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	testdataDir = filepath.Join(here, "testdata")
	if err := os.Chdir(filepath.Join(here, "..", "..")); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// testdataDir is this package's testdata folder, as an absolute path.
var testdataDir string
