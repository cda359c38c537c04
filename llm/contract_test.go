package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// specDir is where CI puts the shared corpora: shared/ beside the repo.
var specDir = filepath.Join("..", "..", "shared", "corpora", "openai-openapi")

const requestSchema = "#/components/schemas/CreateChatCompletionRequest"

// compileRequestSchema compiles OpenAI's CreateChatCompletionRequest schema
// from the OpenAPI document at path.
//
// OpenAPI 3.1 schemas are JSON Schema 2020-12 plus a few keywords of its own
// (discriminator, example, xml, x-*), which the compiler ignores as unknown
// keywords. The spec also keeps OpenAPI 3.0's "nullable: true"; 2020-12 does
// not know it either, so a null where the spec says nullable would be
// rejected. Our bodies never send null, so that only makes the check stricter.
func compileRequestSchema(t testing.TB, path string) *jsonschema.Schema {
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
	doc, err = jsonValue(doc)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	url := "file:///openai/" + filepath.Base(path)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatalf("add %s: %v", path, err)
	}
	sch, err := c.Compile(url + requestSchema)
	if err != nil {
		t.Fatalf("compile %s%s: %v", path, requestSchema, err)
	}
	return sch
}

// jsonValue turns what yaml.v3 decodes into what encoding/json would have:
// string-keyed maps, float64 or int numbers (both fine for jsonschema),
// timestamps as strings; binary, which JSON cannot hold, is an error.
func jsonValue(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			j, err := jsonValue(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			v[k] = j
		}
		return v, nil
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			j, err := jsonValue(e)
			if err != nil {
				return nil, fmt.Errorf("%v: %w", k, err)
			}
			m[fmt.Sprint(k)] = j
		}
		return m, nil
	case []any:
		for i, e := range v {
			j, err := jsonValue(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			v[i] = j
		}
		return v, nil
	case nil, bool, string, int, int64, uint64, float64:
		return v, nil
	case time.Time: // an unquoted date in an example; openapi.json has it as a string
		return v.Format(time.RFC3339Nano), nil
	default:
		return nil, fmt.Errorf("%T has no JSON equivalent", v)
	}
}

// captureBodies sends each request through an OpenAI client pointed at a
// server that records the bodies it receives.
func captureBodies(t *testing.T, opts OpenAIOptions, reqs []Request) [][]byte {
	t.Helper()
	var (
		mu     sync.Mutex
		bodies [][]byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, okBody)
	}))
	defer srv.Close()
	opts.BaseURL = srv.URL + "/v1"
	c, err := NewOpenAI(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if _, err := c.Complete(context.Background(), r); err != nil {
			t.Fatalf("Complete(%+v): %v", r, err)
		}
	}
	return bodies
}

func TestRequestMatchesOpenAISchema(t *testing.T) {
	for _, spec := range []string{"chat-completions.v1.fixed.yaml", "openapi.yaml"} {
		t.Run(spec, func(t *testing.T) {
			if spec == "openapi.yaml" && testing.Short() {
				t.Skip("the full spec is 3 MB; skipped in -short")
			}
			sch := compileRequestSchema(t, filepath.Join(specDir, spec))

			reqs := []Request{
				{Model: "gpt-4o-mini", Prompt: "Classify: apples"},
				{Model: "gpt-4o-mini", System: "You are terse.", Prompt: "Classify: pears"},
				{Model: "o3", Prompt: "x", Temperature: ptr(0.0)},
				{Model: "o3", System: "s", Prompt: "x", Temperature: ptr(1.5), MaxTokens: 256},
				{Model: "gpt-4o", Prompt: "", MaxTokens: 1},
				{Model: "gpt-4o", Prompt: "ünïcödé \"quoted\"\n<tags> & \u2028"},
				{Model: "gpt-4o", Prompt: "x", Schema: &Schema{Name: "label_row", JSON: json.RawMessage(schema), Strict: true}},
				{Model: "gpt-4o", System: "s", Prompt: "x", MaxTokens: 64, Schema: &Schema{JSON: json.RawMessage(`{"type":"object"}`)}},
			}
			for _, field := range []string{MaxCompletionTokensField, MaxTokensField} {
				bodies := captureBodies(t, OpenAIOptions{MaxTokensField: field}, reqs)
				for i, b := range bodies {
					t.Run(fmt.Sprintf("%s/%d", field, i), func(t *testing.T) {
						if err := validateJSON(sch, b); err != nil {
							t.Errorf("body %s does not match %s: %v", b, requestSchema, err)
						}
					})
				}
			}

			// The check must be able to fail.
			for _, bad := range []string{
				`{"model":"gpt-4o"}`,
				`{"model":"gpt-4o","messages":[]}`,
				`{"model":"gpt-4o","messages":[{"role":"bogus","content":"x"}]}`,
				`{"model":"gpt-4o","messages":[{"role":"user"}]}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"temperature":"hot"}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"max_completion_tokens":1.5}`,
				`{"messages":[{"role":"user","content":"x"}]}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"temperature":3}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema"}}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":[]}}}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"a","strict":"yes"}}}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"xml"}}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":"json_schema"}`,
			} {
				t.Run("invalid "+bad, func(t *testing.T) {
					if err := validateJSON(sch, []byte(bad)); err == nil {
						t.Errorf("body %s validated, want a schema error", bad)
					}
				})
			}
		})
	}
}

func validateJSON(sch *jsonschema.Schema, b []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(v)
}

func ptr[T any](v T) *T { return &v }

// okBody is a minimal valid answer.
var okBody = strings.TrimSpace(`
{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m",
 "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
 "usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`)
