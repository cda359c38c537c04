// Package table holds the words that readers, writers and the pipeline
// share: a Row of cells, the Format of a file, the Kind of an added value,
// and the Source a reader describes. It has no behaviour worth a package
// of its own; it exists so that writers need not import readers (nor the
// pipeline either) just to name a row.
//
// The request key that the journal and the pipeline share is llm.Key: it
// identifies a request, so it lives beside llm.Request.
package table
