package readers

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/table"
)

func mustReadAll(t *testing.T, r Reader) []table.Row {
	t.Helper()
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// A file read, rewound and read again gives the same rows, so the first
// pass and the run can share one open input.
func TestRewindReadsTheSameRows(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, path := range []string{
		write("bom.csv", "\xef\xbb\xbfid,text\n1,\"a\r\nb\"\n2,c\n"),
		write("t.tsv", "id\ttext\n1\ta\n2\tb\n"),
		write("t.jsonl", "{\"id\":1}\n\n{\"id\":2,\"late\":\"x\"}\n"),
		filepath.Join("..", "examples", "tickets.xlsx"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			r, err := Open(path, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			header := r.Header()
			first := mustReadAll(t, r)
			if len(first) == 0 {
				t.Fatal("no rows")
			}
			if err := r.(Rewinder).Rewind(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(first, mustReadAll(t, r)); diff != "" {
				t.Errorf("rows after Rewind (-first +second):\n%s", diff)
			}
			if diff := cmp.Diff(header, r.Header()); diff != "" {
				t.Errorf("header after Rewind (-first +second):\n%s", diff)
			}
		})
	}
}

func TestRewindAPipe(t *testing.T) {
	for _, format := range []table.Format{table.CSV, table.JSONL} {
		r, err := Open("-", io.MultiReader(strings.NewReader("{\"id\":1}\n")), Options{Format: format})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.(Rewinder).Rewind(); !errors.Is(err, ErrNotRewindable) {
			t.Errorf("%s: Rewind on a pipe = %v, want ErrNotRewindable", format, err)
		}
		if c, ok := r.(Counter); ok {
			if _, known, _ := c.Count(); known {
				t.Errorf("%s: a pipe claims a count", format)
			}
		}
	}
}

// JSON Lines read a file once for its keys: Count says what that found,
// including the bad line that stopped it.
func TestJSONLCount(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.jsonl")
	if err := os.WriteFile(path, []byte("{\"a\":1}\n{\"a\":2}\nnot json\n{\"a\":3}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, known, err := r.(Counter).Count()
	if n != 2 || !known || !errors.Is(err, ErrJSON) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("Count() = %d, %v, %v; want 2 rows and the error of line 3", n, known, err)
	}
}
