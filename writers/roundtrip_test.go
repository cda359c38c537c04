package writers_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

func readAll(t testing.TB, r readers.Reader) ([]table.Row, error) {
	t.Helper()
	var rows []table.Row
	for {
		row, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

// Reading what a writer wrote gives back every input cell exactly, and
// every added value, for each text format, plain and compressed.
func TestRoundTripCompressed(t *testing.T) {
	inputs := map[table.Format]string{
		table.CSV:   "id,text\n1,\"a,\"\"b\"\"\r\nc\"\n2,\n",
		table.TSV:   "id\ttext\n1\t\"AGENT\" K \\N\n2\t\n",
		table.JSONL: "{\"id\":1,\"text\":\"a\\tb\"}\n{\"id\":2,\"text\":null}\n",
	}
	answers := []string{"line\nbreak, \"quoted\"\ttab \\", ""}
	for format, text := range inputs {
		for _, ext := range []string{"", ".gz", ".zst"} {
			name := "out." + string(format) + ext
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				in := filepath.Join(dir, "in."+string(format))
				if err := os.WriteFile(in, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				r, err := readers.Open(in, nil, readers.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				rows, err := readAll(t, r)
				if err != nil {
					t.Fatal(err)
				}
				out := filepath.Join(dir, name)
				w, err := writers.Create(out, writers.Options{Format: format, Header: r.Header(), Added: []string{"r", "r_error"}, Source: r.Source()})
				if err != nil {
					t.Fatal(err)
				}
				for _, row := range rows {
					if err := w.Write(context.Background(), writers.Record{Row: row, Values: answers}); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				back, err := readers.Open(out, nil, readers.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer back.Close()
				got, err := readAll(t, back)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(append(r.Header(), "r", "r_error"), back.Header()); diff != "" {
					t.Errorf("header:\n%s", diff)
				}
				for i, row := range got {
					values := slices.Clone(row.Cells[len(r.Header()):])
					if format == table.TSV {
						for j, v := range values {
							values[j] = writers.UnescapeTSV(v)
						}
					}
					if diff := cmp.Diff(rows[i].Cells, row.Cells[:len(r.Header())]); diff != "" {
						t.Errorf("row %d input cells:\n%s", i+1, diff)
					}
					if diff := cmp.Diff(answers, values); diff != "" {
						t.Errorf("row %d added values:\n%s", i+1, diff)
					}
				}
			})
		}
	}
}

// CSV converted to plain TSV escapes its cells as the answers are, so
// that a line break inside a quoted CSV cell survives; decoded, every
// cell is the CSV's.
func TestCSVToPlainTSV(t *testing.T) {
	in := "id,text\n1,\"two\r\nlines, a\ttab and C:\\dir\"\n"
	r, err := readers.NewCSV(strings.NewReader(in), "in.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := writers.New(&buf, writers.Options{Format: table.TSV, Header: r.Header(), Added: []string{"r"}, Source: r.Source()})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if err := w.Write(context.Background(), writers.Record{Row: row, Values: []string{"ok"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	back, err := readers.NewTSV(&buf, "out.tsv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, back)
	if err != nil || len(got) != 1 {
		t.Fatalf("read back %d rows, %v", len(got), err)
	}
	for i, cell := range got[0].Cells[:2] {
		if decoded := writers.UnescapeTSV(cell); decoded != rows[0].Cells[i] {
			t.Errorf("cell %d: %q decodes to %q, want %q", i+1, cell, decoded, rows[0].Cells[i])
		}
	}
}

// FuzzPlainTSVRoundTrip: plain TSV read, written with added values and
// read again gives back every input cell byte for byte, and every added
// value once unescaped.
func FuzzPlainTSVRoundTrip(f *testing.F) {
	for _, seed := range []string{
		"a\tb\n1\t2\n",
		"name\tsummary\nagentk\t\"AGENT\" K is a \"doner\"-wrap\n",
		"a\r\n\"unterminated\r\n\"x\"y\n",
		"a\tb\tc\n\\N\t\\t\t\\\n",
		"\ufeffid\n\n1\r2\r\n\r\n",
		"\t\n\t\n\n",
		"名前\t値\n日本語\t\xe2\x80\n",
	} {
		f.Add([]byte(seed), "answer", "")
		f.Add([]byte(seed), "a\tb\nc\\n\r", `\`)
	}
	added := []string{"r\tx", `e\n`} // names are escaped like answers
	f.Fuzz(func(t *testing.T, data []byte, v1, v2 string) {
		if !utf8.ValidString(v1) || !utf8.ValidString(v2) {
			return // answers are decoded JSON: always UTF-8
		}
		if strings.ContainsRune(v1, 0) || strings.ContainsRune(v2, 0) {
			return // a NUL makes text that the readers take for UTF-16
		}
		first, err := readers.NewTSV(bytes.NewReader(data), "fuzz")
		if err != nil {
			return // bad input only has to fail cleanly
		}
		rows, err := readAll(t, first)
		if err != nil {
			return
		}
		header := first.Header()
		if slices.Contains(header, added[0]) || slices.Contains(header, added[1]) ||
			strings.HasPrefix(header[0], "\ufeff") { // a second BOM: the reader skips the first
			return
		}
		var buf bytes.Buffer
		w, err := writers.New(&buf, writers.Options{Format: table.TSV, Header: header, Added: added, Source: first.Source()})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for _, row := range rows {
			if err := w.Write(context.Background(), writers.Record{Row: row, Values: []string{v1, v2}}); err != nil {
				t.Fatalf("Write(line %d %q): %v", row.Num, row.Cells, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		second, err := readers.NewTSV(bytes.NewReader(buf.Bytes()), "written")
		if err != nil {
			t.Fatalf("reading %q back: %v", buf.Bytes(), err)
		}
		got, err := readAll(t, second)
		if err != nil {
			t.Fatalf("reading %q back: %v", buf.Bytes(), err)
		}
		if want := append(slices.Clone(header), writers.EscapeTSV(added[0]), writers.EscapeTSV(added[1])); !slices.Equal(second.Header(), want) {
			t.Fatalf("header: got %q, want %q", second.Header(), want)
		}
		if len(got) != len(rows) {
			t.Fatalf("read back %d rows, wrote %d:\n%q", len(got), len(rows), buf.Bytes())
		}
		n := len(header)
		for i, row := range got {
			if !slices.Equal(row.Cells[:n], rows[i].Cells) {
				t.Fatalf("row %d: got %q, want %q", i+1, row.Cells[:n], rows[i].Cells)
			}
			if a, b := writers.UnescapeTSV(row.Cells[n]), writers.UnescapeTSV(row.Cells[n+1]); a != v1 || b != v2 {
				t.Fatalf("row %d: added values %q, %q read back as %q, %q", i+1, v1, v2, a, b)
			}
		}
	})
}
