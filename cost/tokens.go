package cost

import (
	"strings"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// Counter estimates the tokens of a chat request for one model.
type Counter struct {
	codec tokenizer.Codec // nil: four bytes a token
	name  string
}

// Overhead of the chat format, as OpenAI's cookbook counts it: a few
// tokens per message plus three that prime the reply.
const (
	perMessage = 3
	perReply   = 3
)

var (
	codecsMu sync.Mutex
	codecs   = map[tokenizer.Encoding]tokenizer.Codec{}
)

// CounterFor returns a Counter for model: OpenAI's tokenizer when the model
// is one of OpenAI's, the bytes/4 rule otherwise.
func CounterFor(model string) Counter {
	m := strings.ToLower(model)
	var enc tokenizer.Encoding
	switch {
	case strings.HasPrefix(m, "gpt-4o"), strings.HasPrefix(m, "gpt-4.1"), strings.HasPrefix(m, "gpt-5"),
		strings.HasPrefix(m, "o1"), strings.HasPrefix(m, "o3"), strings.HasPrefix(m, "o4"),
		strings.HasPrefix(m, "chatgpt-4o"), strings.HasPrefix(m, "ft:gpt-4o"), strings.HasPrefix(m, "gpt-oss"):
		enc = tokenizer.O200kBase
	case strings.HasPrefix(m, "gpt-4"), strings.HasPrefix(m, "gpt-3.5"), strings.HasPrefix(m, "ft:gpt-3.5"), strings.HasPrefix(m, "ft:gpt-4"):
		enc = tokenizer.Cl100kBase
	default:
		return Counter{name: "about 4 bytes a token"}
	}
	// The vocabularies take tens of milliseconds to load; load each once
	// per process. Codecs only read their tables, so sharing is safe.
	codecsMu.Lock()
	defer codecsMu.Unlock()
	c, ok := codecs[enc]
	if !ok {
		var err error
		if c, err = tokenizer.Get(enc); err != nil {
			return Counter{name: "about 4 bytes a token"}
		}
		codecs[enc] = c
	}
	return Counter{codec: c, name: string(enc)}
}

// Name says how the Counter counts: a tokenizer's name, or the rule.
func (c Counter) Name() string { return c.name }

// Exact reports whether the Counter uses the model's own tokenizer.
func (c Counter) Exact() bool { return c.codec != nil }

// Text counts the tokens of s.
func (c Counter) Text(s string) int {
	if c.codec != nil {
		if n, err := c.codec.Count(s); err == nil {
			return n
		}
	}
	return (len(s) + 3) / 4
}

// Prompt counts the input tokens of a request with an optional system
// message and one user message, chat overhead included.
func (c Counter) Prompt(system, prompt string) int {
	n := perReply + perMessage + c.Text(prompt)
	if system != "" {
		n += perMessage + c.Text(system)
	}
	return n
}
