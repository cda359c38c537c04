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
