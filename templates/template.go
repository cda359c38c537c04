package templates

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

// Template is a parsed prompt template bound to one header.
type Template struct {
	tmpl *template.Template
	keys []string
}

// FieldError reports a template field that names no column.
type FieldError struct {
	Field   string   // the name as written in the template
	Columns []string // the names that exist
	Source  string   // where the columns come from (an input file), for messages
}

func (e *FieldError) Error() string {
	where := ""
	if e.Source != "" {
		where = " of " + e.Source
	}
	msg := fmt.Sprintf("template field %q is not a column%s; columns: %s", e.Field, where, quoteList(e.Columns))
	if s := closest(e.Field, e.Columns); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// ErrEmpty is returned for a template with no text.
var ErrEmpty = errors.New("the prompt template is empty")

// Parse parses text and checks every column it names against header, whose
// cells are named as Keys describes. source names the input in messages.
func Parse(text string, header []string, source string) (*Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, ErrEmpty
	}
	if len(text) > MaxText {
		return nil, &TooLargeError{What: "the prompt template", Limit: MaxText}
	}
	keys := Keys(header)
	tmpl, err := template.New("prompt").Option("missingkey=error").Funcs(Funcs(keys)).Parse(text)
	if err != nil {
		msg := cleanParseError(err)
		if why := spacedColumn(msg, keys); why != "" {
			msg += "; " + why
		}
		return nil, fmt.Errorf("prompt template: %s", msg)
	}
	if err := checkCalls(tmpl); err != nil {
		return nil, fmt.Errorf("prompt template: %w", err)
	}
	known := make(map[string]bool, len(keys))
	for _, k := range keys {
		known[k] = true
	}
	for _, name := range fields(tmpl) {
		if !known[name] {
			return nil, &FieldError{Field: name, Columns: keys, Source: source}
		}
	}
	return &Template{tmpl: tmpl, keys: keys}, nil
}

// Keys returns the names the template's dot uses, one per header cell.
func (t *Template) Keys() []string { return t.keys }

// Render executes the template on one row's cells, given in header order.
// A prompt that would be larger than MaxPrompt stops rendering there: the
// error wraps a *TooLargeError.
func (t *Template) Render(cells []string) (string, error) {
	row := make(map[string]string, len(t.keys))
	for i, k := range t.keys {
		if i < len(cells) {
			row[k] = cells[i]
		} else {
			row[k] = ""
		}
	}
	b := cappedBuilder{limit: MaxPrompt}
	if err := t.tmpl.Execute(&b, row); err != nil {
		var tl *TooLargeError
		if errors.As(err, &tl) {
			return "", fmt.Errorf("prompt template: %w", tl)
		}
		return "", fmt.Errorf("prompt template: %s", cleanExecError(err))
	}
	return b.String(), nil
}

// text/template prefixes errors with `template: prompt:LINE:COL:`; say
// "line L, column C" instead, which is what a user can act on.
var posRE = regexp.MustCompile(`^template: prompt:(\d+)(?::(\d+))?: `)

func cleanParseError(err error) string {
	msg := err.Error()
	if m := posRE.FindStringSubmatch(msg); m != nil {
		where := "line " + m[1]
		if m[2] != "" {
			where += ", column " + m[2]
		}
		return where + ": " + msg[len(m[0]):]
	}
	return strings.TrimPrefix(msg, "template: ")
}

var execRE = regexp.MustCompile(`^template: prompt:(\d+):(\d+): executing "prompt" at <([^>]*)>: `)

func cleanExecError(err error) string {
	msg := err.Error()
	if m := execRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("line %s, column %s, at %s: %s", m[1], m[2], m[3], msg[len(m[0]):])
	}
	return strings.TrimPrefix(msg, "template: ")
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// closest returns the column nearest to name by edit distance, ignoring case,
// when it is near enough to be a likely typo.
func closest(name string, columns []string) string {
	best, bestD := "", len(name)/2+1
	for _, c := range columns {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
