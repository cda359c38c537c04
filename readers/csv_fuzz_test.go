package readers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeCSV is the smallest writer that round-trips through NewCSV: it quotes
// a field holding a delimiter, quote or line break; an empty lone field,
// which would otherwise be a skipped blank line; and a field starting with
// a byte order mark, which would otherwise be stripped at the file's start.
// The real writer lives in package writers; this one keeps the test local.
func writeCSV(w *bytes.Buffer, records [][]string, comma byte) {
	for _, rec := range records {
		for i, f := range rec {
			if i > 0 {
				w.WriteByte(comma)
			}
			needQuotes := strings.ContainsAny(f, "\"\r\n"+string(comma)) ||
				(f == "" && len(rec) == 1) || strings.HasPrefix(f, "\ufeff")
			if !needQuotes {
				w.WriteString(f)
				continue
			}
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
		}
		w.WriteString("\r\n")
	}
}

// readCSV returns the header and rows of data, or an error.
func readCSV(t testing.TB, data []byte, comma rune) ([][]string, error) {
	r, err := NewCSV(bytes.NewReader(data), "fuzz", comma)
	if err != nil {
		return nil, err
	}
	rows, err := readAll(t, r)
	if err != nil {
		return nil, err
	}
	return append([][]string{r.Header()}, cellsOf(rows)...), nil
}

func FuzzCSVRoundTrip(f *testing.F) {
	for _, seed := range []string{
		"a,b\n1,2\n",
		"a,b\r\n\"x\r\ny\",\"\"\"\"\r\n",
		"\ufeffa\n\"\"\n",
		"a\r1\r\r2",
		"a,b\n5\" tall,\"q\"\"\"\n",
		"a, b ,\n,,\n",
		"a\n\"unterminated\n",
		"a\n\"x\"y\n",
		"\xff\n",
		"a,b\n1,2,3\n",
		"名前\n日本語\n",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, tsv bool) {
		comma := ','
		if tsv {
			comma = '\t'
		}
		first, err := readCSV(t, data, comma)
		if err != nil {
			return // bad input only has to fail cleanly
		}
		for i, rec := range first {
			if len(rec) != len(first[0]) {
				t.Fatalf("record %d has %d cells, the header %d", i, len(rec), len(first[0]))
			}
		}
		var buf bytes.Buffer
		writeCSV(&buf, first, byte(comma))
		second, err := readCSV(t, buf.Bytes(), comma)
		if err != nil {
			t.Fatalf("re-reading %q: %v", buf.Bytes(), err)
		}
		if diff := cmp.Diff(first, second); diff != "" {
			t.Fatalf("round trip through %q changed the records (-first +second):\n%s", buf.Bytes(), diff)
		}
	})
}

// genCSV produces rows on the fly, so that a test can read far more input
// than it ever holds.
type genCSV struct {
	rows, next int
	buf        []byte
}

func (g *genCSV) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		if g.next > g.rows {
			return 0, io.EOF
		}
		if g.next == 0 {
			g.buf = []byte("id,name,text\n")
		} else {
			g.buf = fmt.Appendf(g.buf, "%d,name %d,\"some text, with a comma and \"\"quotes\"\" %s\"\r\n", g.next, g.next, strings.Repeat("x", 100))
		}
		g.next++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	return n, nil
}

func TestCSVStreamsInFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 rows")
	}
	const rows = 100_000 // about 15 MB of input
	r, err := NewCSV(&genCSV{rows: rows}, "gen.csv", ',')
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	for i := 1; ; i++ {
		row, err := r.Next(context.Background())
		if err == io.EOF {
			if i-1 != rows {
				t.Fatalf("got %d rows, want %d", i-1, rows)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Num != i+1 {
			t.Fatalf("row %d: got Num %d", i, row.Num)
		}
		if i%25_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if peak > 4<<20 {
		t.Errorf("heap reached %d bytes while streaming; want it flat, well under the input size", peak)
	}
}

func BenchmarkCSV(b *testing.B) {
	var in bytes.Buffer
	in.WriteString("id,name,text\n")
	const rows = 100_000
	for i := range rows {
		fmt.Fprintf(&in, "%d,name %d,\"short text, quoted\"\n", i, i)
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewCSV(bytes.NewReader(data), "bench.csv", ',')
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(context.Background()); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
