// Package journal records every answer enrich receives, durably and at
// once, so that an interrupted or failed run costs nothing twice.
//
// A journal is an append-only JSON Lines file: one line per answer, keyed by
// a hash of the request's content (provider, base URL, model, parameters,
// system prompt, rendered prompt), never by row number, so an edited input
// or template reuses whatever answers still apply. Each answer is appended
// with a single write as soon as it arrives, which the operating system
// keeps even if the process is killed with SIGKILL; the file is also synced
// to disk every second and on Close, which covers power loss up to the last
// second. A line cut short by a crash is ignored, and cut off, on the next
// Open.
//
// Open reads the file once and keeps only an index of key → offset in
// memory (about 50 bytes a row); answers are read back from the file when
// needed. The file is locked while open, so two runs never write one
// journal; the second is told so.
//
// The package does not decide what a key covers (package pipeline does)
// nor where journals live (the command does).
package journal
