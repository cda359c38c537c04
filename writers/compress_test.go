package writers

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/enrich-dev/enrich/table"
)

func decompress(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader
	switch table.CompressionOf(path) {
	case table.Gzip:
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	case table.Zstd:
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		r = f
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// OUTPUT ending in .gz or .zst holds exactly what the uncompressed OUTPUT
// would, compressed; written atomically, like every output.
func TestCreateCompressed(t *testing.T) {
	recs := []Record{
		row(2, []string{"1", "a,\"b\""}, "tab\tinside", ""),
		row(3, []string{"2", strings.Repeat("long ", 10000)}, "x", "e"),
	}
	for _, format := range []table.Format{table.CSV, table.TSV, table.JSONL} {
		dir := t.TempDir()
		opts := Options{Format: format, Header: []string{"id", "text"}, Added: []string{"r", "r_error"}}
		plain := filepath.Join(dir, "out."+string(format))
		w, err := Create(plain, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, recs)
		want := decompress(t, plain)
		for _, ext := range []string{".gz", ".zst"} {
			path := plain + ext
			t.Run(filepath.Base(path), func(t *testing.T) {
				w, err := Create(path, opts)
				if err != nil {
					t.Fatal(err)
				}
				writeAll(t, w, recs)
				if got := decompress(t, path); !bytes.Equal(got, want) {
					t.Errorf("decompressed %q, want %q", got, want)
				}
				raw, _ := os.ReadFile(path)
				if len(raw) >= len(want) {
					t.Errorf("%d bytes compressed for %d plain", len(raw), len(want))
				}
			})
		}
	}
}

func TestCreateCompressedAbort(t *testing.T) {
	for _, name := range []string{"out.csv.gz", "out.jsonl.zst"} {
		dir := t.TempDir()
		w, err := Create(filepath.Join(dir, name), Options{Format: table.CSV, Header: []string{"a"}, Added: []string{"r"}})
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, nil) // closes: then a second writer aborts
		w, err = Create(filepath.Join(dir, "other."+name), Options{Format: table.CSV, Header: []string{"a"}, Added: []string{"r"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if got := listDir(t, dir); !slices.Equal(got, []string{name}) {
			t.Errorf("%s: directory holds %q, want only the committed output", name, got)
		}
	}
}

func TestCreateCompressedWorkbook(t *testing.T) {
	dir := t.TempDir()
	_, err := Create(filepath.Join(dir, "out.xlsx.gz"), Options{Format: table.XLSX, Header: []string{"a"}, Added: []string{"r"}})
	if !errors.Is(err, table.ErrCompressedWorkbook) || !strings.Contains(err.Error(), "out.xlsx.gz") {
		t.Errorf("got %v, want an error naming out.xlsx.gz and wrapping ErrCompressedWorkbook", err)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("left %q behind", got)
	}
}
