package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Mock is an offline Client for dry runs, demos and tests. Its answer says
// plainly that no model was called and quotes the end of the prompt, so
// equal requests get equal answers and different rows visibly differ.
// With a Schema it answers a JSON object instead, with a placeholder for
// each top-level property (see mockObject), so structured runs can be
// tried offline too. The zero value answers at once.
type Mock struct {
	Latency time.Duration // how long each answer takes; ctx can cut it short
}

var _ Client = Mock{}

// mockName is the Mock's name in New.
const mockName = "mock"

// mockFrom is New's way in (see providers.go); Options mean nothing offline.
func mockFrom(Options) (Client, error) { return Mock{}, nil }

// mockQuoteRunes is how much of the prompt the answer quotes: enough to
// see a template filled in with the row's cells.
const mockQuoteRunes = 300

// Complete answers without a network. Usage follows the same ~4 bytes a
// token estimate the pipeline uses, so token budgets behave plausibly.
func (m Mock) Complete(ctx context.Context, req Request) (Response, error) {
	if err := ctx.Err(); err != nil {
		return Response{}, err
	}
	if m.Latency > 0 {
		t := time.NewTimer(m.Latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return Response{}, ctx.Err()
		case <-t.C:
		}
	}
	text := "mock answer (no model was called) to the prompt: " + quote(req.Prompt, mockQuoteRunes)
	if req.Schema != nil {
		var err error
		if text, err = mockObject(req.Schema); err != nil {
			return Response{}, err
		}
	}
	return Response{
		Text:         text,
		FinishReason: "stop",
		Usage: Usage{
			PromptTokens:     ceilDiv(len(req.System)+len(req.Prompt), 4),
			CompletionTokens: ceilDiv(len(text), 4),
		},
	}, nil
}

// quote returns the first n runes of s with every run of whitespace
// folded to one space, and says how much was left out: the whole prompt,
// as the model would have read it, for any template of a few lines.
func quote(s string, n int) string {
	folded := []rune(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
	if len(folded) <= n {
		return string(folded)
	}
	return fmt.Sprintf("%s… (%d more characters)", string(folded[:n]), len(folded)-n)
}

// mockObject answers a schema with one JSON object holding a value for
// each property in its top-level "properties", in the schema's order (a
// token walk, since a map would lose it): the "const", else the first
// "enum" value, else by "type": "mock NAME" for a string (and for no type),
// 1, 1.5, true, [], {} or null. That validates against simple schemas,
// strict ones included, since every property is there and nothing else;
// bounds, patterns and formats are not looked at.
func mockObject(s *Schema) (string, error) {
	name, doc, err := s.parts()
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	var b bytes.Buffer
	b.WriteByte('{')
	if _, err := dec.Token(); err != nil { // the '{' parts checked
		return "", fmt.Errorf("schema %q: %w", name, err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("schema %q: %w", name, err)
		}
		if key != "properties" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return "", fmt.Errorf("schema %q: %w", name, err)
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return "", fmt.Errorf("schema %q: properties is not an object", name)
		}
		for i := 0; dec.More(); i++ {
			prop, err := dec.Token()
			if err != nil {
				return "", fmt.Errorf("schema %q: %w", name, err)
			}
			var sub json.RawMessage
			if err := dec.Decode(&sub); err != nil {
				return "", fmt.Errorf("schema %q: property %q: %w", name, prop, err)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(prop)
			b.Write(k)
			b.WriteByte(':')
			b.Write(mockValue(prop.(string), sub))
		}
		break // a second "properties" would be invalid anyway
	}
	b.WriteByte('}')
	return b.String(), nil
}

// mockValue is the placeholder for one property whose schema is sub.
func mockValue(name string, sub json.RawMessage) []byte {
	var p struct {
		Type  json.RawMessage   `json:"type"`
		Enum  []json.RawMessage `json:"enum"`
		Const json.RawMessage   `json:"const"`
	}
	_ = json.Unmarshal(sub, &p) // a boolean schema or an odd one: a string will do
	var v bytes.Buffer
	switch {
	case p.Const != nil && json.Compact(&v, p.Const) == nil:
		return v.Bytes()
	case len(p.Enum) > 0 && json.Compact(&v, p.Enum[0]) == nil:
		return v.Bytes()
	}
	switch schemaType(p.Type) {
	case "integer":
		return []byte("1")
	case "number":
		return []byte("1.5")
	case "boolean":
		return []byte("true")
	case "array":
		return []byte("[]")
	case "object":
		return []byte("{}")
	case "null":
		return []byte("null")
	}
	s, _ := json.Marshal("mock " + name)
	return s
}

// schemaType reads "type": a string, or a list whose first non-null
// entry counts ("null" only when it is all there is).
func schemaType(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		return ""
	}
	for _, t := range many {
		if t != "null" {
			return t
		}
	}
	if len(many) > 0 {
		return "null"
	}
	return ""
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
