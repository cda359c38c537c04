package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"unicode/utf8"
)

// Funcs returns the helpers available in prompt templates, in addition to
// text/template's built-ins (index, len, printf, eq, and, or, not, …).
// keys orders the columns when a whole row is passed to json.
//
//	upper s, lower s, trim s         case and surrounding white space
//	truncate n s                     at most n characters, "…" marking a cut
//	default d s                      d when s is empty or only white space
//	replace old new s                every old replaced by new
//	contains sub s                   whether s contains sub
//	split sep s, join sep list       strings.Split / strings.Join
//	json v                           v as JSON text (a row: an object in column order)
func Funcs(keys []string) template.FuncMap {
	return template.FuncMap{
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
		"trim":     strings.TrimSpace,
		"truncate": truncate,
		"default": func(d, s string) string {
			if strings.TrimSpace(s) == "" {
				return d
			}
			return s
		},
		"replace":  func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"contains": func(sub, s string) bool { return strings.Contains(s, sub) },
		"split":    func(sep, s string) []string { return strings.Split(s, sep) },
		"join":     func(sep string, list []string) string { return strings.Join(list, sep) },
		"json":     func(v any) (string, error) { return toJSON(keys, v) },
	}
}

func truncate(n int, s string) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("truncate: length must be at least 1, got %d", n)
	}
	if utf8.RuneCountInString(s) <= n {
		return s, nil
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…", nil
}

// toJSON encodes v without HTML escaping; a row map keeps column order,
// which a plain map encoding (sorted keys) would lose.
func toJSON(keys []string, v any) (string, error) {
	var buf bytes.Buffer
	if row, ok := v.(map[string]string); ok && len(row) == len(keys) {
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encode(&buf, k); err != nil {
				return "", err
			}
			buf.WriteByte(':')
			if err := encode(&buf, row[k]); err != nil {
				return "", err
			}
		}
		buf.WriteByte('}')
		return buf.String(), nil
	}
	if err := encode(&buf, v); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func encode(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}
