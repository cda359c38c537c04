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
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(interrupted{s})
		s = <-sigs
		fmt.Fprintln(os.Stderr, "enrich: stopped at once; every answer already received is kept in the journal")
		os.Exit(signalStatus(s))
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if sig, ok := context.Cause(ctx).(interrupted); ok && code != exitOK && code != exitRowsFailed {
		code = signalStatus(sig.Signal)
	}
	os.Exit(code)
}

// interrupted is the cause of a run stopped by a signal.
type interrupted struct{ os.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.Signal.String() }

// signalStatus is the shell's convention: 128 + the signal's number.
func signalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitInterrupted
}
