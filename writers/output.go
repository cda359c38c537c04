package writers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/enrich-dev/enrich/table"
)

// encoder renders records in one format. encode may fail on bad data or
// I/O; finish writes whatever is still held and releases resources;
// discard releases resources without writing.
type encoder interface {
	encode(rec Record) error
	finish() error
	discard() error
}

// writer implements Writer for every format: it keeps the sticky error,
// checks record shapes, and commits or removes the temporary file.
type writer struct {
	opts Options
	enc  encoder
	comp io.WriteCloser // the compressor between enc and temp, or nil
	temp *tempFile      // nil when writing to a caller's io.Writer
	err  error
	done bool
}

var _ Writer = (*writer)(nil)

// Create returns a Writer that writes opts.Format to path, atomically: the
// data goes to a temporary file in path's directory, which Close renames
// over path and Abort removes. The temporary file is created at once, so a
// missing or read-only directory is reported before any work is done.
// Create refuses to write over opts.Source.Path, with an error wrapping
// ErrOverInput. A path ending in .gz or .zst (out.csv.gz) is compressed
// with gzip or zstd (see table.SplitCompression); an XLSX workbook is not,
// with an error wrapping table.ErrCompressedWorkbook.
func Create(path string, opts Options) (Writer, error) {
	o, err := opts.validate()
	if err != nil {
		return nil, err
	}
	if isStdio(path) {
		return nil, fmt.Errorf("create needs an output file path, got %q; use New for standard output", path)
	}
	if sameFile(path, o.Source.Path) {
		return nil, fmt.Errorf("%w %s", ErrOverInput, o.Source.Path)
	}
	kind := table.CompressionOf(path)
	if kind != table.None && o.Format == table.XLSX {
		return nil, fmt.Errorf("cannot write %s: %w", path, table.ErrCompressedWorkbook)
	}
	temp, err := createTemp(path)
	if err != nil {
		return nil, err
	}
	var out io.Writer = namedWriter{temp.f, path}
	comp, err := newCompressor(out, kind)
	if err != nil {
		return nil, errors.Join(err, temp.abort())
	}
	if comp != nil {
		out = comp
	}
	enc, err := newEncoder(out, o, path)
	if err != nil {
		return nil, errors.Join(err, closeCompressor(comp), temp.abort())
	}
	return &writer{opts: o, enc: enc, comp: comp, temp: temp}, nil
}

// New returns a Writer that writes opts.Format to w, typically standard
// output. Every format streams through a buffer that Close flushes; an
// XLSX stream is complete only after Close. Abort stops
// without flushing, but cannot take back what w already received. New
// never closes w.
func New(w io.Writer, opts Options) (Writer, error) {
	o, err := opts.validate()
	if err != nil {
		return nil, err
	}
	enc, err := newEncoder(namedWriter{w, "output"}, o, "")
	if err != nil {
		return nil, err
	}
	return &writer{opts: o, enc: enc}, nil
}

// newEncoder picks the encoder for o.Format. path is the final output
// path, or "" when there is none; XLSX uses its extension for the
// workbook's content type.
func newEncoder(w io.Writer, o Options, path string) (encoder, error) {
	switch o.Format {
	case table.CSV:
		return newDelimited(w, ',', o), nil
	case table.TSV:
		if o.TSVQuoted {
			return newDelimited(w, '\t', o), nil
		}
		return newPlainTSV(w, o)
	case table.JSONL:
		return newJSONL(w, o), nil
	case table.XLSX:
		if o.inPlace() {
			return openInPlace(w, o, path)
		}
		return newWorkbook(w, o, path)
	case table.Parquet:
		return newParquet(w, o)
	case table.SQLite:
		return nil, ErrSQLiteOutput
	}
	return nil, fmt.Errorf("unknown output format %q", o.Format)
}

