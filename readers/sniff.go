package readers

import (
	"bufio"
	"bytes"
	"io"
	"os"

	"github.com/enrich-dev/enrich/table"
)

// sniffSize is how much of standard input sniffing may look at: the
// first non-blank line must end within it to count.
const sniffSize = 64 << 10

// openFile opens path and decompresses it when its name ends in a
// compression extension (table.SplitCompression), or when it starts with
// gzip's or zstd's magic number whatever its name (a compressed in.csv
// would otherwise fail as invalid UTF-8, with advice about encodings).
// The closer closes the decompressor and the file.
func openFile(path string) (io.Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err // *fs.PathError: "open tickets.csv: no such file or directory"
	}
	kind := table.CompressionOf(path)
	var r io.Reader = f
	if kind == table.None {
		head := make([]byte, len(zstdMagic))
		n, _ := io.ReadFull(f, head)
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			r = io.MultiReader(bytes.NewReader(head[:n]), f) // a named pipe
		}
		if kind = magicOf(head[:n]); kind == table.None {
			return r, f, nil
		}
	}
	d, err := newDecompressor(r, kind, path)
	if err != nil {
		_ = f.Close()
		return nil, nil, readError(path, err)
	}
	return d, &closers{d, f}, nil
}

// openStdin prepares standard input: it is decompressed when it starts
// with gzip's or zstd's magic number, and its format is sniffed when
// format is "". Input that can seek (a file redirected to standard input)
// is looked at and sought back, so it stays seekable; a pipe is looked at
// through a buffer that is then read on, so nothing sniffed is lost. The
// closer, when not nil, releases the decompressor; stdin itself is never
// closed.
func openStdin(stdin io.Reader, format table.Format) (io.Reader, table.Format, io.Closer, error) {
	r, kind, err := look(stdin, func(head []byte, complete bool) (bool, table.Compression) {
		if len(head) < len(zstdMagic) && !complete {
			return false, table.None
		}
		return true, magicOf(head)
	})
	if err != nil {
		return nil, "", nil, readError(stdinName, err)
	}
	var closer io.Closer
	if kind != table.None {
		d, err := newDecompressor(r, kind, stdinName)
		if err != nil {
			return nil, "", nil, readError(stdinName, err)
		}
		r, closer = d, d
	}
	if format == "" {
		r, format, err = look(r, sniffFormat)
		if err != nil {
			if closer != nil {
				_ = closer.Close()
			}
			return nil, "", nil, readError(stdinName, err)
		}
	}
	return r, format, closer, nil
}

// look shows the start of r to decide, reading no more than it needs:
// decide reports whether head is enough (complete says no more will come)
// and what it found. It returns what the caller should read instead of r,
// which starts where r started: r itself, sought back, when r can seek;
// otherwise a bufio.Reader holding what was looked at.
func look[T any](r io.Reader, decide func(head []byte, complete bool) (bool, T)) (io.Reader, T, error) {
	var zero T
	if rs, ok := r.(io.ReadSeeker); ok {
		if pos, err := rs.Seek(0, io.SeekCurrent); err == nil {
			br := bufio.NewReaderSize(rs, sniffSize)
			found := peek(br, decide)
			if _, err := rs.Seek(pos, io.SeekStart); err != nil {
				return nil, zero, err
			}
			return rs, found, nil
		}
	}
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < sniffSize {
		br = bufio.NewReaderSize(r, sniffSize)
	}
	return br, peek(br, decide), nil
}

// peek grows what br holds, one read at a time, until decide is satisfied,
// the input ends or the buffer is full. A read error is left for the
// reader that comes next to find.
func peek[T any](br *bufio.Reader, decide func(head []byte, complete bool) (bool, T)) T {
	n := 1
	for {
		_, err := br.Peek(n)
		head, _ := br.Peek(br.Buffered())
		complete := err != nil || len(head) >= br.Size()
		if ok, found := decide(head, complete); ok || complete {
			return found
		}
		n = len(head) + 1
	}
}

// sniffFormat decides the format of text starting with head: JSON Lines
// when its first byte other than a byte order mark and white space is
// '{'; TSV when its first non-blank line holds a tab and no more commas
// than tabs (names that mention commas are common in a TSV header, tabs
// in a CSV header are not); CSV otherwise. It needs the whole first line unless the input looks like
// JSON, and decides CSV, the default, when that line does not end within
// the look-ahead.
func sniffFormat(head []byte, complete bool) (bool, table.Format) {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	rest := bytes.TrimLeft(head, " \t\r\n")
	if len(rest) == 0 {
		return complete, table.CSV
	}
	if rest[0] == '{' {
		return true, table.JSONL
	}
	// The first non-blank line, from its start: leading tabs count.
	start := bytes.LastIndexAny(head[:len(head)-len(rest)], "\r\n") + 1
	line := head[start:]
	end := bytes.IndexAny(line, "\r\n")
	if end < 0 && !complete {
		return false, table.CSV
	}
	if end >= 0 {
		line = line[:end]
	}
	if tabs := bytes.Count(line, []byte{'\t'}); tabs > 0 && tabs >= bytes.Count(line, []byte{','}) {
		return true, table.TSV
	}
	return true, table.CSV
}
