package ooxml

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is a part that inflates beyond any real workbook's: a
// decompression bomb, or damage that looks like one. It arrives as a
// *LimitError.
var ErrTooLarge = errors.New("part inflates beyond any real workbook")

// Limits bounds how far a part may inflate. Memory does not depend on
// them: every large part is streamed. They bound the time a hostile file
// can take (a 1 MB file that inflates to 1 GB of sheet XML) and refuse it
// with a clear error instead.
type Limits struct {
	// MaxRatio is the most inflated bytes per compressed byte a part may
	// reach once it is past RatioFloor bytes.
	MaxRatio int64
	// RatioFloor is how large a part may grow before MaxRatio applies, so
	// that small parts that happen to compress very well are never refused.
	RatioFloor int64
	// MaxSize is the most any part may inflate to.
	MaxSize int64
}

// DefaultLimits is what Package uses. Measured with deflate's default
// level, real parts inflate 5 to 15 times: 6× for a sheet of mixed data,
// 12× for a sheet of nothing but styled empty cells, 10× for one number a
// row, 13× for a table of unique shared strings. A part past 200× is made
// of one thing repeated (a million copies of one shared string reach
// 400×, bombs of one byte repeated 1,032×), so it is refused once it
// passes 64 MB; below that it costs under a second whatever it holds. No
// part may exceed 16 GB, three times the sheet XML of 1,048,576 rows by
// 100 columns of text.
var DefaultLimits = Limits{MaxRatio: 200, RatioFloor: 64 << 20, MaxSize: 16 << 30}

// LimitError reports a part refused by Limits.
type LimitError struct {
	Part       string
	Inflated   int64 // bytes it inflates to (or was refused at)
	Compressed int64
	Limit      string // which limit, in words
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: %s: %d bytes compressed inflate to %s; %s", e.Part, ErrTooLarge, e.Compressed, sizeWords(e.Inflated), e.Limit)
}

func (e *LimitError) Unwrap() error { return ErrTooLarge }

func sizeWords(n int64) string {
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%d GB or more", n>>30)
	case n >= 10<<20:
		return fmt.Sprintf("%d MB or more", n>>20)
	}
	return fmt.Sprintf("%d bytes or more", n)
}

// check returns the error for a part that has inflated to n bytes.
func (l Limits) check(name string, n, compressed int64) error {
	switch {
	case l.MaxSize > 0 && n > l.MaxSize:
		return &LimitError{Part: name, Inflated: n, Compressed: compressed,
			Limit: fmt.Sprintf("the limit is %d GB a part", l.MaxSize>>30)}
	case l.MaxRatio > 0 && n > l.RatioFloor && n > l.MaxRatio*max(compressed, 1):
		return &LimitError{Part: name, Inflated: n, Compressed: compressed,
			Limit: fmt.Sprintf("more than %d times its compressed size, which no real workbook part reaches", l.MaxRatio)}
	}
	return nil
}

// Open opens zf, refusing at once a part whose declared size breaks the
// limits and, while reading, one whose actual size does.
func (l Limits) Open(zf *zip.File) (io.ReadCloser, error) {
	if err := l.check(zf.Name, int64(min(zf.UncompressedSize64, 1<<62)), int64(min(zf.CompressedSize64, 1<<62))); err != nil {
		return nil, err
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	return &limited{rc: rc, l: l, name: zf.Name, compressed: int64(min(zf.CompressedSize64, 1<<62))}, nil
}

type limited struct {
	rc         io.ReadCloser
	l          Limits
	name       string
	n          int64
	compressed int64
}

func (r *limited) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.n += int64(n)
	if lerr := r.l.check(r.name, r.n, r.compressed); lerr != nil {
		return n, lerr
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%s: %w", r.name, err)
	}
	return n, err
}

func (r *limited) Close() error { return r.rc.Close() }
