package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Batches is the record of the batches submitted for one output: a JSON
// Lines file beside its journal (BatchesPath) that outlives the process,
// so that a run killed while it waits, or one that chose not to wait,
// finds its batches again instead of paying for them twice. Its lines are
// the caller's (package pipeline says what they hold); the file's part is
// that each Append is on disk, synced, when it returns, and that a line
// torn by a crash is ignored.
//
// Like a journal it is locked while open, so two runs never share one.
type Batches struct {
	path string
	mu   sync.Mutex
	f    *os.File
	size int64 // end of the last complete line
}

// BatchesPath is where the batches of the journal at journalPath are
// recorded: NAME-HASH.batches.jsonl beside NAME-HASH.jsonl.
func BatchesPath(journalPath string) string {
	return strings.TrimSuffix(journalPath, ".jsonl") + ".batches.jsonl"
}

// OpenBatches opens or creates the record at path (0600, in a folder made
// 0700 if missing), locked as Open locks a journal.
func OpenBatches(path string) (*Batches, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("batch record: %w", err)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("batch record: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("batch record %s: lock: %w", path, err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// The new file's name must survive a power cut too.
		if d, err := os.Open(dir); err == nil {
			_ = d.Sync()
			d.Close()
		}
	}
	b := &Batches{path: path, f: f}
	if err := b.Replay(func([]byte) error { return nil }); err != nil {
		f.Close()
		return nil, err
	}
	// A torn last line is cut off, so that appends start on a line of
	// their own.
	if err := f.Truncate(b.size); err != nil {
		f.Close()
		return nil, fmt.Errorf("batch record %s: %w", path, err)
	}
	return b, nil
}

// Path is where the record lives.
func (b *Batches) Path() string { return b.path }

// Append writes each of recs as a JSON line, in one write, and syncs the
// file before it returns.
func (b *Batches) Append(recs ...any) error {
	var buf []byte
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("batch record: %w", err)
		}
		buf = append(append(buf, line...), '\n')
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.f.WriteAt(buf, b.size); err != nil {
		return fmt.Errorf("batch record %s: %w", b.path, err)
	}
	if err := b.f.Sync(); err != nil {
		return fmt.Errorf("batch record %s: sync: %w", b.path, err)
	}
	b.size += int64(len(buf))
	return nil
}

// Replay calls fn with every complete line, in the order appended.
func (b *Batches) Replay(fn func(line []byte) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	br := bufio.NewReaderSize(io.NewSectionReader(b.f, 0, 1<<62), 1<<16)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			if json.Valid(line) {
				if ferr := fn(line); ferr != nil {
					return ferr
				}
			}
			off += int64(len(line))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("batch record %s: %w", b.path, err)
		}
	}
	b.size = off
	return nil
}

// Clear forgets every record: the batches they name are done with.
func (b *Batches) Clear() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.f.Truncate(0); err != nil {
		return fmt.Errorf("batch record %s: %w", b.path, err)
	}
	b.size = 0
	if err := b.f.Sync(); err != nil {
		return fmt.Errorf("batch record %s: sync: %w", b.path, err)
	}
	return nil
}

// Close unlocks and closes the record. A record with nothing in it is
// removed.
func (b *Batches) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	empty := b.size == 0
	err := b.f.Close()
	if empty && err == nil {
		err = os.Remove(b.path)
	}
	return err
}

// Sync writes every answer recorded so far to disk now, rather than within
// SyncEvery: a caller about to record that answers are in the journal
// (that a batch has been collected, say) makes sure they are first.
func (j *Journal) Sync() error {
	j.mu.Lock()
	j.dirty = true
	j.mu.Unlock()
	j.sync()
	j.mu.RLock()
	defer j.mu.RUnlock()
	return j.err
}
