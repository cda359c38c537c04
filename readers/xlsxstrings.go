package readers

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unsafe"

	"github.com/enrich-dev/enrich/internal/ooxml"
)

// sharedStrings is the workbook's string table. Any cell may name any
// string (one in the last row may name the first), so the whole table
// must stay addressable, but not in memory: a small table is held in
// memory, compactly, and one past spillAt bytes moves to a temporary file
// (see diskStrings), so that memory does not grow with the workbook.
//
// In memory, the text is in pages of 1 MB that are never moved or copied
// as the table grows, and where each string ends, 4 bytes a string. A
// million short strings take their text plus 4 MB this way, where a Go
// string each would add 16 bytes of header and a pointer for the
// collector to walk, and one growing slice would briefly need three times
// the text while it is copied.
//
// Strings are addressed in one 32-bit space of pages. A string never
// straddles two pages unless it is longer than a page, in which case it
// starts a page of its own size; so string i starts where string i-1
// ends, or, when that would have crossed a page boundary, at the next one.
type sharedStrings struct {
	// spillAt is how many bytes of text and ends the table may hold in
	// memory before it moves to disk; 0 keeps it in memory.
	spillAt int

	pages [][]byte
	ends  []uint32
	end   uint32 // where the next string would start

	disk *diskStrings // once spilled; pages and ends are then empty
}

const (
	pageBits = 20
	pageSize = 1 << pageBits
	// maxStringText is the most string text the table can address.
	maxStringText = 1<<32 - 1
	// spillStrings is where a workbook's table moves to disk: 4 MB is
	// about 130,000 strings of the length of a short sentence, and reading
	// them back costs the run well under a second.
	spillStrings = 4 << 20
)

var errStringsFull = fmt.Errorf("%w: more than 4 GB of shared strings", ooxml.ErrTooLarge)

func (t *sharedStrings) len() int {
	if t.disk != nil {
		return t.disk.n
	}
	return len(t.ends)
}

