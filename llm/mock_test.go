package llm

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestMock(t *testing.T) {
	const mark = "mock answer (no model was called) to the prompt: "
	answer := func(text string, promptTokens int) Response {
		return Response{Text: mark + text, FinishReason: "stop", Usage: Usage{promptTokens, (len(mark+text) + 3) / 4}}
	}
	tests := []struct {
		name string
		req  Request
		want Response
	}{
		{"short", Request{Model: "m", Prompt: "Classify: apples"}, answer("Classify: apples", 4)},
		{"folded", Request{Prompt: "  a\n\tb\r\n\n c  "}, answer("a b c", 4)},
		{"system counts", Request{System: "12345678", Prompt: "x"}, answer("x", 3)},
		{"empty", Request{}, answer("", 0)},
		{"cut after 300 runes, saying so", Request{Prompt: strings.Repeat("ä", 301)}, answer(strings.Repeat("ä", 300)+"… (1 more characters)", 151)},
		{"exactly 300 runes", Request{Prompt: strings.Repeat("b", 300)}, answer(strings.Repeat("b", 300), 75)},
		{"the whole template, filled in", Request{Prompt: "Instructions first.\n\nWrite an ad for Trail Runner: light shoes"},
			answer("Instructions first. Write an ad for Trail Runner: light shoes", 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Mock{}.Complete(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
			again, _ := (&Mock{}).Complete(context.Background(), tt.req)
			if !cmp.Equal(got, again) {
				t.Errorf("second answer %+v differs from first %+v", again, got)
			}
		})
	}
}

func TestMockDiffersByPrompt(t *testing.T) {
	a, _ := Mock{}.Complete(context.Background(), Request{Prompt: "row 1"})
	b, _ := Mock{}.Complete(context.Background(), Request{Prompt: "row 2"})
	if a.Text == b.Text {
		t.Errorf("rows 1 and 2 got the same answer %q", a.Text)
	}
}

func TestMockContext(t *testing.T) {
	t.Run("latency", func(t *testing.T) {
		start := time.Now()
		if _, err := (Mock{Latency: 20 * time.Millisecond}).Complete(context.Background(), Request{}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Errorf("answered in %v, want at least 20ms", d)
		}
	})
	t.Run("deadline cuts latency", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Mock{Latency: time.Hour}.Complete(ctx, Request{})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Errorf("got %v after %v, want context.DeadlineExceeded at once", err, time.Since(start))
		}
	})
	t.Run("canceled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := (Mock{}).Complete(ctx, Request{}); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}

func TestMockSchema(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		want   string
	}{
		{"enum and number", schema, `{"label":"fruit","score":1.5}`},
		{"schema order, not sorted", `{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"integer"},"m":{"type":"boolean"}}}`,
			`{"z":"mock z","a":1,"m":true}`},
		{"top level only", `{"required":["b","a"],"properties":{"b":{"type":"object","properties":{"x":{"type":"string"}}},"a":{"type":"array","items":{"type":"string"}}},"title":"t","additionalProperties":false,"type":"object"}`,
			`{"b":{},"a":[]}`},
		{"every type", `{"type":"object","properties":{"s":{"type":"string"},"i":{"type":"integer"},"n":{"type":"number"},"b":{"type":"boolean"},"a":{"type":"array"},"o":{"type":"object"},"z":{"type":"null"}}}`,
			`{"s":"mock s","i":1,"n":1.5,"b":true,"a":[],"o":{},"z":null}`},
		{"type lists", `{"type":"object","properties":{"a":{"type":["string","null"]},"b":{"type":["null","integer"]},"c":{"type":["null"]}}}`,
			`{"a":"mock a","b":1,"c":null}`},
		{"enum wins over type, const over enum", `{"type":"object","properties":{"e":{"type":"integer","enum":[3,4]},"o":{"enum":[{"k": [1, 2]}]},"c":{"const":"x","enum":["y","x"]},"n":{"enum":[null]}}}`,
			`{"e":3,"o":{"k":[1,2]},"c":"x","n":null}`},
		{"no type, boolean schema", `{"type":"object","properties":{"any":{},"yes":true,"desc":{"description":"free text"}}}`,
			`{"any":"mock any","yes":"mock yes","desc":"mock desc"}`},
		{"names escaped", `{"type":"object","properties":{"a \"b\"":{"type":"string"},"<x>":{"type":"integer"}}}`,
			`{"a \"b\"":"mock a \"b\"","\u003cx\u003e":1}`},
		{"no properties", `{"type":"object"}`, `{}`},
		{"empty properties", `{"type":"object","properties":{}}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Model: "m", Prompt: "row 1", Schema: &Schema{JSON: json.RawMessage(tt.schema), Strict: true}}
			got, err := Mock{}.Complete(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want := Response{Text: tt.want, FinishReason: "stop", Usage: Usage{ceilDiv(len("row 1"), 4), ceilDiv(len(tt.want), 4)}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
			again, _ := Mock{}.Complete(context.Background(), req)
			if again.Text != got.Text {
				t.Errorf("second answer %q differs from first %q", again.Text, got.Text)
			}

			c := jsonschema.NewCompiler()
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.schema))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.AddResource("mem:///s.json", doc); err != nil {
				t.Fatal(err)
			}
			sch, err := c.Compile("mem:///s.json")
			if err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(sch, []byte(got.Text)); err != nil {
				t.Errorf("answer %s does not validate: %v", got.Text, err)
			}
		})
	}
}

func TestMockSchemaErrors(t *testing.T) {
	for _, tt := range []struct{ schema, want string }{
		{`{"properties":[]}`, `schema "answer": properties is not an object`},
		{`{"properties":"x"}`, `schema "answer": properties is not an object`},
		{`[]`, `schema "answer" is not a JSON object`},
	} {
		_, err := Mock{}.Complete(context.Background(), Request{Schema: &Schema{JSON: json.RawMessage(tt.schema)}})
		if err == nil || err.Error() != tt.want {
			t.Errorf("schema %s: got %v, want %q", tt.schema, err, tt.want)
		}
	}
}
