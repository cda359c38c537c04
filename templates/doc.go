// Package templates renders one prompt per row with Go's text/template.
//
// The dot is the row as a map from column name to cell text, so {{.name}}
// and {{index . "Product Name"}} both work and {{len .}} is the column count.
// Column names are the header cells as read, with two repairs so that every
// column can be addressed: an empty header cell is named column_N (N counts
// from 1), and a repeated name gets _2, _3, … on its later occurrences
// (see Keys). Output files keep the header cells as they were.
//
// Parse validates a template against the header before any row is read: a
// field that names a missing column is an error that names the field, lists
// the columns that exist and suggests the closest one. Rendering uses
// missingkey=error as well, so nothing renders as "<no value>".
//
// Helpers (see Funcs) are deterministic and have no access to the
// environment, the clock or the network: a rendered prompt depends only on
// the row, which keeps prompts reproducible and safe to cache.
//
// A template runs once per row on every worker at once, so what it may
// cost is bounded: its text is at most MaxText (1 MiB), a rendered prompt
// and every value a helper makes at most MaxPrompt (4 MiB), checked as it
// grows (a *TooLargeError, wrapping ErrTooLarge), and a template may call
// other templates but not itself, directly or through others. A call to a
// template that is not defined is refused by Parse too, as it would fail
// on every row.
//
// The package does not read input or call models.
package templates