// get returns string i, which must be below len. In memory, the string
// shares the table's memory, which is never written after it is read:
// cells refer to it without a copy, and the page lives as long as any of
// them does.
func (t *sharedStrings) get(i int) (string, error) {
	if t.disk != nil {
		return t.disk.get(i)
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if start == end {
		return "", nil
	}
	if start>>pageBits != (end-1)>>pageBits {
		start = (start + pageSize - 1) &^ (pageSize - 1)
	}
	page := t.pages[start>>pageBits]
	off := start & (pageSize - 1)
	return unsafe.String(&page[off], int(end-start)), nil
}

// reserve sizes the ends for the count the table says it has, believed
// only as far as the part's size allows (every <si/> takes 5 bytes) and
// as far as the table stays in memory, so that a lying count costs
// nothing.
func (t *sharedStrings) reserve(sc *ooxml.Scanner, partSize uint64) {
	v, ok := sc.Attr("uniqueCount")
	if !ok {
		return
	}
	n, err := strconv.ParseUint(string(v), 10, 32)
	if err != nil {
		return
	}
	n = min(n, partSize/5, 1<<26)
	if t.spillAt > 0 {
		n = min(n, uint64(t.spillAt/4))
	}
	t.ends = make([]uint32, 0, n)
}

// add appends s.
func (t *sharedStrings) add(s []byte) error {
	if t.disk != nil {
		return t.disk.add(s)
	}
	n := uint64(len(s))
	start := uint64(t.end)
	if n > 0 && start>>pageBits != (start+n-1)>>pageBits {
		start = (start + pageSize - 1) &^ (pageSize - 1) // the next page
	}
	if start+n > maxStringText {
		return errStringsFull
	}
	p := int(start >> pageBits)
	switch {
	case n == 0:
	case n > pageSize:
		// A page of its own size; the pages it spans are windows on it,
		// the last one open for the strings that follow.
		k := int((n + pageSize - 1) / pageSize)
		big := make([]byte, n, k*pageSize)
		copy(big, s)
		for len(t.pages) < p+k {
			t.pages = append(t.pages, nil)
		}
		for j := range k {
			t.pages[p+j] = big[j*pageSize : min(int(n), (j+1)*pageSize)]
		}
	default:
		for len(t.pages) <= p {
			t.pages = append(t.pages, nil)
		}
		if t.pages[p] == nil {
			t.pages[p] = make([]byte, 0, pageSize)
		}
		t.pages[p] = append(t.pages[p], s...)
	}
	t.end = uint32(start + n)
	t.ends = append(t.ends, t.end)
	if t.spillAt > 0 && int64(t.end)+4*int64(len(t.ends)) > int64(t.spillAt) {
		return t.spill()
	}
	return nil
}

// spill moves the table to disk.
func (t *sharedStrings) spill() error {
	d, err := newDiskStrings()
	if err != nil {
		return err
	}
	for i := range t.ends {
		s, _ := t.get(i)
		if err := d.add(unsafe.Slice(unsafe.StringData(s), len(s))); err != nil {
			d.close()
			return err
		}
	}
	t.disk, t.pages, t.ends, t.end = d, nil, nil, 0
	return nil
}

// finish ends the building of the table.
func (t *sharedStrings) finish() error {
	if t.disk != nil {
		return t.disk.finish()
	}
	return nil
}

// close releases the table's file, if it has one.
func (t *sharedStrings) close() error {
	if t.disk != nil {
		err := t.disk.close()
		t.disk = nil
		return err
	}
	return nil
}

// diskStrings is a string table in two temporary files: the text of every
// string back to back, and where each one ends, 4 bytes a string, so that
// string i is two reads at known offsets. The files are removed as soon
// as they are created (where the system allows: Unix), so nothing is left
// behind even when the process is killed, and the operating system's page
// cache, which is not the process's memory, keeps the hot parts.
//
// A lookup that misses the cache reads ahead: the strings after it, up to
// readAhead of them or readAheadText bytes, go into the cache too, since
// a sheet names its strings mostly in the order the table has them (that
// is how Excel builds it). The cache is direct-mapped by index, which
// also keeps the few strings a sheet repeats on every row in memory, and
// holds no string longer than maxCached, so it stays under cacheSlots ×
// maxCached bytes whatever the workbook.
type diskStrings struct {
	text, ends     *os.File
	paths          []string // files still to remove at close
	textW, endsW   *bufio.Writer
	n              int
	end            uint32
	cache          []cachedString
	endsBuf, textB []byte
}

type cachedString struct {
	i1 int // the string's index + 1; 0 is an empty slot
	s  string
}

const (
	cacheSlots    = 4096
	maxCached     = 1024
	readAhead     = 256
	readAheadText = 64 << 10
)

func newDiskStrings() (*diskStrings, error) {
	d := &diskStrings{}
	for _, f := range []**os.File{&d.text, &d.ends} {
		file, err := os.CreateTemp("", ".enrich-strings-*")
		if err != nil {
			d.close()
			return nil, fmt.Errorf("shared strings: %w", err)
		}
		*f = file
		if os.Remove(file.Name()) != nil {
			d.paths = append(d.paths, file.Name())
		}
	}
	d.textW = bufio.NewWriterSize(d.text, 64<<10)
	d.endsW = bufio.NewWriterSize(d.ends, 16<<10)
	return d, nil
}

func (d *diskStrings) add(s []byte) error {
	if uint64(d.end)+uint64(len(s)) > maxStringText {
		return errStringsFull
	}
	if _, err := d.textW.Write(s); err != nil {
		return fmt.Errorf("shared strings: %w", err)
	}
	d.end += uint32(len(s))
	var e [4]byte
	binary.LittleEndian.PutUint32(e[:], d.end)
	if _, err := d.endsW.Write(e[:]); err != nil {
		return fmt.Errorf("shared strings: %w", err)
	}
	d.n++
	return nil
}

func (d *diskStrings) finish() error {
	if err := errors.Join(d.textW.Flush(), d.endsW.Flush()); err != nil {
		return fmt.Errorf("shared strings: %w", err)
	}
	d.textW, d.endsW = nil, nil
	d.cache = make([]cachedString, cacheSlots)
	d.endsBuf = make([]byte, 4*(readAhead+1))
	d.textB = make([]byte, readAheadText)
	return nil
}

func (d *diskStrings) get(i int) (string, error) {
	if c := &d.cache[i%cacheSlots]; c.i1 == i+1 {
		return c.s, nil
	}
	// The ends of strings i-1 to i+k-1: where string i starts, and where
	// it and the k-1 after it end.
	k := min(readAhead, d.n-i)
	first := max(i-1, 0)
	buf := d.endsBuf[:4*(i+k-first)]
	if _, err := d.ends.ReadAt(buf, int64(first)*4); err != nil {
		return "", d.readError(i, err)
	}
	endAt := func(j int) int64 { // the end of string j, from i-1 on
		if j < 0 {
			return 0
		}
		return int64(binary.LittleEndian.Uint32(buf[4*(j-first):]))
	}
	start := endAt(i - 1)
	if n := endAt(i) - start; n > readAheadText {
		// Read alone, into memory of its own, and not cached.
		b := make([]byte, n)
		if _, err := d.text.ReadAt(b, start); err != nil {
			return "", d.readError(i, err)
		}
		return unsafe.String(&b[0], len(b)), nil
	}
	last := i // the last string read
	for last+1 < i+k && endAt(last+1)-start <= readAheadText {
		last++
	}
	text := d.textB[:endAt(last)-start]
	if _, err := d.text.ReadAt(text, start); err != nil {
		return "", d.readError(i, err)
	}
	var want string
	for j := i; j <= last; j++ {
		s := string(text[endAt(j-1)-start : endAt(j)-start])
		if j == i {
			want = s
		}
		if len(s) <= maxCached {
			d.cache[j%cacheSlots] = cachedString{i1: j + 1, s: s}
		}
	}
	return want, nil
}

func (d *diskStrings) readError(i int, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("shared string %d: reading the table's temporary file: %w", i, err)
}

func (d *diskStrings) close() error {
	var errs []error
	for _, f := range []*os.File{d.text, d.ends} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	for _, p := range d.paths {
		errs = append(errs, os.Remove(p))
	}
	d.text, d.ends, d.paths = nil, nil, nil
	return errors.Join(errs...)
}
