package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Key identifies a request by its content: the journal records answers
// under it and the pipeline sends each distinct key once per run.
type Key [16]byte

func (k Key) String() string { return hex.EncodeToString(k[:]) }

// KeyOf identifies req by everything that shapes its answer: scope (the
// provider and its base URL, never the API key), model, parameters, system
// prompt, schema and prompt. A row's number is not part of it, so an edited
// input or template reuses every answer that still applies.
func KeyOf(scope string, req Request) Key {
	var schema json.RawMessage
	var strict bool
	if req.Schema != nil {
		schema, strict = req.Schema.JSON, req.Schema.Strict
	}
	b, _ := json.Marshal(struct {
		V           int             `json:"v"`
		Scope       string          `json:"scope"`
		Model       string          `json:"model"`
		System      string          `json:"system"`
		Prompt      string          `json:"prompt"`
		MaxTokens   int             `json:"max_tokens"`
		Temperature *float64        `json:"temperature"`
		Schema      json.RawMessage `json:"schema,omitempty"`
		Strict      bool            `json:"strict,omitempty"`
	}{1, scope, req.Model, req.System, req.Prompt, req.MaxTokens, req.Temperature, schema, strict})
	sum := sha256.Sum256(b)
	var k Key
	copy(k[:], sum[:])
	return k
}
