// Package diskindex is a hash index from a 16-byte key (an llm.Key) to a number that lives in
// a file, not in memory: a run of ten million rows keeps ten million keys
// in it and a few pages of memory whatever its size.
//
// The file is an array of fixed-size buckets, one 4 KiB page each, and a
// key's bucket is the top bits of a hash of the key. A page holds up to 170
// entries of 24 bytes, the whole 16-byte key and its value, so a lookup
// reads one page and compares full keys: two keys never share an entry, and
// no lookup can answer for another key. When an insert meets a full page
// the table doubles. Because a bucket's entries move only to the two
// buckets that take its place (2i and 2i+1, the next bit of the hash), the
// doubling is one sequential pass over the old file writing a new one,
// never a random rewrite.
//
// The file is temporary: it is removed as soon as it is created (where the
// system allows: Unix), so nothing is left behind even when the process is
// killed, and its space comes back when the index is closed. An index is
// rebuilt from its source (a journal) whenever one is opened; it is never
// the record of anything.
//
// It does not know what the values mean (package journal stores the offset
// of a line) and it never holds entries in memory: the operating system's
// page cache, which is not the process's memory, keeps hot pages.
package diskindex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sync"
)

const (
	pageSize  = 4096
	entrySize = len([16]byte{}) + 8
	perPage   = pageSize / entrySize // 170
	// minBuckets is the size of a new index: 256 KiB of file.
	minBuckets = 64
	// growChunk is how many pages a doubling reads at a time.
	growChunk = 64
)

// ErrOverflow means a bucket filled up while the table was nearly empty:
// only keys chosen to collide under the index's own random hash do that.
var ErrOverflow = errors.New("bucket overflow in a nearly empty table")

// Index maps keys to values in a temporary file. Its methods are safe for
// concurrent use.
type Index struct {
	dir  string
	seed maphash.Seed

	mu      sync.RWMutex // Put and the doubling exclusive, Get shared
	f       *os.File
	path    string // "" once removed
	bits    uint   // buckets = 1 << bits
	n       int
	scratch []byte // a page for Put, under mu
	pages   sync.Pool
}

// New creates an empty index in a temporary file in dir (os.TempDir() for
// ""). Close removes it.
func New(dir string) (*Index, error) {
	x := &Index{dir: dir, seed: maphash.MakeSeed(), scratch: make([]byte, pageSize)}
	x.pages.New = func() any { b := make([]byte, pageSize); return &b }
	f, path, err := x.create(minBuckets)
	if err != nil {
		return nil, err
	}
	x.f, x.path, x.bits = f, path, log2(minBuckets)
	return x, nil
}

// create makes a file of n empty pages, removed from its folder at once
// where the system allows an open file to be removed.
func (x *Index) create(n int) (*os.File, string, error) {
	f, err := os.CreateTemp(x.dir, ".enrich-index-*")
	if err != nil {
		return nil, "", fmt.Errorf("index: %w", err)
	}
	path := f.Name()
	if err := f.Truncate(int64(n) * pageSize); err != nil {
		f.Close()
		os.Remove(path)
		return nil, "", fmt.Errorf("index: %w", err)
	}
	if os.Remove(path) == nil {
		path = ""
	}
	return f, path, nil
}

func log2(n int) uint {
	var b uint
	for 1<<b < n {
		b++
	}
	return b
}

// Len is the number of keys.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.n
}

func (x *Index) hash(k [16]byte) uint64 { return maphash.Bytes(x.seed, k[:]) }

func (x *Index) bucket(h uint64) int64 {
	if x.bits == 0 {
		return 0
	}
	return int64(h >> (64 - x.bits))
}

// Get returns the value of k.
func (x *Index) Get(k [16]byte) (uint64, bool, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.n == 0 {
		return 0, false, nil
	}
	bp := x.pages.Get().(*[]byte)
	defer x.pages.Put(bp)
	page := *bp
	if err := x.read(page, x.bucket(x.hash(k))); err != nil {
		return 0, false, err
	}
	i, found := find(page, k)
	if !found {
		return 0, false, nil
	}
	return binary.LittleEndian.Uint64(page[i*entrySize+len(k):]) - 1, true, nil
}

