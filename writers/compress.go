package writers

import (
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/enrich-dev/enrich/table"
)

// newCompressor compresses what is written to w as kind asks, or returns
// nil for table.None. Its Close ends the stream (gzip's or zstd's
// trailer) without closing w.
//
// gzip is the standard library's, at its default level; zstd is
// klauspost/compress's at its default level (zstd's 3), encoding in the
// calling goroutine so that a writer holds no goroutines of its own.
func newCompressor(w io.Writer, kind table.Compression) (io.WriteCloser, error) {
	switch kind {
	case table.None:
		return nil, nil
	case table.Gzip:
		return gzip.NewWriter(w), nil
	case table.Zstd:
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	}
	return nil, fmt.Errorf("unknown compression %q", kind)
}

// Compress returns a writer compressing to w as kind says, the same
// bytes for the same input as the writers' own output. Its Close ends the
// stream without closing w; for table.None it only passes writes through.
func Compress(w io.Writer, kind table.Compression) (io.WriteCloser, error) {
	c, err := newCompressor(w, kind)
	if c == nil && err == nil {
		return nopCloser{w}, nil
	}
	return c, err
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
