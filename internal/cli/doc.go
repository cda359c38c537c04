// Package cli is the enrich command: flags, the conversation with the
// user on stderr (errors, hints, progress, the summary) and exit statuses.
// It turns the facts that the library packages report into advice that
// names flags; no other package mentions a flag.
//
// main.go owns the process (signals, os.Exit); Run is everything else, so
// tests call it in-process.
package cli
