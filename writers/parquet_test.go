package writers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"github.com/enrich-dev/enrich/readers"
	"github.com/enrich-dev/enrich/table"
)

const typesFixture = "../readers/testdata/parquet/types.parquet"

var (
	answerCols  = []string{"response", "urgency", "score", "urgent", "response_error"}
	answerKinds = []table.Kind{table.Text, table.Integer, table.Number, table.Bool, table.Text}
)

// enrichParquet copies in (any format readers.Open reads) to out as
// Parquet, adding answerCols with values made from the row number.
func enrichParquet(t *testing.T, in, out string) {
	t.Helper()
	r, err := readers.Open(in, nil, readers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := Create(out, Options{Format: table.Parquet, Header: r.Header(), Added: answerCols, Kinds: answerKinds, Source: r.Source()})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; ; i++ {
		row, err := r.Next(context.Background())
		if err != nil {
			break
		}
		vals := []string{"answer " + row.Cells[0], row.Cells[0], "1.25", "true", ""}
		if i == 2 {
			vals = []string{"", "", "", "", "429 Too Many Requests"} // a failed row
		}
		if err := w.Write(context.Background(), Record{Row: row, Values: vals}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Parquet → Parquet keeps every input column's type and value; only the
// added columns are new, typed as declared, NULL where empty.
func TestParquetKeepsSchemaAndValues(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.parquet")
	enrichParquet(t, typesFixture, out)

	in, err := readers.OpenParquet(typesFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got, err := readers.OpenParquet(out)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if want := append(in.Header(), answerCols...); !cmp.Equal(got.Header(), want) {
		t.Fatalf("header: got %q, want %q", got.Header(), want)
	}
	for i := 1; ; i++ {
		a, aerr := in.Next(context.Background())
		b, berr := got.Next(context.Background())
		if aerr != nil || berr != nil {
			if aerr == nil || berr == nil {
				t.Fatalf("row %d: input %v, output %v", i, aerr, berr)
			}
			break
		}
		n := len(a.Cells)
		if !cmp.Equal(b.Cells[:n], a.Cells) {
			t.Errorf("row %d: input cells changed:\ngot  %q\nwant %q", i, b.Cells[:n], a.Cells)
		}
		want := []string{"answer " + a.Cells[0], a.Cells[0], "1.25", "true", ""}
		if i == 2 {
			want = []string{"", "", "", "", "429 Too Many Requests"}
		}
		if !cmp.Equal(b.Cells[n:], want) {
			t.Errorf("row %d: added cells: got %q, want %q", i, b.Cells[n:], want)
		}
		if !parquet.Row(b.Native.(parquet.Row)[:len(a.Native.(parquet.Row))]).Equal(a.Native.(parquet.Row)) {
			t.Errorf("row %d: the input's values changed", i)
		}
	}

	f := openParquetFile(t, out)
	inFile := openParquetFile(t, typesFixture)
	fields, inFields := f.Schema().Fields(), inFile.Root().Fields()
	for i, fl := range inFields {
		if !parquet.EqualNodes(fields[i], fl) {
			t.Errorf("column %s: the output's node %v differs from the input's %v", fl.Name(), fields[i], fl)
		}
	}
	types := map[string]string{"response": "BYTE_ARRAY", "urgency": "INT64", "score": "DOUBLE", "urgent": "BOOLEAN", "response_error": "BYTE_ARRAY"}
	for _, fl := range fields[len(inFields):] {
		if got := fl.Type().Kind().String(); got != types[fl.Name()] || !fl.Optional() {
			t.Errorf("added column %s: %s (optional %v), want optional %s", fl.Name(), got, fl.Optional(), types[fl.Name()])
		}
	}
}

func openParquetFile(t *testing.T, path string) *parquet.File {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, _ := fh.Stat()
	f, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// From text input every input column is an optional UTF8 string, named
// by its key (an empty header cell is column_N, a repeated one name_2),
// and cells are kept as they are, empty ones as "".
func TestParquetFromText(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,name,,name\n1,a,,x\n2,,b,\n3,\"c, d\",e,f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.parquet")
	enrichParquet(t, in, out)
	r, err := readers.OpenParquet(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if want := []string{"id", "name", "column_3", "name_2", "response", "urgency", "score", "urgent", "response_error"}; !cmp.Equal(r.Header(), want) {
		t.Errorf("header: got %q, want %q", r.Header(), want)
	}
	var got [][]string
	for {
		row, err := r.Next(context.Background())
		if err != nil {
			break
		}
		got = append(got, row.Cells)
		for _, v := range row.Native.(parquet.Row)[:4] {
			if v.IsNull() {
				t.Errorf("row %d: an input cell was written as NULL, not as text", row.Num)
			}
		}
	}
	want := [][]string{
		{"1", "a", "", "x", "answer 1", "1", "1.25", "true", ""},
		{"2", "", "b", "", "", "", "", "", "429 Too Many Requests"},
		{"3", "c, d", "e", "f", "answer 3", "3", "1.25", "true", ""},
	}
	if !cmp.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Row groups end every 100,000 rows, not once for the whole file.
func TestParquetRowGroups(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.parquet")
	w, err := Create(out, Options{Format: table.Parquet, Header: []string{"id"}, Added: []string{"response"}, Compression: "snappy"})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 2*parquetGroupRows + 10
	for i := range rows {
		if err := w.Write(context.Background(), row(i+1, []string{"x"}, "y")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f := openParquetFile(t, out)
	var sizes []int64
	for _, g := range f.RowGroups() {
		sizes = append(sizes, g.NumRows())
	}
	if want := []int64{parquetGroupRows, parquetGroupRows, 10}; !cmp.Equal(sizes, want) {
		t.Errorf("row groups of %v rows, want %v", sizes, want)
	}
	if c := f.Metadata().RowGroups[0].Columns[0].MetaData.Codec.String(); c != "SNAPPY" {
		t.Errorf("codec %s, want SNAPPY", c)
	}
}

func TestParquetDefaultsToZstd(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.parquet")
	w, err := Create(out, Options{Format: table.Parquet, Header: []string{"id"}, Added: []string{"response"}})
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, []Record{row(1, []string{"1"}, "a")})
	f := openParquetFile(t, out)
	if c := f.Metadata().RowGroups[0].Columns[0].MetaData.Codec.String(); c != "ZSTD" {
		t.Errorf("codec %s, want ZSTD", c)
	}
}

func TestParquetValueErrorAndAbort(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.parquet")
	w, err := Create(out, Options{Format: table.Parquet, Header: []string{"id"}, Added: []string{"n"}, Kinds: []table.Kind{table.Integer}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(context.Background(), row(1, []string{"1"}, "3.0")); err != nil {
		t.Fatalf("3.0 is an integer: %v", err)
	}
	err = w.Write(context.Background(), row(2, []string{"2"}, "1e30"))
	var ve *ValueError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), `row 2, column "n": the value "1e30" does not fit the column's type INT64`) {
		t.Errorf("got %v, want a located *ValueError", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("Abort left %q", names)
	}
	if _, err := Create(out, Options{Format: table.Parquet, Header: []string{"id"}, Added: []string{"n"}, Compression: "lz4"}); err == nil ||
		err.Error() != `unknown Parquet compression "lz4"; use zstd or snappy` {
		t.Errorf("compression lz4: %v", err)
	}
}
