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
// Shard.Kept tells the caller each kept row's position (and Row.Num) for a
// merge.
//
// # Batch mode
//
// RunBatch sends the same requests through the provider's batch API (the
// client must be an llm.Batcher) in passes over the input, then writes
// with an ordinary Run:
//
//	log replay ─▶ ┌ submit: read input, render, key; skip what the cache answers,
//	              │   what a live batch holds, what is settled; spool lines to a
//	              │   file until Size requests or the provider's bytes; SubmitBatch;
//	              │   record {id, keys} in the log (synced) ─▶ next batch
//	              │ poll every live batch (Poll, ×1.5 each time, up to MaxPoll)
//	              │ collect each ended batch: every result line ─▶ cache.Put or a
//	              │   failure; no line ─▶ a failure; cache synced, then the log
//	              │   records the failures and "collected" in one synced write
//	              └ retryable failures with attempts left ─▶ submit again
//	no batch left ─▶ Run over the input with a client that sends nothing:
//	                 answers from the cache, settled failures as row errors
//	OUTPUT written ─▶ the log is cleared
//
// A request's custom_id is its cache key (llm.KeyOf, made unique per row
// with NoDedupe), so results, which arrive in any order, are joined to
// rows by content, never by position, and identical requests are sent
// once. The log (BatchLog; journal.Batches beside the journal) is the
// job's durable state: a batch is recorded, with its keys, before
// anything waits on it, and a call always starts by replaying it, so a
// run killed while it waits, or detached, polls the same batches and
// never submits a key a live batch holds. Replaying also gives each key's
// attempts (the batches it has been in) and last failure. A failure is
// retried in a new batch when it may pass (5xx, expired, cancelled, an
// answer that does not match the schema, no result line) and the key has
// been in fewer than Limits.Attempts batches; otherwise it is settled and
// becomes the row's error in the writing Run, worded as online. A batch
// refused as a whole (*llm.BatchFailedError) stops the run. Every
// exchange with the batch API is retried like a request (Limits.Attempts,
// backoff, Retry-After); a submission runs to its end even when ctx is
// cancelled, so a batch the provider created is always recorded. With
// Detach, RunBatch returns a *PendingError once it has submitted, or
// while batches still run. CancelBatches cancels the live batches, waits
// for them to end, keeps the answers they finished and clears the log.
//
// Memory does not grow with the input's bytes: batch input files are
// built on disk and results are streamed line by line into the cache;
// what stays in memory is per distinct request (its key in a few maps, a
// few hundred bytes): 200,000 rows peak at about 70 MB.
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
