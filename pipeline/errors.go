package pipeline

import (
	"errors"
	"fmt"
	"time"
)

// The facts a run reports about a row or about itself. They say what
// happened in the library's terms; Options.RowError and the command add
// what to do about it.

// ErrCut is a row whose answer stopped at the token limit (finish_reason
// "length"): the row keeps the text it got, and its error column says so.
var ErrCut = errors.New("answer cut at the token limit (finish_reason length)")

// CellCutError is an answer longer than the output's cells hold (an Excel
// cell holds 32,767 characters): the row keeps the first Limit
// characters.
type CellCutError struct {
	Limit, Len int
}

func (e *CellCutError) Error() string {
	return fmt.Sprintf("answer cut to %d of its %d characters, the most an Excel cell holds", e.Limit, e.Len)
}

// TimeoutError is a request that got no answer within Limits.Timeout, on
// its last attempt.
type TimeoutError struct {
	After time.Duration
	Err   error
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("no answer within %s: %v", e.After, e.Err) }
func (e *TimeoutError) Unwrap() error { return e.Err }

// BudgetError is a request that needs more tokens than the whole
// per-minute budget (Limits.TPM): no wait can make room for it.
type BudgetError struct {
	Need, Budget int
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("this request needs about %d tokens, more than the whole budget of %d tokens a minute", e.Need, e.Budget)
}

// RefusedError stops a run: the provider refused N requests in a row for
// a reason no other row can escape (see llm's refusals: a bad key, no
// access, an unknown model or endpoint, no credit). First is the first of
// them.
type RefusedError struct {
	N     int
	First error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("stopping: the provider refused %d requests in a row (%v); fix that and run the same command again: answers received so far are kept", e.N, e.First)
}

func (e *RefusedError) Unwrap() error { return e.First }

// FirstRowError stops a run before any request: the prompt template fails
// on the first row, so it is the template that is wrong, not a row, and
// every row would most likely fail alike. A row after the first that
// fails to render is a row error, as ever.
type FirstRowError struct {
	Row int // the row's position in its source (table.Row.Num)
	Err error
}

func (e *FirstRowError) Error() string {
	return fmt.Sprintf("the prompt fails on the first row (row %d), so nothing was sent: %v", e.Row, e.Err)
}

func (e *FirstRowError) Unwrap() error { return e.Err }
