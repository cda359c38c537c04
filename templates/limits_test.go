package templates

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Item 8 of issue 13: a template that renders a gigabyte per row cost a
// gigabyte per worker and was sent; every way of making a large prompt
// stops at MaxPrompt with a *TooLargeError, having made little more.
func TestRenderedPromptIsCapped(t *testing.T) {
	header := []string{"a"}
	cell := strings.Repeat("k", 1000)
	tests := []struct{ name, tmpl string }{
		{"a loop", `{{range 100000}}{{$.a}}{{end}}`},
		{"printf widths", `{{printf "%01000000d%01000000d%01000000d%01000000d%01000000d" 1 2 3 4 5}}`},
		{"printf star widths", `{{printf "%*d%*d%*d%*d%*d" 1000000 1 1000000 2 1000000 3 1000000 4 1000000 5}}`},
		{"print doubling a variable", `{{$x := .a}}{{range 40}}{{$x = print $x $x}}{{end}}{{len $x}}`},
		{"printf doubling a variable", `{{$x := .a}}{{range 40}}{{$x = printf "%s%s" $x $x}}{{end}}`},
		{"replace the empty string", `{{$x := .a}}{{range 40}}{{$x = replace "" $x $x}}{{end}}`},
		{"join a long separator", `{{$x := .a}}{{range 40}}{{$x = join $x (split "" $x)}}{{end}}`},
		{"html of html", `{{$x := printf "%s&" .a}}{{range 40}}{{$x = html $x $x}}{{end}}`},
		{"json of json", `{{$x := .a}}{{range 40}}{{$x = json (print $x "\"" $x)}}{{end}}`},
		{"nested templates", `{{define "a"}}{{$.a}}{{$.a}}{{$.a}}{{$.a}}{{end}}` +
			`{{define "b"}}{{template "a" .}}{{template "a" .}}{{template "a" .}}{{template "a" .}}{{end}}` +
			`{{define "c"}}{{template "b" .}}{{template "b" .}}{{template "b" .}}{{template "b" .}}{{end}}` +
			`{{define "d"}}{{template "c" .}}{{template "c" .}}{{template "c" .}}{{template "c" .}}{{end}}` +
			`{{define "e"}}{{template "d" .}}{{template "d" .}}{{template "d" .}}{{template "d" .}}{{end}}` +
			`{{template "e" .}}{{template "e" .}}{{template "e" .}}{{template "e" .}}{{template "e" .}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse(tt.tmpl, header, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = tp.Render([]string{cell})
			var tl *TooLargeError
			if !errors.As(err, &tl) || !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "larger than 4 MiB") {
				t.Errorf("got %v, want a *TooLargeError", err)
			}
		})
	}
	// Just under the cap is fine.
	tp, _ := Parse(`{{printf "%*d%*d%*d%*d" 1000000 1 1000000 2 1000000 3 1000000 4}}{{range 190}}{{$.a}}{{end}}`, header, "")
	if s, err := tp.Render([]string{cell}); err != nil || len(s) != 4190000 {
		t.Errorf("got %d bytes, %v; want 4190000 bytes", len(s), err)
	}
}

func TestTemplateTextIsCapped(t *testing.T) {
	_, err := Parse(strings.Repeat("x", MaxText+1), []string{"a"}, "")
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "the prompt template is larger than 1 MiB") {
		t.Errorf("got %v, want the template refused as too large", err)
	}
}

// Items 8 and 9 of issue 13: a recursive template cost ~80 MB of stack
// per worker and then failed on every row; a call to an undefined
// template failed on every row. Both are refused by Parse.
func TestRecursionAndUndefinedTemplatesAreRefused(t *testing.T) {
	tests := []struct{ name, tmpl, want string }{
		{"self", `{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}`, `template "a" calls itself ("a" → "a")`},
		{"through another", `{{define "a"}}x{{if .v}}{{template "b" .}}{{end}}{{end}}{{define "b"}}{{template "a" .}}{{end}}{{template "a" .}}`,
			`template "a" calls itself ("a" → "b" → "a")`},
		{"the prompt itself", `{{.v}}{{template "prompt" .}}`, `template "prompt" calls itself`},
		{"in a range", `{{define "a"}}{{range .}}{{template "a" .}}{{end}}{{end}}{{template "a" .}}`, `template "a" calls itself`},
		{"undefined", `{{template "nope"}}`, `template "nope" is called but not defined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.tmpl, []string{"v"}, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	// Calling the same template twice, or nesting, is no recursion.
	tp, err := Parse(`{{define "a"}}<{{.v}}>{{end}}{{define "b"}}{{template "a" .}}{{template "a" .}}{{end}}{{template "b" .}}{{block "c" .}}!{{end}}`, []string{"v"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tp.Render([]string{"x"}); err != nil || got != "<x><x>!" {
		t.Errorf("got %q, %v; want %q", got, err, "<x><x>!")
	}
}

func TestPrintfSizeIsAnUpperBound(t *testing.T) {
	for _, tt := range []struct {
		format string
		args   []any
	}{
		{"%d", []any{12345}},
		{"%08.3f|%-10s|%+v", []any{3.14159, "abc", map[string]string{"k": "v"}}},
		{"%[2]*[1]d", []any{7, 12}},
		{"%q", []any{"a\"b\x00"}},
		{"%v", []any{[]string{"a", "bb", "ccc"}}},
		{"%x % x %X", []any{"abc", "def", "ghi"}},
		{"%#v %+q", []any{map[string]string{"k": "v\x01"}, "é\U0001f600"}},
		{"%f %e", []any{1e308, -1e-308}},
		{"%d %d", []any{1}},
		{"%", []any{1, 2}},
		{"%.*f|%*s", []any{30, 1.5, 12, "x"}},
		{"%!", nil},
		{"", []any{1, "a", 2.5, true, nil}},
	} {
		got := len(fmtSprintf(tt.format, tt.args...))
		if bound := printfSize(tt.format, tt.args); bound < got {
			t.Errorf("printfSize(%q, %v) = %d, less than the %d bytes printed", tt.format, tt.args, bound, got)
		}
	}
}

var fmtSprintf = fmt.Sprintf
