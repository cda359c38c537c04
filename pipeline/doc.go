// Package pipeline runs a prompt template over every row of a reader,
// sends one model request per row concurrently, and writes every row back,
// in input order, with its answer (or its error) in added columns.
//
//	p, err := pipeline.New(client, opts) // validate once, work out the columns
//	w := … a writer whose header ends with p.Columns() …
//	pv, err := p.Preview(ctx, r, …)      // optional: count, cost and time, nothing sent
//	stats, err := p.Run(ctx, r, w)       // Run closes r and commits (or aborts) w
//
// Inside Run:
//
//	reader ──row──▶ jobs (bounded) ──▶ N workers ──record──▶ the row's own channel
//	   │                                 │  render prompt                │
//	   │                                 │  cache / identical request    │
//	   │                                 │  limiter.Wait, tokens.Take    │
//	   │                                 │  client.Complete, retries     │
//	   └──the row's channel──▶ queue (Window) ──▶ writer: waits on each in turn ──▶ w
//
// The reader puts each row's result channel on the queue, in input order,
// before a worker sees the row; the writer takes the channels off the
// queue one by one and waits on each. Workers finish in any order, rows
// come out in input order, and the queue's capacity bounds how far
// reading runs ahead of writing, so one slow row stalls reading instead of
// letting memory grow (the shape of sourcegraph/conc's stream).
//
// Each stage runs in an errgroup goroutine and every send selects on the
// group's context, so the first fatal error (an unreadable row, a failed
// write, a refusal every row would meet) or a cancellation stops every
// stage. A row whose request fails is not fatal: it carries its error to
// the writer, where it fills the error column, and the run goes on.
//
// Rate limiting is shared by all workers (see limiter.go): a fixed pace
// when Limits.RPM is set, otherwise learned from x-ratelimit-* headers and
// from 429s. A 429 pauses every worker, not just the one that saw it.
// Limits.Shared and Limits.SharedTokens (a SharedLimit, TokenLimit: one
// interface each, which package ratelimit implements in Redis) extend that
// to every process drawing from the same budget.
//
// Memory is flat in the number of rows: the window bounds the rows in
// flight, the answers live in the Cache (an OwnCache, as package journal's
// is, also spares the run a set of the keys it recorded), and the dry
// run's distinct count keeps its keys in a temporary file.
//
// Options.Shard takes one shard of the rows: those whose request hashes to
// it, so N processes split a run and identical requests stay together;
// Shard.Kept tells the caller each kept row's position for a merge.
//
// Errors are facts in the library's terms: ErrCut, *CellCutError,
// *TimeoutError, *BudgetError, *RefusedError. Options.RowError words a
// row's error for its error column; the command uses it to add advice
// that names its flags.
//
// The package owns concurrency, pacing, retries, dedupe, ordering and
// counting, and the layout of the added columns. It does not parse files,
// render output formats, place journals, or print: progress and the
// summary are handed to the caller as Stats.
package pipeline
