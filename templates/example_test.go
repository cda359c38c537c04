package templates_test

import (
	"fmt"

	"github.com/enrich-dev/enrich/templates"
)

// A template is checked against the header before any row is read.
func ExampleParse_missingColumn() {
	_, err := templates.Parse("Greet {{.nmae}}", []string{"name", "city"}, "people.csv")
	fmt.Println(err)
	// Output:
	// template field "nmae" is not a column of people.csv; columns: "name", "city" (did you mean "name"?)
}
