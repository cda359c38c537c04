package readers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// offsetError carries the byte offset in the line where parsing failed, so
// JSONL.locate can turn it into a column.
type offsetError struct {
	offset int
	err    error
}

func (e *offsetError) Error() string { return e.err.Error() }
func (e *offsetError) Unwrap() error { return e.err }

// parseObject calls fn for each member of the JSON object on line, in
// order, with the value's raw JSON text. Anything but exactly one object
// is an error.
func parseObject(line []byte, fn func(key string, value json.RawMessage) error) error {
	// encoding/json would quietly turn bad bytes into U+FFFD; a reader must
	// not alter text, so refuse them as the CSV reader does.
	if !utf8.Valid(line) {
		off := invalidUTF8At(line)
		return &offsetError{off, detailf(ErrUTF8, "invalid UTF-8 (byte 0x%02x): save the file as UTF-8", line[off])}
	}
	// encoding/json would as quietly turn half a surrogate pair into
	// U+FFFD.
	if off := loneSurrogate(line); off >= 0 {
		return &offsetError{off, detailf(ErrSurrogate, "unpaired surrogate escape %s: it stands for no character; fix what wrote the file", line[off:off+6])}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	if err != nil {
		return jsonError(line)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		if d == '[' {
			return detailf(ErrNotObject, "expected a JSON object, got an array; each line must hold one object, so put the array's objects one per line (jq -c '.[]' does this)")
		}
		return detailf(ErrNotObject, `expected a JSON object, got %s; each line must hold one object, such as {"id": 1}`, describe(tok))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(line)
		}
		key, _ := tok.(string) // Token rejects keys that are not strings
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return jsonError(line)
		}
		if err := fn(key, value); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return jsonError(line)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jsonError(line)
	}
	return nil
}

// cellText renders a JSON value as a cell: a string as its text, null as
// "", anything else as its JSON. Numbers keep their spelling (1.50 stays
// 1.50) because the raw text is used, never a float64; objects and arrays
// are compacted so that a cell holds no layout whitespace.
func cellText(value json.RawMessage) string {
	switch value[0] {
	case '"':
		if bytes.IndexByte(value, '\\') < 0 {
			return string(value[1 : len(value)-1])
		}
		var s string
		_ = json.Unmarshal(value, &s) // the decoder has already checked it
		return s
	case 'n':
		return ""
	case '{', '[':
		var b bytes.Buffer
		_ = json.Compact(&b, value)
		return b.String()
	default:
		return string(value)
	}
}

// jsonError explains why line is not one JSON value. It asks
// json.Unmarshal rather than trusting the decoder's error, because the
// decoder's SyntaxError offsets count from where its current token began,
// while Unmarshal's count from the start of the line.
func jsonError(line []byte) error {
	err := json.Unmarshal(line, new(json.RawMessage))
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		return detailf(ErrJSON, "invalid JSON")
	}
	off := max(int(syn.Offset)-1, 0)
	switch {
	case strings.Contains(syn.Error(), "unexpected end"):
		return &offsetError{len(line), detailf(ErrJSON,
			"invalid JSON: the line ends inside a value; JSON Lines needs each object on one line (pretty-printed JSON will not do)")}
	case strings.Contains(syn.Error(), "after top-level value"):
		return &offsetError{off, detailf(ErrJSON, "unexpected data after the object; put one object per line")}
	}
	return &offsetError{off, detailf(ErrJSON, "invalid JSON: %v", syn)}
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "something else"
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}
