package cli

import (
	"bufio"
	"bytes"
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

const mergeUsage = `usage: enrich merge -o OUTPUT PART...

Combines the parts written by enrich --shard I/N into the file one run
without --shard writes: the same bytes (the same cells for .xlsx), rows in
the input's order, whatever order the parts are named in. Each PART needs
its PART.shard beside it.
`

// runMerge is enrich merge.
func runMerge(args []string, stderr io.Writer) int {
	con := newConsole(stderr, "text")
	fs := pflag.NewFlagSet("enrich merge", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var output string
	var help bool
	fs.StringVarP(&output, "output", "o", "", "the merged `FILE`")
	fs.BoolVarP(&help, "help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return con.fail(usageError{err})
	}
	if help {
		fmt.Fprint(stderr, mergeUsage+"\n"+fs.FlagUsagesWrapped(helpWidth))
		return exitOK
	}
	switch {
	case output == "" || output == "-":
		return con.fail(usagef("merge needs -o OUTPUT, a file"))
	case fs.NArg() == 0:
		return con.fail(usagef("merge needs the parts: enrich merge -o OUTPUT PART..."))
	}
	if err := merge(output, fs.Args()); err != nil {
		return con.fail(err)
	}
	con.notef("done: %d parts merged into %s", fs.NArg(), output)
	return exitOK
}

// part is one PART being merged.
type part struct {
	i    int // its place in the parts given
	path string
	rec  shardRecord
	data *recordReader // nil for XLSX, which is read as a package
	rows *bufio.Reader // the positions of its rows, after the record's line
	mf   *os.File
	next int64 // the position of its next row; -1 when done
	left int64
}

func openPart(path string) (*part, error) {
	mf, err := os.Open(path + shardSuffix)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no %s beside it; merge takes the parts written by enrich --shard, and a part whose run did not finish has none", path, filepath.Base(path)+shardSuffix)
		}
		return nil, err
	}
	p := &part{path: path, mf: mf, rows: bufio.NewReaderSize(mf, 64<<10)}
	head, err := p.rows.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(head, &p.rec)
	}
	if err != nil || p.rec.Version != 1 {
		mf.Close()
		return nil, fmt.Errorf("%s: %s is not a shard record enrich wrote", path, path+shardSuffix)
	}
	p.left = p.rec.Part.Rows
	changed := fmt.Errorf("%s: the part is not the file its shard wrote; rerun shard %d/%d", path, p.rec.Index, p.rec.Count)
	if table.Format(p.rec.Format) == table.XLSX {
		// A zip is read where its directory says; its bytes are checked
		// before it is.
		sum, n, err := hashFile(path)
		if err != nil || n != p.rec.Part.Bytes || sum != p.rec.Part.SHA256 {
			mf.Close()
			return nil, firstErr(err, changed)
		}
		return p, nil
	}
	f, err := os.Open(path)
	if err != nil {
		mf.Close()
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != p.rec.Part.Bytes {
		f.Close()
		mf.Close()
		return nil, changed
	}
	if p.data, err = newRecordReader(f, path, p.rec.Quoted, table.Compression(p.rec.Compress)); err != nil {
		f.Close()
		mf.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

func (p *part) close() {
	if p.data != nil {
		p.data.f.Close()
	}
	p.mf.Close()
}

// advance reads the position of p's next row.
func (p *part) advance() error {
	if p.left == 0 {
		p.next = -1
		return nil
	}
	d, err := binary.ReadUvarint(p.rows)
	if err != nil {
		return fmt.Errorf("%s: its shard record ends early: %w", p.path, err)
	}
	p.next += int64(d)
	p.left--
	return nil
}

// merge checks the parts against one another, then interleaves their
// rows by position into a temporary file renamed to output.
func merge(output string, paths []string) (err error) {
	var parts []*part
	defer func() {
		for _, p := range parts {
			p.close()
		}
	}()
	byIndex := map[int]string{}
	for i, path := range paths {
		p, err := openPart(path)
		if err != nil {
			return err
		}
		p.i = i
		parts = append(parts, p)
		first := parts[0].rec
		switch r := p.rec; {
		case r.InputID != first.InputID || r.Rows != first.Rows:
			return fmt.Errorf("%s: a part of another input (%s) than %s (%s)", path, r.Input, paths[0], first.Input)
		case r.Count != first.Count:
			return fmt.Errorf("%s: shard %d of %d, but %s is of %d shards", path, r.Index, r.Count, paths[0], first.Count)
		case r.Job != first.Job || r.Format != first.Format || r.Layout != first.Layout || r.Sheet != first.Sheet ||
			r.Header != first.Header || r.Quoted != first.Quoted:
			return fmt.Errorf("%s: made with another prompt, model, columns or format than %s", path, paths[0])
		}
		if other, dup := byIndex[p.rec.Index]; dup {
			return fmt.Errorf("%s: shard %d/%d again (%s is that shard too)", path, p.rec.Index, p.rec.Count, other)
		}
		byIndex[p.rec.Index] = path
	}
	count := parts[0].rec.Count
	for i := range count {
		if _, ok := byIndex[i]; !ok {
			return fmt.Errorf("shard %d/%d is missing: %d parts given, of %d", i, count, len(parts), count)
		}
	}
	format := table.Format(parts[0].rec.Format)
	if f, ferr := table.FormatOf(output, ""); ferr != nil || f != format {
		return usagef("-o %s: the parts are %s, so OUTPUT must be a .%s file", output, format, format)
	}
	if ext := filepath.Ext(paths[0]); format == table.XLSX && !strings.EqualFold(filepath.Ext(output), ext) {
		return usagef("-o %s: the parts are %s files, and a workbook's type follows its extension, so OUTPUT must be one too", output, ext)
	}
	var total int64
	for _, p := range parts {
		total += p.rec.Part.Rows
	}
	if total != parts[0].rec.Rows {
		return fmt.Errorf("the parts hold %d rows together, but the input has %d", total, parts[0].rec.Rows)
	}
	ord, err := newOrder(parts)
	if err != nil {
		return err
	}

	tmp, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	w, err := writers.Compress(bw, table.CompressionOf(output))
	if err != nil {
		return err
	}
	if format == table.XLSX {
		err = writers.JoinXLSX(w, writers.JoinOptions{
			Parts: paths, Whole: parts[0].rec.Layout == sheetLayout, Sheet: parts[0].rec.Sheet,
			Next: func() (int64, int, error) {
				pos, p, err := ord.pop()
				if p == nil {
					return 0, 0, err
				}
				return pos, p.i, err
			},
		})
	} else {
		err = mergeRecords(w, parts, ord)
	}
	if err != nil {
		return err
	}
	if err := firstErr(w.Close(), bw.Flush(), tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("writing %s: %w", output, err)
	}
	return os.Rename(tmp.Name(), output)
}

// mergeRecords writes the header (CSV, TSV), then the parts' records in
// order.
func mergeRecords(w io.Writer, parts []*part, ord *order) error {
	var header []byte
	for _, p := range parts {
		if !p.rec.Header {
			break
		}
		head, err := p.data.next()
		if err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		if header == nil {
			header = bytes.Clone(head)
			w.Write(header)
		} else if !bytes.Equal(head, header) {
			return fmt.Errorf("%s: its header differs from %s's", p.path, parts[0].path)
		}
	}
	for want := int64(0); ; want++ {
		pos, p, err := ord.pop()
		if p == nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			break
		}
		if err != nil {
			return err
		}
		if pos != want {
			return fmt.Errorf("%s: row %d of the input is in no part (the parts are not of one run)", p.path, want)
		}
		rec, err := p.data.next()
		if err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		w.Write(rec)
	}
	for _, p := range parts {
		if rest, err := p.data.next(); err != io.EOF || rest != nil {
			return fmt.Errorf("%s: holds more rows than its shard record says", p.path)
		}
		if _, err := io.Copy(io.Discard, p.data.raw); err != nil { // the rest of the hash
			return fmt.Errorf("%s: %w", p.path, err)
		}
		if got := hex.EncodeToString(p.data.sum.Sum(nil)); got != p.rec.Part.SHA256 {
			return fmt.Errorf("%s: the part changed after its shard wrote it; rerun shard %d/%d", p.path, p.rec.Index, p.rec.Count)
		}
	}
	return nil
}

// order yields the parts' rows by position, from the shard records.
type order struct {
	h    partHeap
	last int64
}

func newOrder(parts []*part) (*order, error) {
	o := &order{last: -1}
	for _, p := range parts {
		p.next = -1
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.next >= 0 {
			heap.Push(&o.h, p)
		}
	}
	return o, nil
}

// pop returns the next row's position and the part holding it; a nil
// part and io.EOF after the last.
func (o *order) pop() (int64, *part, error) {
	if o.h.Len() == 0 {
		return 0, nil, io.EOF
	}
	p := o.h[0]
	pos := p.next
	if pos <= o.last {
		return pos, p, fmt.Errorf("%s: row %d of the input is in another part too (the parts are not of one run)", p.path, pos)
	}
	o.last = pos
	if err := p.advance(); err != nil {
		return pos, p, err
	}
	if p.next < 0 {
		heap.Pop(&o.h)
	} else {
		heap.Fix(&o.h, 0)
	}
	return pos, p, nil
}

type partHeap []*part

func (h partHeap) Len() int           { return len(h) }
func (h partHeap) Less(i, j int) bool { return h[i].next < h[j].next }
func (h partHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *partHeap) Push(x any)        { *h = append(*h, x.(*part)) }
func (h *partHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// recordReader splits a part into its records' bytes, as enrich wrote
// them (decompressed, when the part is): a JSON Lines or plain TSV record
// is a line; a CSV or quoted TSV record ends at a line ending outside
// quotes (enrich quotes every cell holding a quote, a line break or the
// delimiter). It hashes the part's bytes as they are read.
type recordReader struct {
	f     *os.File
	raw   io.Reader // the file's bytes, hashed
	br    *bufio.Reader
	quote bool // a line ending inside quotes is part of the record
	sum   hash.Hash
	buf   []byte
}

func newRecordReader(f *os.File, name string, quoted bool, kind table.Compression) (*recordReader, error) {
	h := sha256.New()
	raw := io.TeeReader(f, h)
	d, err := readers.Decompress(bufio.NewReaderSize(raw, 64<<10), kind, name)
	if err != nil {
		return nil, err
	}
	return &recordReader{f: f, raw: raw, br: bufio.NewReaderSize(d, 256<<10), quote: quoted, sum: h}, nil
}

// next returns the next record, valid until the following call, or nil
// and io.EOF at the end.
func (r *recordReader) next() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		line, err := r.br.ReadSlice('\n')
		r.buf = append(r.buf, line...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			if len(r.buf) == 0 {
				return nil, io.EOF
			}
			return nil, errors.New("the part ends in the middle of a record")
		}
		if err != nil {
			return nil, err
		}
		if !r.quote || bytes.Count(r.buf, []byte{'"'})%2 == 0 {
			return r.buf, nil
		}
	}
}

// isMerge reports whether args call the merge subcommand; an input file
// named merge is given as ./merge.
func isMerge(args []string) bool { return len(args) > 0 && args[0] == "merge" }
