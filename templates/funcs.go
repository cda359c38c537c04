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
//
// No helper makes a value larger than MaxPrompt (a *TooLargeError instead),
// and text/template's printf, print, println, html, js and urlquery are
// replaced by versions with the same check.
func Funcs(keys []string) template.FuncMap {
	m := template.FuncMap{
		"upper":    func(s string) (string, error) { return checked("upper", strings.ToUpper(s)) },
		"lower":    func(s string) (string, error) { return checked("lower", strings.ToLower(s)) },
		"trim":     strings.TrimSpace,
		"truncate": truncate,
		"default": func(d, s string) string {
			if strings.TrimSpace(s) == "" {
				return d
			}
			return s
		},
		"replace":  replace,
		"contains": func(sub, s string) bool { return strings.Contains(s, sub) },
		"split":    split,
		"join":     join,
		"json": func(v any) (string, error) {
			j, err := toJSON(keys, v)
			if err != nil {
				return "", err
			}
			return checked("json", j)
		},
	}
	for name, f := range guardedBuiltins() {
		m[name] = f
	}
	return m
}

// replace is strings.ReplaceAll with its result's size worked out first:
// replace "" "xxxxxxxx" puts the new text between every two characters.
func replace(old, new, s string) (string, error) {
	if n := strings.Count(s, old); n > 0 && len(s)+n*(len(new)-len(old)) > MaxPrompt {
		return "", tooLarge("replace")
	}
	return strings.ReplaceAll(s, old, new), nil
}

// split is strings.Split, refusing a list larger than MaxPrompt (16 bytes
// a part, as Go holds them, plus the text): split "" on a large cell
// makes a part of every character.
func split(sep, s string) ([]string, error) {
	parts := strings.Count(s, sep) + 1
	if sep == "" {
		parts = utf8.RuneCountInString(s)
	}
	if len(s)+16*parts > MaxPrompt {
		return nil, tooLarge("split")
	}
	return strings.Split(s, sep), nil
}

// join is strings.Join with its result's size worked out first: a long
// separator between many parts multiplies.
func join(sep string, list []string) (string, error) {
	n := len(sep) * max(len(list)-1, 0)
	for _, s := range list {
		n += len(s)
		if n > MaxPrompt {
			return "", tooLarge("join")
		}
	}
	if n > MaxPrompt {
		return "", tooLarge("join")
	}
	return strings.Join(list, sep), nil
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
