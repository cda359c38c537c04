package templates

import (
	"fmt"
	"regexp"
	"strings"
)

// undefinedFunc matches text/template's complaint about a word after a
// field: {{.Customer Plan}} reads as the field .Customer given to a
// function Plan.
var undefinedFunc = regexp.MustCompile(`function "([^"]+)" not defined`)

// spacedColumn explains a parse error that comes from a column name with a
// space written as a field, naming the column and how to write it; "" when
// the error is something else.
func spacedColumn(msg string, keys []string) string {
	m := undefinedFunc.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	for _, k := range keys {
		words := strings.Fields(k)
		if len(words) > 1 && words[len(words)-1] == m[1] {
			return fmt.Sprintf("column %q has a space in its name, so {{.%s}} cannot name it: write {{index . %q}}", k, k, k)
		}
	}
	return ""
}
