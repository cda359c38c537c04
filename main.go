// Command enrich runs an LLM prompt over every row of a CSV, TSV, JSON Lines
// or Excel file and writes the rows back, in order, with the answers in a
// new column. See README.md, or run enrich --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if code == exitFatal && ctx.Err() != nil {
		code = exitInterrupted
	}
	stop()
	os.Exit(code)
}
