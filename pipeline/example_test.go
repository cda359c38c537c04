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
	p, err := pipeline.New(llm.Mock{}, pipeline.Options{
		Prompt:  pipeline.Prompt{Template: tmpl},
		Columns: pipeline.Columns{Name: "greeting"},
	})
	if err != nil {
		panic(err)
	}
	w, err := writers.New(os.Stdout, writers.Options{Format: table.CSV, Header: r.Header(), Added: p.Columns()})
	if err != nil {
		panic(err)
	}
	stats, err := p.Run(context.Background(), r, w) // Run closes r and commits w
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d rows, %d answered\n", stats.Rows, stats.Answered)
	// Output:
	// name,city,greeting,greeting_error
	// Ada,London,mock answer (no model was called) to the prompt: Greet Ada from London,
	// Grace,New York,mock answer (no model was called) to the prompt: Greet Grace from New York,
	// 2 rows, 2 answered
}

// Preview what a run would send, and what it would cost, before paying
// for anything.
func ExamplePipeline_Preview() {
	in := "name,city\nAda,London\nGrace,New York\nAda,London\n"
	r, err := readers.NewCSV(strings.NewReader(in), "people.csv", ',')
	if err != nil {
		panic(err)
	}
	defer r.Close()
	tmpl, err := templates.Parse("Greet {{.name}} from {{.city}}", r.Header(), "people.csv")
	if err != nil {
		panic(err)
	}
	p, err := pipeline.New(llm.Mock{}, pipeline.Options{
		Prompt: pipeline.Prompt{Template: tmpl, Model: "gpt-4o-mini", MaxTokens: 50},
		Limits: pipeline.Limits{RPM: 60},
	})
	if err != nil {
		panic(err)
	}
	pv, err := p.Preview(context.Background(), r, pipeline.PreviewOptions{Show: 1, Costs: true})
	if err != nil {
		panic(err)
	}
	fmt.Printf("row %d: %s\n", pv.Samples[0].Row, pv.Samples[0].Text)
	fmt.Printf("%d rows, %d distinct requests to send, at least %s at 60 a minute\n", pv.Rows, pv.ToSend, pv.Time.Least)
	// Output:
	// row 2: Greet Ada from London
	// 3 rows, 2 distinct requests to send, at least 2s at 60 a minute
}

// New checks the options once, before any row is read.
func ExampleNew() {
	tmpl, err := templates.Parse("{{.name}}", []string{"name"}, "people.csv")
	if err != nil {
		panic(err)
	}
	_, err = pipeline.New(llm.Mock{}, pipeline.Options{
		Prompt:  pipeline.Prompt{Template: tmpl},
		Columns: pipeline.Columns{Name: "notes", Error: "notes"},
	})
	fmt.Println(err)
	// Output:
	// the answer column and the error column are both "notes"
}
