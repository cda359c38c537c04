package cli

import (
	"errors"
	"io/fs"

	"github.com/enrich-dev/enrich/journal"
)

// openJournal opens the journal of this command's OUTPUT (journal.PathFor)
// under --cache DIR or journal.DefaultDir. With --no-cache the journal is a
// temporary one that closing removes: identical requests are still sent
// once, but nothing is kept for a rerun. A journal held by another run is
// not shared: this run goes on without one (nil), after saying so.
func (c *config) openJournal() (j *journal.Journal, closeFn func(), err error) {
	if c.noCache {
		j, err := journal.OpenTemp()
		if err != nil {
			return nil, nil, err
		}
		return j, func() { _ = j.Close() }, nil
	}
	path, err := journal.PathFor(c.cacheDir, c.journalOutput(), c.input)
	if err != nil {
		return nil, nil, err
	}
	j, err = journal.Open(path, c.fresh)
	if errors.Is(err, journal.ErrLocked) {
		c.con.warnf("%v; this run will neither reuse nor record answers", err)
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, hinted{err: err, hint: "choose a writable journal folder with --cache DIR, or run with --no-cache"}
	}
	return j, func() {
		if err := j.Close(); err != nil {
			c.con.warnf("%v; answers after the last sync may need asking again", err)
		}
	}, nil
}

// openJournalForPreview opens the journal a run would use, for a dry run to
// count what it already holds. It writes nothing, creates no file or folder
// and takes no lock, so a dry run beside a real run of the same command
// counts what that run had recorded so far and does not stop it from
// recording more. closeFn is never nil.
//
// It returns a nil journal (and a closeFn that does nothing) when there is
// nothing to count: no journal yet, no OUTPUT, --no-cache (a run keeps
// none) or --fresh (a run would forget it). An error means the journal
// exists but cannot be read; the preview can go on without it.
func (c *config) openJournalForPreview() (j *journal.Journal, closeFn func(), err error) {
	none := func() {}
	if c.journalOutput() == "" || c.noCache || c.fresh {
		return nil, none, nil
	}
	path, err := journal.PathFor(c.cacheDir, c.journalOutput(), c.input)
	if err != nil {
		return nil, none, err
	}
	j, err = journal.OpenExisting(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, none, nil
	}
	if err != nil {
		return nil, none, err
	}
	// Nothing was written, so closing has nothing to report.
	return j, func() { _ = j.Close() }, nil
}
