package pipeline

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/table"
)

const ticketSchema = `{
  "type": "object",
  "properties": {
    "category": {"type": "string", "enum": ["billing", "bug", "other"]},
    "urgency":  {"type": "integer", "minimum": 1, "maximum": 5},
    "summary":  {"type": "string"},
    "tags":     {"type": "array", "items": {"type": "string"}},
    "refund":   {"type": "boolean"}
  },
  "required": ["category", "urgency", "summary"]
}`

func TestParseSchemaKeepsPropertyOrder(t *testing.T) {
	s, err := ParseSchema([]byte(ticketSchema), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"category", "urgency", "summary", "tags", "refund"}, s.Columns()); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if s.request().Strict {
		t.Error("strict mode asked for a schema that does not require every property")
	}
}

func TestParseSchemaErrors(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{`{"type": "array"}`, `top level must be {"type": "object"`},
		{`{"type": "object"}`, "no properties"},
		{`{"type": "object", "properties": []}`, `"properties" must be an object`},
		{`{"type": "object", "properties": {"a": {"type": 12}}}`, "invalid JSON Schema"},
		{`not json`, "not a JSON Schema"},
	} {
		if _, err := ParseSchema([]byte(tt.doc), "s.json"); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "s.json: ") {
			t.Errorf("ParseSchema(%s) = %v, want an error about %q", tt.doc, err, tt.want)
		}
	}
}

func TestFieldsSchema(t *testing.T) {
	s, err := FieldsSchema("category, urgency:integer ,summary, done: boolean")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"category", "urgency", "summary", "done"}, s.Columns()); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if !s.request().Strict {
		t.Error("--fields schemas meet strict mode's rules and should ask for it")
	}
	vals, kinds, err := s.values(`{"category":"bug","urgency":3,"summary":"x","done":false}`)
	if err != nil || !cmp.Equal(vals, []string{"bug", "3", "x", "false"}) || !cmp.Equal(kinds, []table.Kind{table.Text, table.Number, table.Text, table.Bool}) {
		t.Errorf("values = %q %v %v", vals, kinds, err)
	}
	if _, _, err := s.values(`{"category":"bug","urgency":"high","summary":"x","done":false}`); err == nil || !strings.Contains(err.Error(), "/urgency") {
		t.Errorf("a string urgency validated: %v", err)
	}
	for _, bad := range []string{"a,a", "a:float", "", "a,,b"} {
		if _, err := FieldsSchema(bad); err == nil {
			t.Errorf("FieldsSchema(%q) accepted", bad)
		}
	}
}

// scripted answers each request with the next of its texts.
type scripted struct {
	texts []string
	n     atomic.Int64
}

func (s *scripted) Complete(context.Context, llm.Request) (llm.Response, error) {
	i := int(s.n.Add(1)) - 1
	return llm.Response{Text: s.texts[min(i, len(s.texts)-1)], Usage: llm.Usage{PromptTokens: 10, CompletionTokens: 4}}, nil
}

func TestSchemaRoundTrips(t *testing.T) {
	valid := `{"category":"billing","urgency":4,"summary":"double charge","tags":["card"],"refund":true}`
	tests := []struct {
		name      string
		texts     []string
		wantCalls int64
		wantVals  []string
		wantErr   string
	}{
		{"valid", []string{valid}, 1, []string{"billing", "4", "double charge", `["card"]`, "true"}, ""},
		{"invalid then valid", []string{`{"category":"nope"}`, valid}, 2, []string{"billing", "4", "double charge", `["card"]`, "true"}, ""},
		{"never valid", []string{`not json at all`}, 3, []string{"", "", "", "", ""}, "the answer is not JSON"},
		{"missing required", []string{`{"category":"bug"}`}, 3, []string{"", "", "", "", ""}, "does not match the schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchema([]byte(ticketSchema), "t.json")
			if err != nil {
				t.Fatal(err)
			}
			c := &scripted{texts: tt.texts}
			w := &memWriter{}
			opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}"), Schema: s}, Columns: Columns{Prefix: "t_", Usage: true}, Resume: Resume{Cache: newMemCache()}}
			if got := mustNew(t, opts).Columns(); !cmp.Equal(got, []string{"t_category", "t_urgency", "t_summary", "t_tags", "t_refund", "response_error", "response_tokens_in", "response_tokens_out"}) {
				t.Fatalf("Columns() = %q", got)
			}
			if _, err := runPipeline(context.Background(), &sliceReader{n: 1}, w, c, opts); err != nil {
				t.Fatal(err)
			}
			if c.n.Load() != tt.wantCalls {
				t.Errorf("%d calls, want %d", c.n.Load(), tt.wantCalls)
			}
			rec := w.recs[0]
			if diff := cmp.Diff(tt.wantVals, rec.Values[:5]); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if !strings.Contains(rec.Values[5], tt.wantErr) || (tt.wantErr == "") != (rec.Values[5] == "") {
				t.Errorf("error column %q, want %q", rec.Values[5], tt.wantErr)
			}
			if tt.wantErr == "" && (rec.Values[6] != "10" || rec.Kinds[6] != table.Number || rec.Kinds[1] != table.Number || rec.Kinds[4] != table.Bool) {
				t.Errorf("usage/kinds wrong: %q %v", rec.Values, rec.Kinds)
			}
			if tt.wantErr != "" && len(opts.Resume.Cache.(*memCache).m) != 0 {
				t.Error("an answer that never validated was recorded in the cache")
			}
		})
	}
}

func TestStrictOnlyWhenEveryObjectQualifies(t *testing.T) {
	for _, tt := range []struct {
		doc  string
		want bool
	}{
		{`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`, true},
		{`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`, false},
		{`{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}}}},"required":["a"],"additionalProperties":false}`, false},
		{`{"type":"object","properties":{"a":{"type":"array","items":{"type":"object","properties":{"b":{"type":"string"}},"required":["b"],"additionalProperties":false}}},"required":["a"],"additionalProperties":false}`, true},
	} {
		s, err := ParseSchema([]byte(tt.doc), "s.json")
		if err != nil {
			t.Fatal(err)
		}
		if got := s.request().Strict; got != tt.want {
			t.Errorf("strict = %v for %s, want %v", got, tt.doc, tt.want)
		}
	}
}

func TestAddedColumnNames(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want []string
	}{
		{Options{}, []string{"response", "response_error"}},
		{Options{Columns: Columns{Name: "answer", Usage: true}}, []string{"answer", "answer_error", "answer_tokens_in", "answer_tokens_out"}},
		{Options{Columns: Columns{Name: "ai_", Usage: true}}, []string{"ai_", "ai_error", "ai_tokens_in", "ai_tokens_out"}},
		{Options{Columns: Columns{Name: "x", Error: "problems"}}, []string{"x", "problems"}},
	} {
		if got := mustNew(t, tt.opts).Columns(); !cmp.Equal(got, tt.want) {
			t.Errorf("Columns() = %q, want %q", got, tt.want)
		}
	}
}
