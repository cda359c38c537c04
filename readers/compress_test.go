package readers

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"

	"github.com/enrich-dev/enrich/table"
)

func compress(t testing.TB, kind table.Compression, text string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch kind {
	case table.Gzip:
		w = gzip.NewWriter(&buf)
	case table.Zstd:
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	default:
		t.Fatalf("compress %q", kind)
	}
	if _, err := io.WriteString(w, text); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compressedInputs are the texts of the compression tests, by extension.
var compressedInputs = map[string]string{
	".csv":   "\ufeffid,text\n1,\"a\r\nb\"\n2,c\n",
	".tsv":   "id\ttext\n1\t\"AGENT\" K\n2\tc\n",
	".jsonl": "{\"id\":1}\n\n{\"id\":2,\"late\":\"x\"}\n",
}

// A compressed file reads as the same file uncompressed, and rewinds
// (for the first pass) to read it all again.
func TestCompressedFiles(t *testing.T) {
	dir := t.TempDir()
	for ext, text := range compressedInputs {
		plain := filepath.Join(dir, "in"+ext)
		if err := os.WriteFile(plain, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		want, header := readFile(t, plain)
		for kind, suffix := range map[table.Compression]string{table.Gzip: ".gz", table.Zstd: ".zst"} {
			path := plain + suffix
			t.Run(filepath.Base(path), func(t *testing.T) {
				if err := os.WriteFile(path, compress(t, kind, text), 0o600); err != nil {
					t.Fatal(err)
				}
				r, err := Open(path, nil, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if diff := cmp.Diff(header, r.Header()); diff != "" {
					t.Errorf("header (-plain +compressed):\n%s", diff)
				}
				if got := r.Source(); got.Path != path {
					t.Errorf("Source().Path = %q, want %q", got.Path, path)
				}
				for pass := 1; pass <= 3; pass++ {
					if diff := cmp.Diff(want, mustReadAll(t, r)); diff != "" {
						t.Fatalf("pass %d (-plain +compressed):\n%s", pass, diff)
					}
					if err := r.(Rewinder).Rewind(); err != nil {
						t.Fatalf("Rewind: %v", err)
					}
				}
				if err := r.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
	}
}

func readFile(t *testing.T, path string) ([]table.Row, []string) {
	t.Helper()
	r, err := Open(path, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return mustReadAll(t, r), r.Header()
}

func TestCompressedErrors(t *testing.T) {
	dir := t.TempDir()
	full := compress(t, table.Gzip, strings.Repeat("a,b\n1,2\n", 1000))
	zfull := compress(t, table.Zstd, strings.Repeat("a,b\n1,2\n", 1000))
	tests := []struct {
		name string
		data []byte
		kind error
		want string
	}{
		{"in.csv.gz", []byte("id,text\n1,a\n"), ErrCorrupt, "not valid gzip data"},
		{"cut.csv.gz", full[:len(full)/2], ErrCorrupt, "the gzip data ends early (truncated)"},
		{"in.csv.zst", []byte("id,text\n1,a\n"), ErrCorrupt, "not valid zstd data"},
		{"cut.csv.zst", zfull[:len(zfull)/2], ErrCorrupt, "the zstd data ends early (truncated)"},
		{"book.xlsx.gz", compress(t, table.Gzip, "x"), table.ErrCompressedWorkbook, "book.xlsx.gz: an xlsx workbook is a zip archive already"},
		{"empty.tsv.zst", compress(t, table.Zstd, ""), ErrEmpty, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, nil, Options{})
			if err == nil {
				_, err = readAll(t, r)
				r.Close()
			}
			if !errors.Is(err, tt.kind) || !strings.Contains(errText(err), tt.want) {
				t.Fatalf("got %v, want %q (%v)", err, tt.want, tt.kind)
			}
		})
	}
}

// Standard input that starts with a gzip or zstd magic number is
// decompressed, from a pipe or from a redirected file.
func TestCompressedStdin(t *testing.T) {
	text := compressedInputs[".jsonl"]
	for _, kind := range []table.Compression{table.Gzip, table.Zstd} {
		data := compress(t, kind, text)
		path := filepath.Join(t.TempDir(), "stdin")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for name, stdin := range map[string]io.Reader{"pipe": io.MultiReader(bytes.NewReader(data)), "file": f} {
			t.Run(string(kind)+" "+name, func(t *testing.T) {
				r, err := Open("-", stdin, Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if got := r.Source().Format; got != table.JSONL {
					t.Fatalf("sniffed %q, want jsonl", got)
				}
				// A redirected file is read ahead for every key, a pipe
				// takes them from the first line.
				want := []string{"id", "late"}
				if name == "pipe" {
					want = want[:1]
				}
				if diff := cmp.Diff(want, r.Header()); diff != "" {
					t.Errorf("header:\n%s", diff)
				}
				_, known, _ := r.(Counter).Count()
				if known != (name == "file") {
					t.Errorf("Count known = %v", known)
				}
			})
		}
	}
}

// A compressed file under a plain name is decompressed too: its first
// bytes cannot start text, and reading them as text fails with advice
// about legacy encodings that does not help.
func TestCompressedUnderAPlainName(t *testing.T) {
	for _, kind := range []table.Compression{table.Gzip, table.Zstd} {
		path := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(path, compress(t, kind, "a,b\n1,2\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, nil, Options{})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if got := cellsOf(mustReadAll(t, r)); !cmp.Equal(got, [][]string{{"1", "2"}}) || !cmp.Equal(r.Header(), []string{"a", "b"}) {
			t.Errorf("%s: read %q %q", kind, r.Header(), got)
		}
		if err := r.(Rewinder).Rewind(); err != nil {
			t.Errorf("%s: Rewind: %v", kind, err)
		}
		r.Close()
	}
}
