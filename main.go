// Command enrich runs an LLM prompt over every row of a CSV, TSV, JSON Lines
// or Excel file and writes the rows back, in order, with the answers in a
// new column. See README.md, or run enrich --help.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/enrich-dev/enrich/internal/cli"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(cli.Interrupted{Signal: s})
		s = <-sigs
		fmt.Fprintln(os.Stderr, cli.StoppedAtOnce)
		os.Exit(cli.SignalStatus(s))
	}()
	os.Exit(cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
