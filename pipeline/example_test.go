package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/templates"
	"github.com/enrich-dev/enrich/writers"
)

// Enrich a CSV held in memory with the offline mock model and write the
// result to standard output. Swap llm.Mock for llm.NewOpenAI to call a
// real model, or the reader and writer for files from readers.Open and
// writers.Create.
func Example() {
	in := "name,city\nAda,London\nGrace,New York\n"
	r, err := readers.NewCSV(strings.NewReader(in), "people.csv", ',')
	if err != nil {
		panic(err)
	}
	tmpl, err := templates.Parse("Greet {{.name}} from {{.city}}", r.Header(), "people.csv")
	if err != nil {
		panic(err)
	}
	opts := pipeline.Options{Template: tmpl, Column: "greeting"}
	w, err := writers.New(os.Stdout, writers.Options{Format: table.CSV, Header: r.Header(), Added: opts.Added()})
	if err != nil {
		panic(err)
	}
	stats, err := pipeline.Run(context.Background(), r, w, llm.Mock{}, opts)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d rows, %d answered\n", stats.Rows, stats.Answered)
	// Output:
	// name,city,greeting,greeting_error
	// Ada,London,mock answer (no model was called): Greet Ada from London,
	// Grace,New York,mock answer (no model was called): Greet Grace from New York,
	// 2 rows, 2 answered
}

// A template is checked against the header before any row is read.
func ExampleRun_badTemplate() {
	_, err := templates.Parse("Greet {{.nmae}}", []string{"name", "city"}, "people.csv")
	fmt.Println(err)
	// Output:
	// template field "nmae" is not a column of people.csv; columns: "name", "city" (did you mean "name"?)
}
