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
	if !strings.Contains(r.stderr, "8 answered, 0 failed") || !strings.Contains(r.stderr, "5 retries,") || !strings.Contains(r.stderr, "1 rate-limited (429)") {
		t.Errorf("summary does not show the 5 retries:\n%s", r.stderr)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), "echo: P-1008,") {
		t.Errorf("output lacks the last answer:\n%s", b)
	}
}

// TestMain runs the tests from the repository's root, so that command
// lines read as a user would type them (enrich examples/products.csv …).
func TestMain(m *testing.M) {
	if os.Getenv(asEnrich) == "1" {
		// A script's enrich command (script_test.go): run from its $WORK,
		// with its arguments, as the real binary would be.
		os.Exit(Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
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
