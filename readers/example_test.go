package readers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/enrich-dev/enrich/readers"
)

func ExampleNewCSV() {
	in := "id,text\r\n1,\"two\r\nlines\"\r\n2,short\r\n"
	r, err := readers.NewCSV(strings.NewReader(in), "tickets.csv", ',')
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	fmt.Printf("%q\n", r.Header())
	for {
		row, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("line %d: %q\n", row.Num, row.Cells)
	}
	// Output:
	// ["id" "text"]
	// line 2: ["1" "two\r\nlines"]
	// line 4: ["2" "short"]
}

func ExampleParseError() {
	in := "id,text\n1,\"a\"b\n"
	r, err := readers.NewCSV(strings.NewReader(in), "tickets.csv", ',')
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = r.Next(context.Background())
	var pe *readers.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.Column, errors.Is(err, readers.ErrQuote))
	}
	fmt.Println(err)
	// Output:
	// 2 6 true
	// tickets.csv: line 2, column 6: text after the closing " of a quoted field; write a " inside a quoted field as ""
}

func ExampleNewJSONL() {
	in := `{"id":1,"price":1.50}` + "\n" + `{"id":2,"tags":["a","b"]}` + "\n"
	// A strings.Reader can seek, so the columns come from every line.
	r, err := readers.NewJSONL(strings.NewReader(in), "items.jsonl", readers.JSONLOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q\n", r.Header())
	for {
		row, err := r.Next(context.Background())
		if err != nil {
			break
		}
		fmt.Printf("%q\n", row.Cells)
	}
	// Output:
	// ["id" "price" "tags"]
	// ["1" "1.50" ""]
	// ["2" "" "[\"a\",\"b\"]"]
}
