package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/enrich-dev/enrich/llm"
)

// Open opens or creates the journal at path and indexes it. fresh empties
// it first: earlier answers are forgotten.
//
// Folders on the way to path that do not exist yet are created 0700 and the
// file 0600, since answers derive from the user's rows; folders that already
// exist keep their mode.
func Open(path string, fresh bool) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &Journal{path: path, f: f}
	if err := j.start(fresh); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// OpenTemp opens an empty journal in a new temporary file (mode 0600) that
// Close removes. Identical requests within the run are still sent once, but
// nothing is kept for a rerun.
func OpenTemp() (*Journal, error) {
	f, err := os.CreateTemp("", "enrich-journal-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("temporary journal: %w", err)
	}
	j := &Journal{path: f.Name(), f: f, temp: true}
	if err := j.start(true); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return j, nil
}

// OpenExisting opens the journal at path for lookups only, as a dry run
// needs: it never creates, truncates or appends to a file or folder, and Put
// fails. When there is no journal at path the error wraps fs.ErrNotExist.
//
// It takes no lock, so it neither waits for nor shuts out a run that is
// writing the journal. What it sees is the journal as it was when opened: a
// torn last line is ignored (not cut off) and answers recorded later are
// not found. Should another run empty the journal meanwhile (Open with
// fresh), Get reports an error rather than a wrong answer.
func OpenExisting(path string) (*Journal, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &Journal{path: path, f: f, readOnly: true}
	if err := j.start(false); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// start locks and indexes (or empties) the freshly opened j.f and, unless
// the journal is read-only, starts the sync loop.
func (j *Journal) start(fresh bool) error {
	j.index = make(map[llm.Key]int64)
	if !j.readOnly {
		if err := lock(j.f); err != nil {
			if errors.Is(err, ErrLocked) {
				return fmt.Errorf("%s: %w", j.path, ErrLocked)
			}
			return fmt.Errorf("journal %s: lock: %w", j.path, err)
		}
	}
	var err error
	switch {
	case j.readOnly:
		err = j.load()
	case fresh:
		err = j.f.Truncate(0)
	default:
		if err = j.load(); err == nil {
			// A torn last line is cut off, so that appends start on a
			// line of their own.
			err = j.f.Truncate(j.size)
		}
	}
	if err == nil && !j.readOnly {
		_, err = j.f.Seek(j.size, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if !j.readOnly {
		j.stop, j.done = make(chan struct{}), make(chan struct{})
		go j.syncLoop()
	}
	return nil
}

// load indexes every complete line; j.size ends up at the end of the last
// one.
func (j *Journal) load() error {
	br := bufio.NewReaderSize(j.f, 1<<16)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var rec struct {
				K string `json:"k"`
			}
			var k llm.Key
			if json.Unmarshal(line, &rec) == nil && decodeKey(rec.K, &k) {
				j.index[k] = off
			}
			off += int64(len(line))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	j.size = off
	return nil
}
