package templates

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		name   string
		header []string
		want   []string
	}{
		{"plain", []string{"a", "Product Name"}, []string{"a", "Product Name"}},
		{"empty", []string{"", "b", ""}, []string{"column_1", "b", "column_3"}},
		{"duplicates", []string{"x", "x", "x"}, []string{"x", "x_2", "x_3"}},
		{"suffix taken", []string{"x", "x_2", "x"}, []string{"x", "x_2", "x_3"}},
		{"empty collides", []string{"column_1", ""}, []string{"column_1", "column_2"}},
		{"empty collides with own slot", []string{"", "column_1"}, []string{"column_1_2", "column_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Keys(tt.header)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Keys(%q) mismatch (-want +got):\n%s", tt.header, diff)
			}
			seen := map[string]bool{}
			for _, k := range got {
				if seen[k] {
					t.Errorf("duplicate key %q in %q", k, got)
				}
				seen[k] = true
			}
		})
	}
}

func TestRender(t *testing.T) {
	header := []string{"name", "Product Name", "price", "notes", ""}
	cells := []string{"ada", "Widget <Pro>", "9.50", "  ", "x"}
	tests := []struct {
		name, tmpl, want string
	}{
		{"field", "Hi {{.name}}", "Hi ada"},
		{"index with space", `{{index . "Product Name"}}`, "Widget <Pro>"},
		{"len", "{{len .}}", "5"},
		{"upper lower", "{{upper .name}} {{lower \"AB\"}}", "ADA ab"},
		{"trim default", `[{{trim .notes}}] {{default "none" .notes}}`, "[] none"},
		{"truncate", `{{truncate 4 (index . "Product Name")}}`, "Wid…"},
		{"truncate short", `{{truncate 40 .name}}`, "ada"},
		{"replace contains", `{{replace "9" "8" .price}} {{contains "Pro" (index . "Product Name")}}`, "8.50 true"},
		{"split join", `{{join "+" (split "." .price)}}`, "9+50"},
		{"json string", `{{json .name}}`, `"ada"`},
		{"json row in column order", `{{json .}}`, `{"name":"ada","Product Name":"Widget <Pro>","price":"9.50","notes":"  ","column_5":"x"}`},
		{"empty header named", `{{.column_5}}`, "x"},
		{"dollar field", `{{with .price}}{{$.name}}:{{.}}{{end}}`, "ada:9.50"},
		{"range over split", `{{range split "." .price}}<{{.}}>{{end}}`, "<9><50>"},
		{"if else", `{{if eq .name "ada"}}yes{{else}}{{.price}}{{end}}`, "yes"},
		{"no html escaping", `{{index . "Product Name"}}`, "Widget <Pro>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse(tt.tmpl, header, "in.csv")
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.tmpl, err)
			}
			got, err := tp.Render(cells)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	header := []string{"subject", "body", "Product Name"}
	tests := []struct {
		name, tmpl string
		want       []string // substrings of the error
	}{
		{"empty", "  \n", []string{"empty"}},
		{"missing field", "{{.subjet}}", []string{`template field "subjet"`, "in.csv", `"subject", "body", "Product Name"`, `did you mean "subject"`}},
		{"missing index", `{{index . "Product name "}}`, []string{`"Product name "`, `did you mean "Product Name"`}},
		{"missing dollar in range", `{{range split "," .body}}{{$.nope}}{{end}}`, []string{`"nope"`}},
		{"missing in if", `{{if .body}}{{.bdy}}{{end}}`, []string{`"bdy"`}},
		{"missing in else of with", `{{with .body}}{{.}}{{else}}{{.sbj}}{{end}}`, []string{`"sbj"`}},
		{"missing in pipeline arg", `{{.body | printf "%s %s" .x}}`, []string{`"x"`}},
		{"unclosed action", "Hello {{.subject", []string{"prompt template: line 1", "unclosed action"}},
		{"unknown function", "line one\n{{shout .subject}}", []string{"prompt template: line 2", `function "shout" not defined`}},
		{"unexpected end", "{{if .subject}}x", []string{"prompt template: line 1", "unexpected EOF"}},
		{"column with a space as a field", "{{.Product Name}}", []string{`function "Name" not defined`, `column "Product Name" has a space`, `{{index . "Product Name"}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.tmpl, header, "in.csv")
			if err == nil {
				t.Fatalf("Parse(%q): got nil error", tt.tmpl)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "template: prompt:") {
				t.Errorf("error %q leaks text/template's internal prefix", err)
			}
		})
	}
}

func TestFieldErrorIsTyped(t *testing.T) {
	_, err := Parse("{{.x}}", []string{"a"}, "")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "x" {
		t.Fatalf("got %v, want *FieldError for x", err)
	}
	if strings.Contains(err.Error(), "did you mean") {
		t.Errorf("error %q suggests an unrelated column", err)
	}
}

// Fields inside range/with refer to the element, not the row, so they must
// not be reported as missing columns.
func TestDotChangesInsideRangeAndWith(t *testing.T) {
	for _, tmpl := range []string{
		`{{range split "," .a}}{{.}}{{end}}`,
		`{{with $x := .a}}{{$x}}{{end}}`,
		`{{define "t"}}{{.Whatever}}{{end}}{{.a}}`,
	} {
		if _, err := Parse(tmpl, []string{"a"}, ""); err != nil {
			t.Errorf("Parse(%q): %v", tmpl, err)
		}
	}
}

func TestRenderErrorIsLocated(t *testing.T) {
	tp, err := Parse(`{{truncate 0 .a}}`, []string{"a"}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tp.Render([]string{"hello"})
	if err == nil || !strings.Contains(err.Error(), "line 1, column") || !strings.Contains(err.Error(), "at least 1") {
		t.Fatalf("got %v, want a located truncate error", err)
	}
}

func FuzzRender(f *testing.F) {
	f.Add("{{.a}} and {{index . \"b c\"}}", "x", "y")
	f.Add("{{json .}}{{truncate 3 .a}}", "\xff", "")
	f.Add("{{range split \",\" .a}}{{upper .}}{{end}}", "a,b", "c")
	f.Fuzz(func(t *testing.T, text, a, b string) {
		tp, err := Parse(text, []string{"a", "b c"}, "")
		if err != nil {
			return
		}
		// Any template that parses and validates must render or fail with
		// an error; a panic here fails the fuzzer.
		_, _ = tp.Render([]string{a, b})
	})
}
