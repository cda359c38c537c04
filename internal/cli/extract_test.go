package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/enrich-dev/enrich/readers"
)

func TestFieldsIntoColumns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, nil, "", "examples/products.csv", "-o", out, "--provider", "mock", "-p", "{{.name}}",
		"--fields", "category, urgency:integer, summary", "-c", "ai_", "--usage-columns")
	succeeded(t, r)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := readers.NewCSV(f, out, ',')
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rd.Header(), ","), "sku,name,category,price,description,ai_category,ai_urgency,ai_summary,ai_error,ai_tokens_in,ai_tokens_out"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	// The three values, an empty error, and the answer's tokens in and out.
	count := regexp.MustCompile(`^[1-9][0-9]*$`)
	rows := 0
	for {
		row, err := rd.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		added := row.Cells[5:]
		if added[0] != "mock category" || added[1] != "1" || added[2] != "mock summary" || added[3] != "" ||
			!count.MatchString(added[4]) || !count.MatchString(added[5]) {
			t.Errorf("row %d: added cells %q, want the extracted values and token counts", row.Num, added)
		}
	}
	if rows != 8 {
		t.Errorf("%d rows, want 8", rows)
	}
}

func TestSchemaFileAndBadSchema(t *testing.T) {
	dir := t.TempDir()
	schema := filepath.Join(dir, "s.json")
	os.WriteFile(schema, []byte(`{"type":"object","properties":{"sentiment":{"type":"string","enum":["positive","mixed","negative"]},"score":{"type":"integer"}},"required":["sentiment"]}`), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	r := enrich(t, nil, "", "examples/reviews.jsonl", "-o", out, "--provider", "mock", "-p", "{{.text}}", "--schema", schema)
	succeeded(t, r)
	b, _ := os.ReadFile(out)
	first := strings.SplitN(string(b), "\n", 2)[0]
	var obj map[string]any
	if err := json.Unmarshal([]byte(first), &obj); err != nil {
		t.Fatal(err)
	}
	if obj["sentiment"] != "positive" || obj["score"] == nil {
		t.Errorf("first row %s lacks the extracted values", first)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"array"}`), 0o644)
	r = enrich(t, nil, "", "examples/reviews.jsonl", "-o", filepath.Join(dir, "x.csv"), "--provider", "mock", "-p", "{{.text}}", "--schema", bad)
	if r.code != exitFatal || !strings.Contains(r.stderr, "bad.json: the schema's top level must be") {
		t.Errorf("exit %d, stderr %q; want the bad schema named", r.code, r.stderr)
	}
}

func TestAnthropicProviderEndToEnd(t *testing.T) {
	var got struct {
		path, key, version string
		body               map[string]any
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.key, got.version = r.URL.Path, r.Header.Get("x-api-key"), r.Header.Get("anthropic-version")
		json.NewDecoder(r.Body).Decode(&got.body)
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(`{"type":"message","role":"assistant","content":[{"type":"text","text":"claude says hi"}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":3}}`))
	}))
	defer srv.Close()
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-test")
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, nil, "", "examples/products.csv", "-o", out, "--provider", "anthropic", "--base-url", srv.URL,
		"-p", "{{.name}}", "--system", "be brief", "--limit", "1", "-j", "1")
	succeeded(t, r)
	if got.path != "/v1/messages" || got.key != "sk-ant-test" || got.version == "" {
		t.Errorf("request to %s with key %q version %q", got.path, got.key, got.version)
	}
	if got.body["system"] != "be brief" || got.body["model"] != defaultAnthropicModel || got.body["max_tokens"] == nil {
		t.Errorf("body %v lacks system, the default model or max_tokens", got.body)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), ",claude says hi,") || !strings.Contains(r.stderr, "tokens 12 in / 3 out") {
		t.Errorf("output %s / summary %s", b, r.stderr)
	}

	t.Setenv("ANTHROPIC_API_KEY", "")
	r = enrich(t, nil, "", "examples/products.csv", "-o", filepath.Join(t.TempDir(), "out2.csv"), "--provider", "anthropic", "-p", "{{.name}}")
	if r.code != exitFatal || !strings.Contains(r.stderr, "ANTHROPIC_API_KEY is not set") {
		t.Errorf("exit %d, stderr %q; want the missing key named", r.code, r.stderr)
	}
}

// A model answer that is a formula stays as written, or with
// --escape-formulas gets a leading quote; the input cell never changes.
func TestEscapeFormulas(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(`{"choices":[{"index":0,"message":{"role":"assistant","content":"=HYPERLINK(\"http://x\")"},"finish_reason":"stop"}]}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("q\n=SUM(1)\n"), 0o644)
	for _, tt := range []struct {
		flag bool
		want string
	}{
		{false, "q,response,response_error\n=SUM(1),\"=HYPERLINK(\"\"http://x\"\")\",\n"},
		{true, "q,response,response_error\n=SUM(1),\"'=HYPERLINK(\"\"http://x\"\")\",\n"},
	} {
		out := filepath.Join(dir, fmt.Sprintf("out-%v.csv", tt.flag))
		args := []string{in, "-o", out, "-p", "{{.q}}", "--base-url", srv.URL, "--no-cache"}
		if tt.flag {
			args = append(args, "--escape-formulas")
		}
		r := enrich(t, nil, "", args...)
		b, _ := os.ReadFile(out)
		if r.code != exitOK || string(b) != tt.want {
			t.Errorf("--escape-formulas=%v: exit %d, output\n%s\nwant\n%s\nstderr %s", tt.flag, r.code, b, tt.want, r.stderr)
		}
	}
}

// Extracted numbers and booleans are typed cells in XLSX, not text.
func TestFieldsIntoTypedXLSXCells(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.xlsx")
	r := enrich(t, nil, "", "examples/tickets.xlsx", "-o", out, "--provider", "mock", "-p", "{{.Subject}}",
		"--fields", "category, urgency:integer, escalate:boolean")
	succeeded(t, r)
	f := openWorkbook(t, out)
	for ref, want := range map[string]excelize.CellType{"G2": excelize.CellTypeInlineString, "H2": excelize.CellTypeNumber, "I2": excelize.CellTypeBool} {
		got, err := f.GetCellType("Tickets", ref)
		if err != nil {
			t.Fatal(err)
		}
		// excelize reports numbers it wrote as unset (a plain <c><v>).
		if got != want && !(want == excelize.CellTypeNumber && got == excelize.CellTypeUnset) {
			t.Errorf("%s is %v, want %v", ref, got, want)
		}
	}
	if v, _ := f.GetCellValue("Tickets", "H1"); v != "urgency" {
		t.Errorf("H1 = %q, want urgency", v)
	}
	if v, _ := f.GetCellValue("Tickets", "H2"); v != "1" {
		t.Errorf("H2 = %q, want 1", v)
	}
}
