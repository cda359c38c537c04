// Package pipeline runs a prompt template over every row of a reader,
// sends one model request per row concurrently, and writes every row back,
// in input order, with its answer (or its error) in added columns.
//
//	reader ──rows──▶ jobs (bounded) ──▶ N workers ──results──▶ reorder ──▶ writer
//	   ▲                                   │  render prompt           │
//	   │                                   │  limiter.Wait            │
//	   │                                   │  client.Complete         │
//	   │                                   │  retry with backoff      │
//	   └────────── window slot freed when a row is written ◀──────────┘
//
// Each stage runs in an errgroup goroutine and every send selects on the
// group's context, so the first fatal error (an unreadable row, a failed
// write) or a cancellation stops every stage. A row whose request fails is
// not fatal: it carries its error to the writer, where it fills the error
// column, and the run goes on.
//
// Ordering costs bounded memory: the reader may run at most Window rows
// ahead of the writer, so one slow row stalls reading instead of letting
// the reorder buffer grow without bound.
//
// Rate limiting is shared by all workers (see limiter.go): a fixed pace
// when Options.RPM is set, otherwise learned from x-ratelimit-* headers and
// from 429s. A 429 pauses every worker, not just the one that saw it.
//
// The package owns concurrency, pacing, retries, ordering and counting. It
// does not parse files, render output formats, or print: progress and the
// summary are handed to the caller as Stats.
package pipeline
