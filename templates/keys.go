package templates

import "github.com/enrich-dev/enrich/table"

// Keys returns the name each header cell is addressed by in a template:
// the cell itself, except that an empty cell becomes column_N (1-based)
// and a name seen before gets the first free suffix _2, _3, …. It is
// table.Keys, which JSON Lines output uses for its keys too.
func Keys(header []string) []string { return table.Keys(header) }
