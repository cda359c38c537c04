package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// defaultSchemaName names a Schema that has no Name: both OpenAI's
// json_schema and Anthropic's tool need one.
const defaultSchemaName = "answer"

// parts returns the name and document to send, checked here so that a bad
// schema fails before it costs a request (and is not retried).
func (s *Schema) parts() (string, json.RawMessage, error) {
	name := s.Name
	if name == "" {
		name = defaultSchemaName
	}
	if !validSchemaName(name) {
		return "", nil, fmt.Errorf("schema name %q is not 1 to 64 letters, digits, '_' or '-'", name)
	}
	doc := bytes.TrimSpace(s.JSON)
	if !json.Valid(doc) {
		return "", nil, fmt.Errorf("schema %q is not valid JSON", name)
	}
	if doc[0] != '{' {
		return "", nil, fmt.Errorf("schema %q is not a JSON object", name)
	}
	return name, doc, nil
}

// validSchemaName: both OpenAI and Anthropic require ^[a-zA-Z0-9_-]{1,64}$.
func validSchemaName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for _, c := range []byte(name) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
