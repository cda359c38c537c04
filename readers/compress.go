package readers

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/klauspost/compress/zstd"

	"github.com/enrich-dev/enrich/table"
)

// ErrCorrupt: compressed input whose compressed data is damaged or
// truncated. It arrives wrapped in the read error that found it.
var ErrCorrupt = errors.New("compressed data is corrupt")

// zstdMaxWindow bounds the memory a zstd frame may ask for: 128 MiB, the
// zstd command's own default limit, against the library's 512 MiB.
const zstdMaxWindow = 128 << 20

// The magic numbers that start a compressed stream. Neither can start
// UTF-8 text (0x8b and 0xb5 are continuation bytes), so finding one at the
// start of standard input is never a misreading of text.
var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// magicOf is the compression that head's first bytes announce, or None.
func magicOf(head []byte) table.Compression {
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return table.Gzip
	case bytes.HasPrefix(head, zstdMagic):
		return table.Zstd
	}
	return table.None
}

// decompressor reads the decompressed text of a compressed input.
//
// It is an io.ReadSeeker so that the format readers can Rewind it as they
// rewind a plain file, without knowing it is compressed, but it seeks only
// where a fresh decompressor can: Seek(0, io.SeekCurrent) tells how far it
// has read, and seeking to offset 0 seeks the compressed input back to
// where it started and restarts decompression. Any other seek, or any
// seek when the compressed input itself cannot seek (a pipe), fails.
type decompressor struct {
	kind   table.Compression
	name   string // the input, for messages
	base   io.Reader
	seeker io.Seeker // base, when it can seek
	start  int64     // base's offset where the compressed data starts
	pos    int64     // decompressed bytes read since the start
	gz     *gzip.Reader
	zr     *zstd.Decoder
	err    error // a failed restart; sticky until the next one works
}

var _ io.ReadSeeker = (*decompressor)(nil)

// newDecompressor starts decompressing base. A gzip header is read at
// once, so data that is not gzip fails here.
func newDecompressor(base io.Reader, kind table.Compression, name string) (*decompressor, error) {
	d := &decompressor{kind: kind, name: name, base: base}
	if s, ok := base.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			d.seeker, d.start = s, pos
		}
	}
	switch kind {
	case table.Gzip:
		gz, err := gzip.NewReader(base)
		if err != nil {
			return nil, d.readErr(err)
		}
		d.gz = gz
	case table.Zstd:
		zr, err := zstd.NewReader(base, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, d.readErr(err)
		}
		d.zr = zr
	default:
		return nil, fmt.Errorf("%s: unknown compression %q", displayName(name), kind)
	}
	return d, nil
}

func (d *decompressor) Read(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	var n int
	var err error
	if d.gz != nil {
		n, err = d.gz.Read(p)
	} else {
		n, err = d.zr.Read(p)
	}
	d.pos += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = d.readErr(err)
	}
	return n, err
}

// Seek tells the position, or restarts at the start; see decompressor.
func (d *decompressor) Seek(offset int64, whence int) (int64, error) {
	if d.seeker == nil {
		return 0, fmt.Errorf("%s: %w", displayName(d.name), ErrNotRewindable)
	}
	switch {
	case whence == io.SeekCurrent && offset == 0:
		return d.pos, nil
	case whence == io.SeekStart && offset == 0:
		return 0, d.restart()
	}
	return 0, fmt.Errorf("%s: %s input can only be read again from its start", displayName(d.name), d.kind)
}

// restart seeks the compressed input back and decompresses it anew.
func (d *decompressor) restart() error {
	if _, err := d.seeker.Seek(d.start, io.SeekStart); err != nil {
		return err
	}
	d.pos, d.err = 0, nil
	var err error
	if d.gz != nil {
		err = d.gz.Reset(d.base)
	} else {
		err = d.zr.Reset(d.base)
	}
	if err != nil {
		d.err = d.readErr(err)
	}
	return d.err
}

// Close releases the decompressor; the compressed input is its owner's
// to close.
func (d *decompressor) Close() error {
	if d.zr != nil {
		d.zr.Close()
		d.zr = nil
	}
	if d.gz != nil {
		err := d.gz.Close()
		d.gz = nil
		return err
	}
	return nil
}

// readErr words a failure to decompress: an I/O error of the compressed
// input is passed on as it is; anything else is damaged data.
func (d *decompressor) readErr(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) || errors.Is(err, ErrCorrupt) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the %s data ends early (truncated)", ErrCorrupt, d.kind)
	}
	return fmt.Errorf("%w: not valid %s data (%v)", ErrCorrupt, d.kind, err)
}

// closers closes each of its members, in order, once.
type closers []io.Closer

func (cs *closers) Close() error {
	var errs []error
	for _, c := range *cs {
		errs = append(errs, c.Close())
	}
	*cs = nil
	return errors.Join(errs...)
}

// Decompress returns r decompressed as kind says (r itself for
// table.None), for a caller that reads a compressed file's bytes rather
// than its rows. name locates errors.
func Decompress(r io.Reader, kind table.Compression, name string) (io.ReadCloser, error) {
	if kind == table.None {
		return io.NopCloser(r), nil
	}
	return newDecompressor(r, kind, name)
}
