package llm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// batchSpec is the trimmed spec of the files and batches endpoints.
const batchSpec = "batch-files.v1.fixed.yaml"

// compileSpecSchemas compiles the named component schemas of the OpenAPI
// document at path (see compileRequestSchema for how OpenAPI maps onto
// JSON Schema).
func compileSpecSchemas(t *testing.T, path string, names ...string) map[string]*jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("OpenAI spec not found at %s: clone the shared repo beside this one to run the contract test", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if doc, err = jsonValue(doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	url := "file:///openai/" + filepath.Base(path)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, n := range names {
		sch, err := c.Compile(url + "#/components/schemas/" + n)
		if err != nil {
			t.Fatalf("compile %s: %v", n, err)
		}
		out[n] = sch
	}
	return out
}

// batchCapture is what a batch submission sent.
type batchCapture struct {
	mu          sync.Mutex
	form        map[string]any // the upload's fields, the file as its text
	fileType    string         // the file part's Content-Type
	length      int64          // the upload's Content-Length
	read        int64          // the bytes of it that arrived
	createBody  []byte
	createdPath string
}

func captureBatch(t *testing.T) (*httptest.Server, *batchCapture) {
	got := &batchCapture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.mu.Lock()
		defer got.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/files":
			body, _ := io.ReadAll(r.Body)
			got.length, got.read = r.ContentLength, int64(len(body))
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				t.Errorf("upload is not multipart: %v", err)
			}
			got.form = map[string]any{}
			for k, v := range r.MultipartForm.Value {
				got.form[k] = v[0]
			}
			for k, fh := range r.MultipartForm.File {
				f, _ := fh[0].Open()
				b, _ := io.ReadAll(f)
				got.form[k] = string(b)
				got.fileType = fh[0].Header.Get("Content-Type")
			}
			io.WriteString(w, `{"id":"file-abc","object":"file","bytes":1,"created_at":1,"filename":"x","purpose":"batch","status":"processed"}`)
		case "/v1/batches":
			got.createBody, _ = io.ReadAll(r.Body)
			got.createdPath = r.URL.Path
			io.WriteString(w, `{"id":"batch_abc","object":"batch","endpoint":"/v1/chat/completions","input_file_id":"file-abc","completion_window":"24h","status":"validating","created_at":1}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// The upload and the batch a submission sends, and every line in the
// file, match OpenAI's published spec.
func TestBatchBodiesMatchOpenAISpec(t *testing.T) {
	schemas := compileSpecSchemas(t, filepath.Join(specDir, batchSpec), "CreateFileRequest", "CreateBatchRequest", "CreateChatCompletionRequest")
	srv, got := captureBatch(t)
	c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL + "/v1", APIKey: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	reqs := []Request{
		{Model: "gpt-4o-mini", Prompt: "Classify: apples"},
		{Model: "gpt-4o-mini", System: "You are terse.", Prompt: "ünïcödé \"quoted\"\n<tags>", Temperature: ptr(0.5), MaxTokens: 64},
		{Model: "gpt-4o-mini", Prompt: "x", Schema: &Schema{Name: "row", JSON: json.RawMessage(schema), Strict: true}},
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	var buf bytes.Buffer
	for i, r := range reqs {
		line, err := c.BatchLine("k"+strconv.Itoa(i), r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(line, '\n'))
	}
	os.WriteFile(path, buf.Bytes(), 0o600)
	b, err := c.SubmitBatch(context.Background(), BatchInput{Path: path, Requests: len(reqs), Bytes: int64(buf.Len())})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "batch_abc" || b.File != "file-abc" || b.Phase != BatchValidating {
		t.Errorf("batch %+v", b)
	}

	if err := schemas["CreateFileRequest"].Validate(got.form); err != nil {
		t.Errorf("upload fields %v do not match CreateFileRequest: %v", got.form["purpose"], err)
	}
	if got.form["file"] != buf.String() || got.length != got.read {
		t.Errorf("the uploaded file differs from the input, or Content-Length %d is not the %d bytes sent", got.length, got.read)
	}
	if err := validateJSON(schemas["CreateBatchRequest"], got.createBody); err != nil {
		t.Errorf("create body %s does not match CreateBatchRequest: %v", got.createBody, err)
	}
	var create map[string]any
	json.Unmarshal(got.createBody, &create)
	if create["input_file_id"] != "file-abc" || create["endpoint"] != "/v1/chat/completions" || create["completion_window"] != "24h" {
		t.Errorf("create body %s", got.createBody)
	}

	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		var line struct {
			CustomID string          `json:"custom_id"`
			Method   string          `json:"method"`
			URL      string          `json:"url"`
			Body     json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if line.Method != "POST" || line.URL != "/v1/chat/completions" || line.CustomID == "" || seen[line.CustomID] {
			t.Errorf("line %d: %s", n, sc.Bytes())
		}
		seen[line.CustomID] = true
		if err := validateJSON(schemas["CreateChatCompletionRequest"], line.Body); err != nil {
			t.Errorf("line %d body does not match CreateChatCompletionRequest: %v", n, err)
		}
		if want, _ := c.encode(reqs[n-1]); !bytes.Equal(line.Body, want) {
			t.Errorf("line %d body is not what Complete sends:\n%s\n%s", n, line.Body, want)
		}
	}

	// The check must be able to fail.
	for _, bad := range []string{
		`{"input_file_id":"f","endpoint":"/v1/nope","completion_window":"24h"}`,
		`{"input_file_id":"f","endpoint":"/v1/chat/completions","completion_window":"48h"}`,
		`{"endpoint":"/v1/chat/completions","completion_window":"24h"}`,
	} {
		if validateJSON(schemas["CreateBatchRequest"], []byte(bad)) == nil {
			t.Errorf("%s validated as CreateBatchRequest", bad)
		}
	}
	for _, bad := range []map[string]any{{"purpose": "nonsense", "file": "x"}, {"purpose": "batch"}, {"purpose": "batch", "file": "x", "extra": "y"}} {
		if schemas["CreateFileRequest"].Validate(bad) == nil {
			t.Errorf("%v validated as CreateFileRequest", bad)
		}
	}
}
