package readers

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

// Item 14 of issue 13: a header that never comes down a pipe must not
// hold a cancelled run.
func TestOpenContextStopsWaitingForTheHeader(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := OpenContext(ctx, "-", pr, Options{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("got %v after %s, want ctx's error at once", err, time.Since(start))
	}

	r, err := OpenContext(context.Background(), "-", stringReader("a,b\n1,2\n"), Options{})
	if err != nil || len(r.Header()) != 2 {
		t.Fatalf("got %v, %v; want the reader", r, err)
	}
}

type stringReader string

func (s stringReader) Read(p []byte) (int, error) {
	if len(s) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s)
	return n, io.EOF
}