// Write renders rec. Errors stick; a cancelled ctx is reported without
// sticking, since nothing was written.
func (w *writer) Write(ctx context.Context, rec Record) error {
	if w.done {
		return errors.New("write after close")
	}
	if w.err != nil {
		return w.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(rec.Values) != len(w.opts.Added) {
		w.err = fmt.Errorf("%s: %d values for %d added columns", w.opts.rowName(rec.Row.Num), len(rec.Values), len(w.opts.Added))
		return w.err
	}
	if rec.Kinds != nil && len(rec.Kinds) != len(w.opts.Added) {
		w.err = fmt.Errorf("%s: %d kinds for %d added columns", w.opts.rowName(rec.Row.Num), len(rec.Kinds), len(w.opts.Added))
		return w.err
	}
	for i, k := range rec.Kinds {
		if k > table.JSON {
			w.err = fmt.Errorf("%s, column %q: unknown value kind %d", w.opts.rowName(rec.Row.Num), w.opts.Added[i], k)
			return w.err
		}
	}
	if len(rec.Row.Cells) > len(w.opts.Header) {
		w.err = fmt.Errorf("%s: %d cells for a header of %d columns", w.opts.rowName(rec.Row.Num), len(rec.Row.Cells), len(w.opts.Header))
		return w.err
	}
	if err := w.enc.encode(rec); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Close finishes and commits the output. After a Write error it discards
// the output instead and returns that error.
func (w *writer) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.err != nil {
		return errors.Join(w.err, w.enc.discard(), closeCompressor(w.comp), w.temp.abort())
	}
	err := w.enc.finish()
	if err == nil && w.comp != nil {
		err = w.comp.Close()
	}
	if err != nil {
		w.err = err
		return errors.Join(err, closeCompressor(w.comp), w.temp.abort())
	}
	if err := w.temp.commit(); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Abort discards the output.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.temp == nil && w.opts.Format != table.XLSX && w.opts.Format != table.SQLite {
		// A stream (standard output) cannot take back what it already
		// sent; ending it on a whole record is the best it can do.
		return w.enc.finish()
	}
	return errors.Join(w.enc.discard(), closeCompressor(w.comp), w.temp.abort())
}

// closeCompressor releases a compressor whose output is being thrown
// away; its error, a failed write of a file about to be removed, is not.
func closeCompressor(c io.WriteCloser) error {
	if c != nil {
		_ = c.Close()
	}
	return nil
}

// padded returns the row's cells padded with "" to n columns.
func padded(cells []string, n int) []string {
	if len(cells) >= n {
		return cells
	}
	return append(cells[:len(cells):len(cells)], make([]string, n-len(cells))...)
}

// namedWriter locates I/O errors with the output's name, not the name of
// the temporary file behind it.
type namedWriter struct {
	w    io.Writer
	name string
}

func (n namedWriter) Write(p []byte) (int, error) {
	k, err := n.w.Write(p)
	if err != nil {
		err = &writeError{name: n.name, err: bareError(err)}
	}
	return k, err
}

// writeError is a failed write to the output, such as a full disk.
type writeError struct {
	name string
	err  error
}

func (e *writeError) Error() string { return "cannot write " + e.name + ": " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// libraryError wraps an error from excelize with what, unless it is a
// failed write to the output, which already says all the user needs.
func libraryError(what string, err error) error {
	var we *writeError
	if errors.As(err, &we) {
		return we
	}
	return fmt.Errorf("%s: %w", what, err)
}

// sameFile reports whether out and in name the same file: the same cleaned
// absolute path, or, when both exist, the same file by os.SameFile (which
// sees through symlinks and hard links).
func sameFile(out, in string) bool {
	if isStdio(in) {
		return false
	}
	ao, err1 := filepath.Abs(out)
	ai, err2 := filepath.Abs(in)
	if err1 == nil && err2 == nil && ao == ai {
		return true
	}
	so, err := os.Stat(out)
	if err != nil {
		return false
	}
	si, err := os.Stat(in)
	if err != nil {
		return false
	}
	return os.SameFile(so, si)
}

// tempFile is an output being written beside its final path. A nil
// *tempFile is valid and does nothing.
type tempFile struct {
	f    *os.File
	path string
}

// createTemp opens .BASE.tmp-RANDOM in path's directory, so the final
// rename stays on one file system and is atomic. It is opened with mode
// 0666 like os.Create (the umask applies) rather than os.CreateTemp's
// 0600, so a new OUTPUT gets the permissions users expect; when OUTPUT
// exists, its permission bits are copied instead.
func createTemp(path string) (*tempFile, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot write %s: directory %s does not exist", path, dir)
	case err != nil:
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	case !st.IsDir():
		return nil, fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	old, err := os.Stat(path)
	if err == nil && old.IsDir() {
		return nil, fmt.Errorf("cannot write %s: it is a directory", path)
	}
	var f *os.File
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("cannot write %s: directory %s is not writable", path, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	t := &tempFile{f: f, path: path}
	if old != nil && old.Mode().IsRegular() {
		if err := f.Chmod(old.Mode().Perm()); err != nil {
			return nil, errors.Join(fmt.Errorf("cannot write %s: %w", path, err), t.abort())
		}
	}
	return t, nil
}

// commit syncs the temporary file and renames it over the output.
func (t *tempFile) commit() error {
	if t == nil {
		return nil
	}
	err := t.f.Sync()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.f.Name(), t.path)
	}
	if err != nil {
		err = fmt.Errorf("cannot write %s: %w", t.path, bareError(err))
		if rerr := os.Remove(t.f.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = fmt.Errorf("%w; the temporary file %s is left behind", err, t.f.Name())
		}
		return err
	}
	return nil
}

// bareError drops the file names from an *fs.PathError or *os.LinkError:
// they name the temporary file, which means nothing to the user and is
// gone by the time they read the message.
func bareError(err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	}
	return err
}

// abort closes and removes the temporary file.
func (t *tempFile) abort() error {
	if t == nil {
		return nil
	}
	_ = t.f.Close()
	if err := os.Remove(t.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove temporary file for %s: %w", t.path, err)
	}
	return nil
}
