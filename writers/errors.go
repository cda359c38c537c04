package writers

import (
	"errors"
	"fmt"
)

// The problems an added column's name can have, as the Kind of a
// *ColumnError.
var (
	// ErrColumnEmpty: an added column has no name.
	ErrColumnEmpty = errors.New("added column has an empty name")
	// ErrColumnExists: an added column's name is already the input's, in
	// the header or as a key of a JSON Lines object.
	ErrColumnExists = errors.New("column already exists in the input")
	// ErrColumnTwice: two added columns have the same name.
	ErrColumnTwice = errors.New("column is added twice")
)

// ErrOverInput is wrapped by Create's refusal to write over the input
// file, whose path follows it in the message.
var ErrOverInput = errors.New("refusing to write over the input file")

// ColumnError is an added column that cannot be written because of its
// name: a writer never overwrites an input column. Options.validate finds
// most of them; a JSON Lines object holding the key as well is only found
// when it is written (Where says which).
type ColumnError struct {
	Name  string // the added column's name
	Index int    // its 0-based position in Options.Added
	Where string // the input row whose object has the key ("line 9"); "" for the header
	Table string // the SQLite table that has the column, when answers go back into it
	Kind  error  // ErrColumnEmpty, ErrColumnExists or ErrColumnTwice
}

func (e *ColumnError) Error() string {
	switch {
	case e.Kind == ErrColumnEmpty:
		return fmt.Sprintf("added column %d has an empty name", e.Index+1)
	case e.Kind == ErrColumnExists && e.Table != "":
		return fmt.Sprintf("table %q already has a column %q", e.Table, e.Name)
	case e.Kind == ErrColumnExists && e.Where != "":
		return fmt.Sprintf("%s: key %q already exists in the input object", e.Where, e.Name)
	case e.Kind == ErrColumnExists:
		return fmt.Sprintf("column %q already exists in the input", e.Name)
	case e.Kind == ErrColumnTwice:
		return fmt.Sprintf("column %q is added twice", e.Name)
	}
	return fmt.Sprintf("column %q: %v", e.Name, e.Kind)
}

// Unwrap lets errors.Is find Kind.
func (e *ColumnError) Unwrap() error { return e.Kind }
