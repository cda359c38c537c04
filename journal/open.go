package journal

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/enrich-dev/enrich/internal/diskindex"
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
	// The index goes beside a journal the run may write, on the same
	// disk; a lookup-only journal writes nothing there.
	dir := ""
	if !j.readOnly {
		dir = filepath.Dir(j.path)
	}
	var err error
	if j.index, err = diskindex.New(dir); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if !j.readOnly {
		if err := lock(j.f); err != nil {
			j.index.Close()
			if errors.Is(err, ErrLocked) {
				return fmt.Errorf("%s: %w", j.path, ErrLocked)
			}
			return fmt.Errorf("journal %s: lock: %w", j.path, err)
		}
	}
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
		j.index.Close()
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.opened = j.size
	if !j.readOnly {
		j.stop, j.done = make(chan struct{}), make(chan struct{})
		go j.syncLoop()
	}
	return nil
}

// load indexes every complete line; j.size ends up at the end of the last
// one. Only each line's key is read: its first bytes, as Put writes them,
// or the line decoded when it is written some other way.
func (j *Journal) load() error {
	total := int64(-1)
	if fi, err := j.f.Stat(); err == nil {
		total = fi.Size()
	}
	br := bufio.NewReaderSize(j.f, 1<<16)
	var off, lines int64
	var head []byte // a line's start, kept while the rest is skipped
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !long {
				head = append(head[:0], chunk[:min(len(chunk), 256)]...)
				long = true
			}
			off += int64(len(chunk))
			continue
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			line := chunk
			if long {
				line = head
			}
			var k llm.Key
			if keyOf(line, &k) {
				if err := j.index.Put(k, uint64(j.size)); err != nil {
					return err
				}
			}
			off += int64(len(chunk))
			j.size = off
			lines++
			if lines == 1000 && total > 0 {
				// Size the index for the whole file at once.
				if err := j.index.Reserve(int(total / (off / lines))); err != nil {
					return err
				}
			}
		}
		long = false
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// keyOf reads a line's key: from its first bytes when the line starts
// the way Put writes it, else by decoding it.
func keyOf(line []byte, k *llm.Key) bool {
	const pre = `{"k":"`
	if n := len(pre) + 2*len(k); len(line) > n && string(line[:len(pre)]) == pre && line[n] == '"' {
		if _, err := hex.Decode(k[:], line[len(pre):n]); err == nil {
			return true
		}
	}
	var rec struct {
		K string `json:"k"`
	}
	return json.Unmarshal(line, &rec) == nil && decodeKey(rec.K, k)
}
