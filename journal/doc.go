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
// Open reads the file once and builds an index of key → offset; answers
// are read back from the file when needed. The index is a hash table in a
// temporary file beside the journal (internal/diskindex), not in memory,
// so a journal of ten million answers costs a run a few pages of memory,
// as one of a thousand does. It holds whole keys, so no lookup ever finds
// another key's answer, and Get checks the key of the line it reads too.
// The index is rebuilt on every Open, from the journal, which stays the
// only record: nothing else needs keeping in step with it, and a crash
// leaves nothing to repair. GetOwn tells answers recorded since Open from
// those found in the file, by offset, which lets the pipeline count shared
// requests without a set of its own.
//
// The file is locked while open, so two runs never write one journal; the
// second gets ErrLocked.
//
// Placement is the package's too, so that a program using it resumes the
// way the command does: PathFor names the journal of an output file (one
// per output, or per input when writing to standard output) under a folder,
// DefaultDir by default. The naming never changes, so journals written by
// earlier versions are found again.
//
// Three ways to open one:
//   - Open: the journal at a path, created if missing, for a run that
//     reuses and records answers.
//   - OpenTemp: a journal in a temporary file that Close removes, for a run
//     that keeps nothing but still sends identical requests only once.
//   - OpenExisting: an existing journal for lookups only, for a dry run;
//     it writes nothing, creates nothing and takes no lock.
//
// Answers derive from the user's rows, so journal files are created 0600
// and the folders Open creates 0700. Folders that already exist are left as
// they are.
//
// Batches is the journal's companion for batch mode: the record of the
// batches submitted for an output, at BatchesPath beside its journal,
// locked the same way. Every Append is synced before it returns, since a
// batch must be on disk before anyone waits on it; what the lines say is
// package pipeline's.
//
// The package does not decide what a key covers (package pipeline does),
// nor which folder the user picked, nor what to tell the user when a
// journal is locked or unwritable (the command does).
package journal
