package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The answer's shape, read leniently: OpenAI, Azure, vLLM, llama.cpp and
// Ollama agree on the fields used here but not always on their types or
// presence, so the loose ones decode into any (which is also cheaper than
// json.RawMessage: no second scan).
type chatResponse struct {
	Choices []chatChoice `json:"choices"`
	Usage   *struct {
		PromptTokens     any `json:"prompt_tokens"`
		CompletionTokens any `json:"completion_tokens"`
	} `json:"usage"`
	Error any `json:"error"` // some proxies answer 200 with an error object
}

type chatChoice struct {
	Message *struct {
		Content any `json:"content"`
		Refusal any `json:"refusal"`
	} `json:"message"`
	Text         any `json:"text"` // the legacy completions shape some servers still use
	FinishReason any `json:"finish_reason"`
}

// unreadable is the *Error for a 2xx body that does not parse: a truncated
// answer or a proxy's HTML page, worth another attempt.
func unreadable(err error, raw []byte) *Error {
	return &Error{
		Message:   fmt.Sprintf("unreadable response body: %v (body starts %q)", err, snippet(raw, 60)),
		Retryable: true,
	}
}

// count reads a token count sent as 12, 12.0 or "12"; anything else is 0.
func count(v any) int {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case string:
		f, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
	}
	if f < 0 || f > 1<<53 || f != f {
		return 0
	}
	return int(f)
}

// decodeChat turns a 2xx body into a Response, or an *Error (Status 0)
// saying why it holds no usable answer.
func decodeChat(raw []byte) (Response, *Error) {
	var r chatResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return Response{}, unreadable(err, raw)
	}
	if len(r.Choices) == 0 {
		if r.Error != nil {
			msg, code := errorMessage(raw)
			st, _ := strconv.Atoi(code)
			return Response{}, &Error{Message: "provider error: " + msg, Code: code, Retryable: retryableStatus(st)}
		}
		return Response{}, &Error{Message: "response has no choices"}
	}

	ch := r.Choices[0]
	finish, _ := ch.FinishReason.(string)
	var text, refusal string
	hasContent := false
	if ch.Message != nil {
		text, refusal, hasContent = content(ch.Message.Content)
		if rf, _ := ch.Message.Refusal.(string); rf != "" {
			refusal = rf
		}
	}
	if t, ok := ch.Text.(string); ok && !hasContent {
		text, hasContent = t, true
	}

	switch {
	case text == "" && refusal != "":
		return Response{}, &Error{Message: "model refused: " + refusal, Code: "refusal"}
	case finish == "content_filter":
		return Response{}, &Error{Message: "answer withheld by the provider's content filter", Code: "content_filter"}
	case !hasContent:
		shown := finish
		if shown == "" {
			shown = "not given"
		}
		return Response{}, &Error{Message: fmt.Sprintf("response has no content (finish_reason %s)", shown)}
	}

	out := Response{Text: text, FinishReason: finish}
	if r.Usage != nil {
		out.Usage = Usage{PromptTokens: count(r.Usage.PromptTokens), CompletionTokens: count(r.Usage.CompletionTokens)}
	}
	return out, nil
}

// content reads message.content: a string, or an array of parts whose text
// parts are joined. ok is false when it is absent, null or holds no text part.
func content(v any) (text, refusal string, ok bool) {
	switch v := v.(type) {
	case string:
		return v, "", true
	case []any:
		var b strings.Builder
		for _, p := range v {
			switch p := p.(type) {
			case string: // some servers send bare strings
				b.WriteString(p)
				ok = true
			case map[string]any:
				if p["type"] == "refusal" {
					refusal, _ = p["refusal"].(string)
				} else if t, isText := p["text"].(string); isText {
					b.WriteString(t)
					ok = true
				}
			}
		}
		return b.String(), refusal, ok
	}
	return "", "", false
}

// errorMessage finds the provider's message (and code) in an error body:
// {"error":{"message":…,"code":…}} (OpenAI, Azure), {"error":"…"} (Ollama,
// llama.cpp), {"message":…} (vLLM), {"detail":…} (FastAPI, RFC 7807, Prism)
// or, failing those, the start of the body as text.
func errorMessage(body []byte) (msg, code string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", ""
	}
	var top map[string]json.RawMessage
	if body[0] == '{' && json.Unmarshal(body, &top) == nil {
		if e := top["error"]; jsonIsString(e) {
			msg = jsonString(e)
		} else if len(e) > 0 && e[0] == '{' {
			var inner map[string]json.RawMessage
			if json.Unmarshal(e, &inner) == nil {
				msg = jsonString(inner["message"])
				code = jsonScalar(inner["code"])
				if code == "" {
					code = jsonScalar(inner["type"])
				}
			}
		}
		if msg == "" {
			msg = jsonString(top["message"])
		}
		if msg == "" {
			msg = jsonString(top["detail"])
		}
		if msg == "" {
			msg = jsonString(top["title"])
		}
		if msg == "" && len(top["detail"]) > 0 && string(top["detail"]) != "null" {
			msg = snippet(top["detail"], 200) // FastAPI's list of validation errors
		}
		if code == "" {
			code = jsonScalar(top["code"])
		}
		if code == "" {
			code = jsonScalar(top["type"])
		}
		if v := validationMessages(top["validation"]); msg != "" && v != "" {
			msg = strings.TrimSuffix(msg, ".") + ": " + v
		}
		if msg != "" {
			return snippet([]byte(msg), 500), code
		}
	}
	if t := htmlTitle(body); t != "" {
		return t, code
	}
	return snippet(body, 200), code
}

// validationMessages lists the first few of Prism's validation errors.
func validationMessages(raw json.RawMessage) string {
	var list []struct {
		Location []any  `json:"location"`
		Message  string `json:"message"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &list) != nil {
		return ""
	}
	var out []string
	for i, v := range list {
		if i == 3 {
			out = append(out, fmt.Sprintf("and %d more", len(list)-i))
			break
		}
		loc := make([]string, len(v.Location))
		for j, l := range v.Location {
			loc[j] = fmt.Sprint(l)
		}
		out = append(out, strings.Join(loc, ".")+" "+v.Message)
	}
	return strings.Join(out, "; ")
}

// htmlTitle returns the <title> of an HTML error page (proxies, gateways).
func htmlTitle(body []byte) string {
	lower := asciiLower(body)
	i := bytes.Index(lower, []byte("<title>"))
	if i < 0 {
		return ""
	}
	start := i + len("<title>")
	j := bytes.Index(lower[start:], []byte("</title>"))
	if j < 0 {
		return ""
	}
	return snippet(body[start:start+j], 200)
}

// asciiLower lowers ASCII letters only, so that offsets in the result are
// offsets in b: bytes.ToLower turns invalid UTF-8 into longer U+FFFDs.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// snippet folds whitespace runs to single spaces and cuts to at most max
// bytes on a rune boundary, marking the cut with "…".
func snippet(b []byte, max int) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func jsonIsString(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '"'
}

// jsonString is raw's value if it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	var s string
	if !jsonIsString(raw) || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// jsonScalar is a string's value or a number's text, else "".
func jsonScalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if jsonIsString(raw) {
		return jsonString(raw)
	}
	if len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return string(raw)
	}
	return ""
}
