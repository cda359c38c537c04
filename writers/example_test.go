package writers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

func ExampleNew() {
	w, err := writers.New(os.Stdout, writers.Options{
		Format: table.CSV,
		Header: []string{"id", "ticket"},
		Added:  []string{"response", "response_error"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rows := []writers.Record{
		{Row: table.Row{Num: 2, Cells: []string{"1", "printer on fire"}}, Values: []string{"hardware", ""}},
		{Row: table.Row{Num: 3, Cells: []string{"2", "can't log in,\nagain"}}, Values: []string{"", "rate limited"}},
	}
	for _, rec := range rows {
		if err := w.Write(context.Background(), rec); err != nil {
			fmt.Println(err)
			_ = w.Abort()
			return
		}
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// id,ticket,response,response_error
	// 1,printer on fire,hardware,
	// 2,"can't log in,
	// again",,rate limited
}

func ExampleCreate() {
	dir, err := os.MkdirTemp("", "enrich-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out.jsonl")

	w, err := writers.Create(out, writers.Options{
		Format: table.JSONL,
		Header: []string{"id", "ticket"},
		Added:  []string{"response"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// An input object is kept byte for byte; the answer is spliced in.
	rec := writers.Record{
		Row:    table.Row{Num: 1, Cells: []string{"1", "printer on fire"}, Raw: []byte(`{"id": 1, "ticket": "printer on fire"}`)},
		Values: []string{"hardware"},
	}
	if err := w.Write(context.Background(), rec); err != nil {
		fmt.Println(err)
		_ = w.Abort()
		return
	}
	if err := w.Close(); err != nil { // renames the temporary file over out
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(out)
	fmt.Print(string(b))

	// Writing over the input is refused before anything is written.
	_, err = writers.Create("tickets.csv", writers.Options{Header: []string{"id"}, Added: []string{"response"}, Source: table.Source{Path: "./tickets.csv"}})
	fmt.Println(err)
	// Output:
	// {"id": 1, "ticket": "printer on fire","response":"hardware"}
	// refusing to write over the input file ./tickets.csv
}

func ExampleRecord_kinds() {
	w, err := writers.New(os.Stdout, writers.Options{
		Format: table.JSONL,
		Header: []string{"id"},
		Added:  []string{"score", "urgent", "tags", "summary"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	kinds := []table.Kind{table.Number, table.Bool, table.JSON, table.Text}
	rows := []writers.Record{
		{Row: table.Row{Num: 2, Cells: []string{"1"}}, Values: []string{"0.9", "true", `["billing", "refund"]`, "wants a refund"}, Kinds: kinds},
		// A value that is not what its kind says is kept as text.
		{Row: table.Row{Num: 3, Cells: []string{"2"}}, Values: []string{"high", "", "[", "printer on fire"}, Kinds: kinds},
	}
	for _, rec := range rows {
		if err := w.Write(context.Background(), rec); err != nil {
			fmt.Println(err)
			_ = w.Abort()
			return
		}
	}
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"id":"1","score":0.9,"urgent":true,"tags":["billing","refund"],"summary":"wants a refund"}
	// {"id":"2","score":"high","urgent":"","tags":"[","summary":"printer on fire"}
}
