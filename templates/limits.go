package templates

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"text/template"
)

// Limits on what a template may be and what it may make. A template runs
// once per row on every worker at once, so a template that makes a
// gigabyte, once, costs a gigabyte per worker and is sent as a gigabyte
// request.
const (
	// MaxText is the most a template's own text may be: 1 MiB, about
	// 250,000 tokens of instructions and examples, more than a prompt
	// leaves room for once the row's cells are added.
	MaxText = 1 << 20
	// MaxPrompt is the most one rendered prompt, or any value a helper
	// makes on the way, may be: 4 MiB. The largest context windows on
	// offer hold about a million tokens, some 4 MB of text, so no provider
	// accepts a larger prompt; refusing it costs nothing.
	MaxPrompt = 4 << 20
)

// ErrTooLarge is wrapped by every *TooLargeError.
var ErrTooLarge = errors.New("too large")

// TooLargeError is a template, a rendered prompt or a helper's result over
// its limit. Rendering stops as soon as the limit is passed, so Limit is
// known and the size it would have reached is not.
type TooLargeError struct {
	What  string // "the prompt template", "the rendered prompt", "printf's result", …
	Limit int    // in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the most it may be", e.What, mib(e.Limit))
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// mib says a size in MiB when it is a whole number of them.
func mib(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// cappedBuilder is the rendered prompt, refusing to grow past limit: a
// template that would render more stops there instead of first taking
// the memory.
type cappedBuilder struct {
	strings.Builder
	limit int
}

func (b *cappedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, &TooLargeError{What: "the rendered prompt", Limit: b.limit}
	}
	return b.Builder.Write(p)
}

// tooLarge is the error of helper name whose result would pass MaxPrompt.
func tooLarge(name string) error {
	return &TooLargeError{What: name + "'s result", Limit: MaxPrompt}
}

// checked returns s, or an error when it is over MaxPrompt: for helpers
// whose result is at most a few times their input, so that computing it
// before checking costs a bounded amount, while applying them again and
// again cannot grow a value without end.
func checked(name, s string) (string, error) {
	if len(s) > MaxPrompt {
		return "", tooLarge(name)
	}
	return s, nil
}

// guardedBuiltins replace text/template's printf, print, println, html, js
// and urlquery by the same functions with a size check. printf's width
// and precision ({{printf "%0999999999d" 0}}) and repeated concatenation
// ({{$x = print $x $x}}) can make any size from nothing, so their result's
// size is worked out before it is made.
func guardedBuiltins() template.FuncMap {
	return template.FuncMap{
		"printf": func(format string, args ...any) (string, error) {
			if printfSize(format, args) > MaxPrompt {
				return "", tooLarge("printf")
			}
			return fmt.Sprintf(format, args...), nil
		},
		"print": func(args ...any) (string, error) {
			if printfSize("", args) > MaxPrompt {
				return "", tooLarge("print")
			}
			return fmt.Sprint(args...), nil
		},
		"println": func(args ...any) (string, error) {
			if printfSize("", args) > MaxPrompt {
				return "", tooLarge("println")
			}
			return fmt.Sprintln(args...), nil
		},
		"html": func(args ...any) (string, error) {
			if printfSize("", args) > MaxPrompt {
				return "", tooLarge("html")
			}
			return checked("html", template.HTMLEscaper(args...))
		},
		"js": func(args ...any) (string, error) {
			if printfSize("", args) > MaxPrompt {
				return "", tooLarge("js")
			}
			return checked("js", template.JSEscaper(args...))
		},
		"urlquery": func(args ...any) (string, error) {
			if printfSize("", args) > MaxPrompt {
				return "", tooLarge("urlquery")
			}
			return checked("urlquery", template.URLQueryEscaper(args...))
		},
	}
}

// printfSize bounds from above what fmt.Sprintf(format, args...) makes,
// closely enough to refuse what is too large and pass what is not. It
// reads the format as fmt does: each verb takes the next argument (or the
// one an [n] names), each "*" too, for a width or precision. A verb
// prints its argument (four times its size for %q, %x, %X and the #
// flag, which may escape every byte) plus room for fmt's decorations; a
// width or precision adds what it says, which fmt caps at a million.
// With an empty format it bounds fmt.Sprint(args...).
func printfSize(format string, args []any) int {
	const maxWidth = 1_000_000 // fmt refuses larger widths and precisions
	n, arg := 0, 0
	next := func() any {
		arg++
		if arg-1 < len(args) {
			return args[arg-1]
		}
		return nil
	}
	// number reads a width or precision: "*" from the arguments, or digits.
	number := func(i int) int {
		i = argIndex(format, i, &arg)
		if i < len(format) && format[i] == '*' {
			if v, ok := intOf(next()); ok && v > 0 {
				n += int(min(v, maxWidth))
			}
			return i + 1
		}
		v := 0
		for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
			v = min(v*10+int(format[i]-'0'), maxWidth)
		}
		n += v
		return i
	}
	for i := 0; i < len(format) && n <= MaxPrompt; i++ {
		if format[i] != '%' {
			n++
			continue
		}
		i++
		sharp := false
		for ; i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0; i++ {
			sharp = sharp || format[i] == '#'
		}
		i = number(i)
		if i < len(format) && format[i] == '.' {
			i = number(i + 1)
		}
		i = argIndex(format, i, &arg)
		if i >= len(format) {
			n += 16 // %!(NOVERB)
			break
		}
		if format[i] == '%' {
			n++
			continue
		}
		factor := 1
		if sharp || strings.IndexByte("qxX", format[i]) >= 0 {
			factor = 4
		}
		n += factor*argSize(next()) + 32 // %!d(MISSING), %!d(string=…), quotes
	}
	for ; arg < len(args); arg++ { // %!(EXTRA …), or Sprint's operands
		n += 2*argSize(args[arg]) + 32
	}
	return n
}

// argIndex reads an explicit argument index, "[n]", at format[i:], sets
// *arg to it and returns where the format goes on.
func argIndex(format string, i int, arg *int) int {
	if i >= len(format) || format[i] != '[' {
		return i
	}
	j := strings.IndexByte(format[i:], ']')
	if j < 0 {
		return i
	}
	v := 0
	for _, c := range format[i+1 : i+j] {
		if c < '0' || c > '9' {
			return i
		}
		v = min(v*10+int(c-'0'), 1<<20)
	}
	*arg = v - 1
	return i + j + 1
}

// argSize is what one argument prints as with %v, at most: a string's
// length, a list's or a row's texts with their separators, and 400 bytes
// (more than %f prints of the largest float64) for anything else.
func argSize(a any) int {
	switch v := a.(type) {
	case string:
		return len(v)
	case []string:
		n := 2
		for _, s := range v {
			n += len(s) + 1
		}
		return n
	case map[string]string:
		n := 5
		for k, s := range v {
			n += len(k) + len(s) + 2
		}
		return n
	}
	return 400
}

func intOf(a any) (int64, bool) {
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return int64(min(v.Uint(), uint64(MaxPrompt)+1)), true
	}
	return 0, false
}
