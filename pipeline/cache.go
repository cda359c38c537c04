package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"sync"

	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
)

// Cache keeps answers across runs (package journal is the one enrich uses).
// Put must be durable when it returns: the pipeline counts on it to never
// pay twice for an answer.
type Cache interface {
	Get(key journal.Key) (llm.Response, bool, error)
	Has(key journal.Key) bool
	Put(key journal.Key, resp llm.Response) error
}

// RequestKey identifies a request by everything that shapes its answer:
// scope (the provider and its base URL, never the API key), model,
// parameters, system prompt, schema and prompt. A row's number is not part
// of it, so an edited input or template reuses every answer that still
// applies.
func RequestKey(scope string, req llm.Request) journal.Key {
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
	var k journal.Key
	copy(k[:], sum[:])
	return k
}

// request is the request for one rendered prompt.
func (o Options) request(prompt string) llm.Request {
	return llm.Request{
		Model:       o.Model,
		System:      o.System,
		Prompt:      prompt,
		MaxTokens:   o.MaxTokens,
		Temperature: o.Temperature,
		Schema:      o.Schema.request(),
	}
}

// rowKey is the request's key, made unique to the row when identical
// requests are not to be shared (sampling at temperature > 0 may want
// each row to get its own answer).
func (o Options) rowKey(req llm.Request, seq int64) journal.Key {
	k := RequestKey(o.Scope, req)
	if o.NoDedupe {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(seq))
		sum := sha256.Sum256(append(k[:], n[:]...))
		copy(k[:], sum[:])
	}
	return k
}

// flight is one request that several rows are waiting for.
type flight struct {
	done chan struct{}
	resp llm.Response
	err  error
}

// shared makes identical requests within a run cost one: the first row to
// ask sends the request, the others wait for its outcome.
type shared struct {
	mu      sync.Mutex
	flights map[journal.Key]*flight
}

// do returns fn's outcome for key, calling fn only if no other caller is
// already doing so; leader reports whether this caller called it.
func (s *shared) do(ctx context.Context, key journal.Key, fn func() (llm.Response, error)) (resp llm.Response, leader bool, err error) {
	s.mu.Lock()
	if f, ok := s.flights[key]; ok {
		s.mu.Unlock()
		select {
		case <-f.done:
			return f.resp, false, f.err
		case <-ctx.Done():
			return llm.Response{}, false, ctx.Err()
		}
	}
	f := &flight{done: make(chan struct{})}
	s.flights[key] = f
	s.mu.Unlock()

	f.resp, f.err = fn()
	close(f.done)
	s.mu.Lock()
	delete(s.flights, key)
	s.mu.Unlock()
	return f.resp, true, f.err
}
