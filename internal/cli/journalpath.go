package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/enrich-dev/enrich/journal"
)

// openJournal opens the journal of this command's OUTPUT: one per output
// file (or, for standard output, per input), under --cache DIR or the
// user's cache directory. With --no-cache the journal is a temporary file
// removed at the end: identical requests are still sent once, but nothing
// is kept for a rerun. A journal held by another run is not shared: this
// run goes on without one, after saying so.
func (c *config) openJournal(stderr io.Writer) (j *journal.Journal, closeFn func(), err error) {
	if c.noCache {
		f, err := os.CreateTemp("", "enrich-journal-*.jsonl")
		if err != nil {
			return nil, nil, fmt.Errorf("temporary journal: %w", err)
		}
		f.Close()
		j, err := journal.Open(f.Name(), true)
		if err != nil {
			os.Remove(f.Name())
			return nil, nil, err
		}
		return j, func() { _ = j.Close(); _ = os.Remove(f.Name()) }, nil
	}
	path, err := c.journalPath()
	if err != nil {
		return nil, nil, err
	}
	j, err = journal.Open(path, c.fresh)
	if errors.Is(err, journal.ErrLocked) {
		fmt.Fprintf(stderr, "enrich: warning: %v; this run will neither reuse nor record answers\n", err)
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, hinted{err: err, hint: "choose a writable journal folder with --cache DIR, or run with --no-cache"}
	}
	return j, func() {
		if err := j.Close(); err != nil {
			fmt.Fprintf(stderr, "enrich: warning: %v; answers after the last sync may need asking again\n", err)
		}
	}, nil
}

func (c *config) journalPath() (string, error) {
	dir := c.cacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "enrich")
	}
	id, name := "stdout:stdin", "stdout"
	if c.output != "-" {
		abs, err := filepath.Abs(c.output)
		if err != nil {
			return "", err
		}
		id, name = abs, filepath.Base(c.output)
	} else if c.input != "-" {
		abs, err := filepath.Abs(c.input)
		if err != nil {
			return "", err
		}
		id, name = "stdout:"+abs, "stdout-"+filepath.Base(c.input)
	}
	sum := sha256.Sum256([]byte(id))
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, name)
	return filepath.Join(dir, "journals", name+"-"+hex.EncodeToString(sum[:6])+".jsonl"), nil
}