// Put sets the value of k, replacing any value it had.
func (x *Index) Put(k [16]byte, v uint64) error {
	if v == ^uint64(0) {
		return fmt.Errorf("index: value %d out of range", v)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	h := x.hash(k)
	for {
		b := x.bucket(h)
		page := x.scratch
		if err := x.read(page, b); err != nil {
			return err
		}
		i, found := find(page, k)
		if i < perPage {
			var e [entrySize]byte
			copy(e[:], k[:])
			binary.LittleEndian.PutUint64(e[len(k):], v+1)
			if _, err := x.f.WriteAt(e[:], b*pageSize+int64(i*entrySize)); err != nil {
				return fmt.Errorf("index: %w", err)
			}
			if !found {
				x.n++
			}
			return nil
		}
		if x.n < (perPage<<x.bits)/8 {
			return ErrOverflow
		}
		if err := x.grow(); err != nil {
			return err
		}
	}
}

// find returns the entry of k in page and true, or the first free entry
// (perPage when there is none) and false. Entries fill a page from its
// start, and a value is stored plus one, so a zero value marks the end.
func find(page []byte, k [16]byte) (int, bool) {
	for i := range perPage {
		e := page[i*entrySize : (i+1)*entrySize]
		if binary.LittleEndian.Uint64(e[len(k):]) == 0 {
			return i, false
		}
		if [16]byte(e[:len(k)]) == k {
			return i, true
		}
	}
	return perPage, false
}

func (x *Index) read(page []byte, b int64) error {
	if _, err := x.f.ReadAt(page, b*pageSize); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// grow doubles the table in one pass: each old page splits into two new
// pages on the next bit of its keys' hash, written in order.
func (x *Index) grow() error {
	old := 1 << x.bits
	f, path, err := x.create(2 * old)
	if err != nil {
		return err
	}
	in := make([]byte, growChunk*pageSize)
	out := make([]byte, 2*growChunk*pageSize)
	shift := 64 - (x.bits + 1)
	for first := 0; first < old; first += growChunk {
		n := min(growChunk, old-first)
		if _, err := x.f.ReadAt(in[:n*pageSize], int64(first)*pageSize); err != nil && !errors.Is(err, io.EOF) {
			f.Close()
			return fmt.Errorf("index: %w", err)
		}
		clear(out)
		for p := range n {
			var fill [2]int
			for i := range perPage {
				e := in[p*pageSize+i*entrySize : p*pageSize+(i+1)*entrySize]
				if binary.LittleEndian.Uint64(e[16:]) == 0 {
					break
				}
				half := (x.hash([16]byte(e[:16])) >> shift) & 1
				dst := (2*p+int(half))*pageSize + fill[half]*entrySize
				copy(out[dst:dst+entrySize], e)
				fill[half]++
			}
		}
		if _, err := f.WriteAt(out[:2*n*pageSize], int64(2*first)*pageSize); err != nil {
			f.Close()
			return fmt.Errorf("index: %w", err)
		}
	}
	x.closeFile()
	x.f, x.path, x.bits = f, path, x.bits+1
	return nil
}

// Reserve grows the table ahead of n keys, so that adding them does not
// double it again and again.
func (x *Index) Reserve(n int) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	// Half full on average leaves room for the unlucky buckets.
	for perPage<<x.bits < 2*n {
		if err := x.grow(); err != nil {
			return err
		}
	}
	return nil
}

// Size is the bytes the index takes on disk.
func (x *Index) Size() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return int64(pageSize) << x.bits
}

func (x *Index) closeFile() error {
	err := x.f.Close()
	if x.path != "" {
		if rerr := os.Remove(x.path); err == nil {
			err = rerr
		}
	}
	return err
}

// Close removes the index.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.f == nil {
		return nil
	}
	err := x.closeFile()
	x.f = nil
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}
