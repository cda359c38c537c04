package writers

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/google/go-cmp/cmp"
)

func TestStreamGolden(t *testing.T) {
	added := []string{"response", "response_error"}
	tests := []struct {
		name string // golden file under testdata/
		opts Options
		recs []Record
	}{
		{
			name: "basic.csv",
			opts: Options{Format: table.CSV, Header: []string{"id", "text"}, Added: added},
			recs: []Record{
				row(2, []string{"1", "plain"}, "yes", ""),
				row(3, []string{"2", "a,comma"}, `say "hi"`, ""),
				row(4, []string{"3", "two\nlines"}, "crlf\r\ninside", "lone\rcr"),
				row(5, []string{"4", " lead and trail "}, "", "rate limited"),
				row(6, []string{"", ""}, "", ""),
				row(7, []string{"5", "日本語 ✓"}, "=1+1", "tab\there"),
				row(8, []string{"6"}, "short row padded", ""),
			},
		},
		{
			name: "crlf.csv",
			opts: Options{Header: []string{"text"}, Added: []string{"response"}, CSVLineEnding: "\r\n"},
			recs: []Record{
				row(2, []string{"a\nb"}, "c\r\nd"),
				row(4, []string{""}, ""),
			},
		},
		{
			name: "one_column.csv",
			opts: Options{Format: table.CSV, Header: []string{"text"}},
			recs: []Record{
				row(2, []string{""}),
				row(3, []string{"x"}),
				row(4, nil),
			},
		},
		{
			name: "only_added.csv",
			opts: Options{Format: table.CSV, Added: []string{"response"}},
			recs: []Record{row(1, nil, ""), row(2, nil, "x")},
		},
		{
			name: "basic.tsv",
			opts: Options{Format: table.TSV, Header: []string{"id", "text"}, Added: added, Source: table.Source{Format: table.TSV}},
			recs: []Record{
				row(2, []string{"1", "a,comma stays bare"}, "tab\tinside", ""),
				row(3, []string{"2", `5" screen \N`}, "line\nbreak", `C:\dir`),
				row(4, []string{"3", ""}, "", "\r\n"),
			},
		},
		{
			name: "from_csv.tsv",
			opts: Options{Format: table.TSV, Header: []string{"id", "text"}, Added: added, Source: table.Source{Format: table.CSV}},
			recs: []Record{
				row(2, []string{"1", "line\nbreak and a\ttab"}, "ok", ""),
				row(3, []string{"2", `5" screen \N`}, "line\nbreak", `C:\dir`),
			},
		},
		{
			name: "basic_quoted.tsv",
			opts: Options{Format: table.TSV, TSVQuoted: true, Header: []string{"id", "text"}, Added: added},
			recs: []Record{
				row(2, []string{"1", "a,comma stays bare"}, "tab\tinside", ""),
				row(3, []string{"2", `5" screen`}, "line\nbreak", "e"),
				row(4, []string{"3", ""}, "", ""),
			},
		},
		{
			name: "built.jsonl",
			opts: Options{
				Format: table.JSONL,
				Header: []string{"id", "", "name", "name", "name_2", "column_2"},
				Added:  added,
			},
			recs: []Record{
				row(2, []string{"1", "x", "a", "b", "c", "d"}, "<b>&</b>", ""),
				row(3, []string{"2", "", "é", "\x00\"\\", "\xff", ""}, "line\nbreak", "timeout"),
				row(4, []string{"3"}, "short", ""),
			},
		},
		{
			name: "raw.jsonl",
			opts: Options{Format: table.JSONL, Header: []string{"a", "b", "s"}, Added: added},
			recs: []Record{
				rawRow(1, `{"a":1,"b":[1,{"c":null}]}`, []string{"1", `[1,{"c":null}]`, ""}, "one", ""),
				rawRow(2, `{}`, []string{"", "", ""}, "empty", ""),
				rawRow(3, `{ }`, []string{"", "", ""}, "spaced empty", ""),
				rawRow(4, "{\"a\": 1 }", []string{"1", "", ""}, "space before brace", ""),
				rawRow(5, "  {\"s\":\"}\"}\t\r\n", []string{"", "", "}"}, "brace in string", ""),
				rawRow(6, `{"s":"\u00e9\/"}`, []string{"", "", "é/"}, "escapes kept", "<&>"),
				rawRow(7, `[1,2]`, []string{"x", "y", "z"}, "not an object: built", ""),
			},
		},
		{
			name: "no_added.jsonl",
			opts: Options{Format: table.JSONL, Header: []string{"a"}},
			recs: []Record{
				rawRow(1, `{"a":"b"}`, []string{"b"}),
				rawRow(2, `{}`, []string{""}),
				row(3, []string{"c"}),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(&buf, tt.opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			writeAll(t, w, tt.recs)
			golden(t, tt.name, buf.Bytes())
		})
	}
}

// TestCSVReadBack checks that encoding/csv reads our output back to the
// same fields, apart from its own "\r\n" to "\n" folding inside quotes.
func TestCSVReadBack(t *testing.T) {
	tests := []struct {
		name  string
		comma rune
		opts  Options
		rows  [][]string
	}{
		{"csv", ',', Options{Format: table.CSV, Header: []string{"a", "b"}},
			[][]string{{"", ""}, {"x,y", `"q"`}, {"a\nb", "c\rd"}, {" s ", "#"}}},
		{"csv one column", ',', Options{Format: table.CSV, Header: []string{"a"}},
			[][]string{{""}, {""}, {"x"}, {`"`}}},
		{"tsv quoted", '\t', Options{Format: table.TSV, TSVQuoted: true, Header: []string{"a", "b"}},
			[][]string{{"x\ty", "a,b"}, {"", `"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(&buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var recs []Record
			for i, cells := range tt.rows {
				recs = append(recs, row(i+2, cells))
			}
			writeAll(t, w, recs)
			r := csv.NewReader(&buf)
			r.Comma = tt.comma
			got, err := r.ReadAll()
			if err != nil {
				t.Fatalf("ReadAll: %v\n%q", err, buf.String())
			}
			want := append([][]string{tt.opts.Header}, tt.rows...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzCSVRoundTrip(f *testing.F) {
	f.Add("", "", "")
	f.Add("a,b", "\"", "x\ry")
	f.Add(" ", "\n", "\r\n")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		for _, width := range []int{1, 3} {
			fields := []string{a, b, c}[:width]
			var buf bytes.Buffer
			w, err := New(&buf, Options{Header: slices.Repeat([]string{"h"}, width)})
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, w, []Record{row(2, fields)})
			r := csv.NewReader(&buf)
			got, err := r.ReadAll()
			if err != nil {
				t.Fatalf("ReadAll(%q): %v", buf.String(), err)
			}
			want := make([]string, width)
			for i, s := range fields {
				// csv.Reader folds "\r\n" to "\n", inside quotes too.
				want[i] = strings.ReplaceAll(s, "\r\n", "\n")
			}
			if len(got) != 2 || !slices.Equal(got[1], want) {
				t.Fatalf("wrote %q, read back %q, want %q", fields, got, want)
			}
		}
	})
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		rec  Record
		want string
	}{
		{
			name: "too few values",
			opts: Options{Header: []string{"a"}, Added: []string{"r", "e"}, Source: table.Source{Format: table.CSV}},
			rec:  row(7, []string{"x"}, "only one"),
			want: "line 7: 1 values for 2 added columns",
		},
		{
			name: "too many cells",
			opts: Options{Header: []string{"a"}, Added: []string{"r"}, Source: table.Source{Format: table.XLSX}, Format: table.JSONL},
			rec:  row(3, []string{"x", "y"}, "v"),
			want: "row 3: 2 cells for a header of 1 columns",
		},
		{
			name: "too few kinds",
			opts: Options{Header: []string{"a"}, Added: []string{"r", "e"}, Source: table.Source{Format: table.CSV}},
			rec:  Record{Row: table.Row{Num: 4, Cells: []string{"x"}}, Values: []string{"1", ""}, Kinds: []table.Kind{table.Number}},
			want: "line 4: 1 kinds for 2 added columns",
		},
		{
			name: "empty kinds are not nil",
			opts: Options{Format: table.JSONL, Header: []string{"a"}, Added: []string{"r"}, Source: table.Source{Format: table.JSONL}},
			rec:  Record{Row: table.Row{Num: 5, Cells: []string{"x"}}, Values: []string{"1"}, Kinds: []table.Kind{}},
			want: "line 5: 0 kinds for 1 added columns",
		},
		{
			name: "unknown kind",
			opts: Options{Format: table.XLSX, Header: []string{"a"}, Added: []string{"r", "score"}},
			rec:  Record{Row: table.Row{Num: 6, Cells: []string{"x"}}, Values: []string{"", "1"}, Kinds: []table.Kind{table.Text, 9}},
			want: `row 6, column "score": unknown value kind 9`,
		},
		{
			name: "jsonl object already has the key",
			opts: Options{Format: table.JSONL, Header: []string{"a"}, Added: []string{"response"}, Source: table.Source{Format: table.JSONL}},
			rec:  rawRow(9, `{"a":1,"respons\u0065":2}`, []string{"1"}, "v"),
			want: `line 9: key "response" already exists in the input object`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(&buf, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			err = w.Write(context.Background(), tt.rec)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Write: got %v, want %q", err, tt.want)
			}
			ok := row(10, nil, slices.Repeat([]string{""}, len(tt.opts.Added))...)
			if err2 := w.Write(context.Background(), ok); err2 != err {
				t.Errorf("second Write: got %v, want the sticky %v", err2, err)
			}
			if err3 := w.Close(); err3 == nil || !strings.Contains(err3.Error(), tt.want) {
				t.Errorf("Close: got %v, want %q", err3, tt.want)
			}
		})
	}
}

func TestWriteCancelled(t *testing.T) {
	var buf bytes.Buffer
	w, err := New(&buf, Options{Header: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Write(ctx, row(2, []string{"x"})); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write: got %v, want context.Canceled", err)
	}
	writeAll(t, w, []Record{row(2, []string{"x"})})
	if got, want := buf.String(), "a\nx\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestIOErrorSticks(t *testing.T) {
	for _, format := range []table.Format{table.CSV, table.JSONL, table.XLSX} {
		t.Run(string(format), func(t *testing.T) {
			w, err := New(failWriter{}, Options{Format: format, Header: []string{"a"}})
			if err != nil {
				t.Fatal(err)
			}
			big := strings.Repeat("x", 100<<10) // more than the buffer
			if format == table.XLSX {
				big = "x" // xlsx writes everything on Close
			}
			err = w.Write(context.Background(), row(2, []string{big}))
			if err == nil {
				err = w.Close()
			}
			if want := "cannot write output: file already closed"; !errors.Is(err, os.ErrClosed) || err.Error() != want {
				t.Fatalf("got %v, want %q", err, want)
			}
			if err2 := w.Close(); err2 != nil && err2.Error() != err.Error() {
				t.Errorf("Close after the error: got %v, want it again or nil", err2)
			}
		})
	}
}

func TestWriteAfterClose(t *testing.T) {
	w, err := New(io.Discard, Options{Header: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Close: got %v, want nil", err)
	}
	if err := w.Write(context.Background(), row(2, []string{"x"})); err == nil {
		t.Error("Write after Close: got nil error")
	}
}
