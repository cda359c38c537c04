package journal

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/enrich-dev/enrich/internal/diskindex"
	"github.com/enrich-dev/enrich/llm"
)

// ErrLocked is returned by Open when another process has the journal open.
var ErrLocked = errors.New("the journal is in use by another enrich run")

// errReadOnly is returned by Put on a journal opened with OpenExisting.
var errReadOnly = errors.New("opened for lookups only")

// SyncEvery is how often a journal with new answers is synced to disk.
const SyncEvery = time.Second

// Journal is an open journal file. Its methods are safe for concurrent use.
type Journal struct {
	path     string
	f        *os.File
	readOnly bool // OpenExisting: lookups only, no lock, no sync loop
	temp     bool // OpenTemp: Close removes the file

	mu    sync.RWMutex
	index *diskindex.Index // key → offset of the key's latest line, on disk
	// opened is the size the file had when it was opened: a line at or
	// after it was recorded since (see GetOwn).
	opened int64
	size   int64
	dirty  bool
	err    error // first write or sync error; sticks
	closed bool

	stop chan struct{}
	done chan struct{}
}

// record is one line of the file. Short names keep the file small.
type record struct {
	K  string `json:"k"`
	T  string `json:"t"`
	F  string `json:"f,omitempty"`
	PI int    `json:"pi,omitempty"`
	PO int    `json:"po,omitempty"`
}

func decodeKey(s string, k *llm.Key) bool {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return false
	}
	copy(k[:], b)
	return true
}

// Path is where the journal lives.
func (j *Journal) Path() string { return j.path }

// Len is the number of distinct answers recorded.
func (j *Journal) Len() int {
	return j.index.Len()
}

// Has reports whether an answer for key is recorded.
// The index holds whole keys, so a key is never taken for another.
func (j *Journal) Has(key llm.Key) bool {
	_, ok, err := j.index.Get(key)
	return ok && err == nil
}

// Get returns the recorded answer for key.
func (j *Journal) Get(key llm.Key) (llm.Response, bool, error) {
	resp, ok, _, err := j.GetOwn(key)
	return resp, ok, err
}

// GetOwn is Get, and also reports whether the answer was recorded since
// the journal was opened (by this run) rather than found in it: that needs
// no memory per key, since lines only ever append.
func (j *Journal) GetOwn(key llm.Key) (resp llm.Response, ok, own bool, err error) {
	v, ok, err := j.index.Get(key)
	if err != nil {
		return llm.Response{}, false, false, fmt.Errorf("journal %s: %w", j.path, err)
	}
	if !ok {
		return llm.Response{}, false, false, nil
	}
	off := int64(v)
	line, err := readLine(j.f, off)
	if err != nil {
		return llm.Response{}, false, false, fmt.Errorf("journal %s: reading offset %d: %w", j.path, off, err)
	}
	var rec record
	if err := json.Unmarshal(line, &rec); err != nil {
		return llm.Response{}, false, false, fmt.Errorf("journal %s: offset %d: %w", j.path, off, err)
	}
	if rec.K != key.String() {
		// The file changed under a reader that took no lock.
		return llm.Response{}, false, false, fmt.Errorf("journal %s: offset %d holds another key's answer; the journal changed while open", j.path, off)
	}
	return llm.Response{
		Text:         rec.T,
		FinishReason: rec.F,
		Usage:        llm.Usage{PromptTokens: rec.PI, CompletionTokens: rec.PO},
	}, true, off >= j.opened, nil
}

func readLine(f *os.File, off int64) ([]byte, error) {
	buf := make([]byte, 4096)
	var line []byte
	for {
		n, err := f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return append(line, buf[:i]...), nil
		}
		line = append(line, buf[:n]...)
		off += int64(n)
		if err != nil {
			return nil, err
		}
		if len(buf) < 1<<20 {
			buf = make([]byte, 2*len(buf))
		}
	}
}

// Put records resp as the answer for key with one write, so it survives
// the process being killed the moment Put returns.
func (j *Journal) Put(key llm.Key, resp llm.Response) error {
	line, err := json.Marshal(record{K: key.String(), T: resp.Text, F: resp.FinishReason, PI: resp.Usage.PromptTokens, PO: resp.Usage.CompletionTokens})
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if j.closed {
		return fmt.Errorf("journal %s: closed", j.path)
	}
	if j.readOnly {
		return fmt.Errorf("journal %s: %w", j.path, errReadOnly)
	}
	if _, err := j.f.Write(line); err != nil {
		j.err = fmt.Errorf("journal %s: %w", j.path, err)
		return j.err
	}
	if err := j.index.Put(key, uint64(j.size)); err != nil {
		j.err = fmt.Errorf("journal %s: %w", j.path, err)
		return j.err
	}
	j.size += int64(len(line))
	j.dirty = true
	return nil
}

func (j *Journal) syncLoop() {
	defer close(j.done)
	t := time.NewTicker(SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			j.sync()
		case <-j.stop:
			return
		}
	}
}

func (j *Journal) sync() {
	j.mu.Lock()
	dirty := j.dirty
	j.dirty = false
	j.mu.Unlock()
	if !dirty {
		return
	}
	if err := j.f.Sync(); err != nil {
		j.mu.Lock()
		if j.err == nil {
			j.err = fmt.Errorf("journal %s: sync: %w", j.path, err)
		}
		j.mu.Unlock()
	}
}

// Close syncs and unlocks the journal. It returns the first write or sync
// error, if any happened. A temporary journal (OpenTemp) is then removed; a
// journal opened with OpenExisting is only closed.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()
	ierr := j.index.Close()
	if j.readOnly {
		return errors.Join(j.f.Close(), ierr)
	}
	close(j.stop)
	<-j.done
	j.dirty = true
	j.sync()
	err := j.f.Close()
	if j.err != nil {
		err = j.err
	}
	if err == nil {
		err = ierr
	}
	if j.temp {
		// Removed even after a write error: a temporary journal is of no
		// use to anyone once closed.
		if rerr := os.Remove(j.path); rerr != nil && err == nil {
			err = fmt.Errorf("journal: removing the temporary journal: %w", rerr)
		}
	}
	return err
}
