package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// toolDescription tells the model what the forced tool is for.
const toolDescription = "Record the answer."

type messagesRequest struct {
	Model       string          `json:"model"`
	MaxTokens   int             `json:"max_tokens"`
	System      string          `json:"system,omitempty"`
	Messages    []chatMessage   `json:"messages"`
	Temperature *float64        `json:"temperature,omitempty"`
	Tools       []anthropicTool `json:"tools,omitempty"`
	ToolChoice  *toolChoice     `json:"tool_choice,omitempty"`
}

type anthropicTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type toolChoice struct {
	Type string `json:"type"` // always "tool": this one, no other, no prose
	Name string `json:"name"`
}

// encodeMessages builds the body, and names the tool whose input is the
// answer ("" without a schema).
func encodeMessages(req Request) ([]byte, string, error) {
	body := messagesRequest{
		Model:       req.Model,
		MaxTokens:   req.MaxTokens,
		System:      req.System,
		Messages:    []chatMessage{{Role: "user", Content: req.Prompt}},
		Temperature: req.Temperature,
	}
	if body.MaxTokens <= 0 {
		body.MaxTokens = DefaultAnthropicMaxTokens
	}
	var name string
	if req.Schema != nil {
		var doc json.RawMessage
		var err error
		if name, doc, err = req.Schema.parts(); err != nil {
			return nil, "", err
		}
		// Forced tool use works on every Claude model, unlike the newer
		// output_format; Schema.Strict has no counterpart here.
		body.Tools = []anthropicTool{{Name: name, Description: toolDescription, InputSchema: doc}}
		body.ToolChoice = &toolChoice{Type: "tool", Name: name}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, "", fmt.Errorf("encode request: %w", err)
	}
	return b, name, nil
}

// The answer's shape. Usage decodes into any and is read with count, as
// for OpenAI: proxies in front of the API are not always exact.
type messagesResponse struct {
	Type       string         `json:"type"`
	Content    []contentBlock `json:"content"`
	StopReason string         `json:"stop_reason"`
	Usage      *struct {
		InputTokens              any `json:"input_tokens"`
		OutputTokens             any `json:"output_tokens"`
		CacheCreationInputTokens any `json:"cache_creation_input_tokens"`
		CacheReadInputTokens     any `json:"cache_read_input_tokens"`
	} `json:"usage"`
	Error any `json:"error"` // {"type":"error","error":{…}} in a 200
}

type contentBlock struct {
	Type  string          `json:"type"` // "text", "tool_use", "thinking", …
	Text  string          `json:"text"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// decodeMessages turns a 2xx body into a Response, or an *Error (Status 0)
// saying why it holds no usable answer. With a tool, only that tool's
// input counts as the answer; without, the text blocks, joined.
func decodeMessages(raw []byte, tool string) (Response, *Error) {
	var r messagesResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return Response{}, unreadable(err, raw)
	}
	if r.Type == "error" || (r.Error != nil && len(r.Content) == 0) {
		msg, code := errorMessage(raw)
		return Response{}, &Error{Message: "provider error: " + msg, Code: code, Retryable: retryableAnthropicError(code)}
	}

	var text strings.Builder
	hasContent := false
	for _, b := range r.Content {
		switch {
		case tool == "" && b.Type == "text":
			text.WriteString(b.Text)
			hasContent = true
		case tool != "" && b.Type == "tool_use" && b.Name == tool && !hasContent:
			var compact bytes.Buffer
			if json.Compact(&compact, b.Input) == nil && compact.String() != "null" {
				text.Write(compact.Bytes())
				hasContent = true
			}
		}
	}

	finish := anthropicFinish(r.StopReason)
	switch {
	case r.StopReason == "refusal":
		msg := "model refused"
		if t := textOf(r.Content); t != "" {
			msg += ": " + snippet([]byte(t), 200)
		}
		return Response{}, &Error{Message: msg, Code: "refusal"}
	case !hasContent:
		shown := finish
		if shown == "" {
			shown = "not given"
		}
		return Response{}, &Error{Message: fmt.Sprintf("response has no content (finish_reason %s)", shown)}
	}

	out := Response{Text: text.String(), FinishReason: finish}
	if u := r.Usage; u != nil {
		out.Usage = Usage{
			PromptTokens:     count(u.InputTokens) + count(u.CacheCreationInputTokens) + count(u.CacheReadInputTokens),
			CompletionTokens: count(u.OutputTokens),
		}
	}
	return out, nil
}

// textOf joins the text blocks, e.g. for a refusal's explanation.
func textOf(blocks []contentBlock) string {
	var b strings.Builder
	for _, c := range blocks {
		if c.Type == "text" {
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// anthropicFinish says a stop_reason in OpenAI's words, the vocabulary of
// Response.FinishReason. Reasons without an equivalent pass as they are.
func anthropicFinish(stop string) string {
	switch stop {
	case "end_turn", "stop_sequence", "tool_use":
		return "stop"
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	}
	return stop
}

// retryableAnthropicError sorts the error types Anthropic may put in a 200
// by the status they stand for: 429, 500, 504 and 529 may pass.
func retryableAnthropicError(typ string) bool {
	switch typ {
	case "rate_limit_error", "api_error", "timeout_error", "overloaded_error":
		return true
	}
	return false
}

// parseAnthropicLimits reads anthropic-ratelimit-* headers. The requests
// group maps as it is. Of the token groups, the combined one (tokens-*)
// and the input one (input-tokens-*) are compared and the tighter kept,
// limit, remaining and reset together: that is what a prompt spends.
// output-tokens-* is left out, since Limits holds one token budget and
// the caller's estimate is mostly prompt. Resets are RFC 3339 times.
func parseAnthropicLimits(h http.Header, now time.Time) Limits {
	var l Limits
	l.LimitRequests, _ = headerInt(h, "Anthropic-Ratelimit-Requests-Limit")
	l.RemainingRequests, l.HasRemaining = headerInt(h, "Anthropic-Ratelimit-Requests-Remaining")
	l.ResetRequests = parseReset(get(h, "Anthropic-Ratelimit-Requests-Reset"), now)

	seen := false
	for _, prefix := range [...]string{"Anthropic-Ratelimit-Tokens-", "Anthropic-Ratelimit-Input-Tokens-"} {
		limit, hasLimit := headerInt(h, prefix+"Limit")
		remaining, hasRemaining := headerInt(h, prefix+"Remaining")
		if !hasLimit && !hasRemaining {
			continue
		}
		tighter := !seen ||
			hasRemaining && (!l.HasRemainingTokens || remaining < l.RemainingTokens) ||
			!hasRemaining && !l.HasRemainingTokens && limit < l.LimitTokens
		if tighter {
			l.LimitTokens, l.RemainingTokens, l.HasRemainingTokens = limit, remaining, hasRemaining
			l.ResetTokens = parseReset(get(h, prefix+"Reset"), now)
			seen = true
		}
	}
	return l
}
