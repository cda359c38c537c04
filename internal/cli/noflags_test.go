package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// flaglessPackages are the library packages whose messages must not name
// the command's flags: they state facts, and advice.go words the advice.
// Paths are from the repository's root (see TestMain).
var flaglessPackages = []string{"llm", "readers", "writers", "journal", "templates", "cost", "table", "pipeline", "ratelimit"}

// notOurFlags are flags of other tools that the packages may mention.
var notOurFlags = []string{
	"jq -c", // readers: how to put a JSON array's objects one per line
}

// flagMention matches any of the command's flags, long (--output) or
// short (-o), as a whole word.
func flagMention(t *testing.T) *regexp.Regexp {
	t.Helper()
	var names []string
	newFlagSet(&config{}).VisitAll(func(f *pflag.Flag) {
		names = append(names, "--"+regexp.QuoteMeta(f.Name))
		if f.Shorthand != "" {
			names = append(names, "-"+regexp.QuoteMeta(f.Shorthand))
		}
	})
	if len(names) < 10 {
		t.Fatalf("found only %q in newFlagSet", names)
	}
	return regexp.MustCompile(`(?:^|[^\w-])(` + strings.Join(names, "|") + `)(?:$|[^\w-])`)
}

func mentions(re *regexp.Regexp, s string) string {
	for _, other := range notOurFlags {
		s = strings.ReplaceAll(s, other, "")
	}
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func TestFlagMention(t *testing.T) {
	re := flagMention(t)
	for s, want := range map[string]string{
		"lower -j or set --rpm":                "-j",
		"choose another name with -c/--column": "-c",
		"check --base-url":                     "--base-url",
		"--sheet only applies to xlsx input":   "--sheet",
		"(--max-tokens 20)":                    "--max-tokens",
		"jq -c '.[]' does this":                "",
		"x-api-key":                            "",
		"max-tokens":                           "",
		"--max-tokensx":                        "",
		"2006-01-02 -1":                        "",
	} {
		if got := mentions(re, s); got != want {
			t.Errorf("mentions(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestLibrariesNameNoFlags reads every string literal (and every
// concatenation of them) in the non-test files of flaglessPackages.
func TestLibrariesNameNoFlags(t *testing.T) {
	re := flagMention(t)
	for _, pkg := range flaglessPackages {
		files, err := filepath.Glob(filepath.Join(pkg, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", pkg, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				var s string
				switch n := n.(type) {
				case *ast.BasicLit:
					s, _ = literal(n)
				case *ast.BinaryExpr:
					s, _ = literal(n)
				default:
					return true
				}
				if flag := mentions(re, s); flag != "" {
					t.Errorf("%s: %s in %q; return the facts and word the advice in internal/cli/advice.go", fset.Position(n.Pos()), flag, s)
				}
				return true
			})
		}
	}
}

// literal is the value of a string literal or of a + of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok := literal(e.X)
		y, ok2 := literal(e.Y)
		return x + y, ok && ok2
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return "", false
}
