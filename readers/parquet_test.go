package readers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
)

// The fixtures under testdata/parquet were written by DuckDB (make.mjs);
// what each cell must read as is what DuckDB itself shows for the value,
// in the notation the package documentation gives.
func TestParquetCells(t *testing.T) {
	r, err := OpenParquet("testdata/parquet/types.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3", len(rows))
	}
	header := r.Header()
	want := []map[string]string{{
		"id": "1", "s": "plain", "i8": "-8", "i16": "-16", "i32": "-32", "i64": "-64", "u8": "200",
		"u64": "18446744073709551615", "f32": "1.5", "f64": "0.1", "dec": "12.50",
		"dec38": "12345678901234567890.1234567890", "dec_small": "-0.05", "b": "true", "dt": "2024-02-29",
		"ts": "2024-02-29T13:45:00.123456", "tstz": "2024-02-29T13:45:00Z", "ts_ms": "2024-02-29T13:45:00.5",
		"ts_ns": "2024-02-29T13:45:00.123456789", "tm": "13:45:00.25", "bin": "AP9iaW4=",
		"bin_text": "text as bytes", "uid": "123e4567-e89b-12d3-a456-426614174000", "ints": "[1,2,null]",
		"obj": `{"a":1,"b":"x \"quoted\""}`, "m": `{"k1":1,"k2":null}`, "nested": `[{"n":1,"tags":["p","q"]}]`,
		"js": `{"j": [1, 2]}`, "mood": "sad", "span": "P1Y2M3DT4H5M6.5S",
	}, {
		"id": "2", // every other column NULL: empty cells, nested ones too
	}, {
		"id": "3", "s": "ünï “cödé” 🚀", "i8": "127", "i16": "32767", "i32": "2147483647",
		"i64": "-9223372036854775808", "u8": "0", "u64": "0", "f32": "-0", "f64": "1e+300",
		"dec": "-99999999.99", "dec38": "0.0000000000", "dec_small": "0.00", "b": "false", "dt": "1969-12-31",
		"ts": "1900-01-01T00:00:00", "tstz": "2024-06-01T10:00:00Z", "ts_ms": "1970-01-01T00:00:00",
		"ts_ns": "2262-04-11T23:47:16", "tm": "00:00:00", "bin": "", "bin_text": "",
		"uid": "00000000-0000-0000-0000-000000000000", "ints": "[]", "obj": `{"a":null,"b":null}`, "m": "{}",
		"nested": "[]", "js": "null", "mood": "happy", "span": "PT45M",
	}}
	for i, row := range rows {
		if row.Num != i+1 {
			t.Errorf("row %d: Num %d", i+1, row.Num)
		}
		for j, name := range header {
			if got := row.Cells[j]; got != want[i][name] {
				t.Errorf("row %d, column %s: got %q, want %q", i+1, name, got, want[i][name])
			}
		}
		if _, ok := row.Native.(parquet.Row); !ok {
			t.Errorf("row %d: Native is %T, want parquet.Row", i+1, row.Native)
		}
	}
}

func TestParquetRowGroupsAndRewind(t *testing.T) {
	r, err := Open("testdata/parquet/groups.parquet", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, want := r.Header(), []string{"id", "title", "flag"}; !cmp.Equal(got, want) {
		t.Fatalf("header: got %q, want %q", got, want)
	}
	for range 1200 { // into the second of three row groups
		if _, err := r.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.(Rewinder).Rewind(); err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2500 {
		t.Fatalf("got %d rows after Rewind, want 2500", len(rows))
	}
	for i, row := range rows {
		n := i + 1
		if row.Num != n || row.Cells[0] != strconv.Itoa(n) || row.Cells[1] != "row "+strconv.Itoa(n) || row.Cells[2] != map[bool]string{true: "true", false: "false"}[n%7 == 0] {
			t.Fatalf("row %d: got %d %q", n, row.Num, row.Cells)
		}
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next after the end: %v, want io.EOF", err)
	}
}

func TestParquetHeaderOnly(t *testing.T) {
	r, err := OpenParquet("testdata/parquet/empty.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Header(); !cmp.Equal(got, []string{"id", "title"}) {
		t.Errorf("header: got %q", got)
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next: %v, want io.EOF", err)
	}
}

// Standard input is copied to a temporary file, since Parquet's footer is
// at the end; Close removes the copy.
func TestParquetStdin(t *testing.T) {
	b, err := os.ReadFile("testdata/parquet/groups.parquet")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open("-", bytes.NewReader(b), Options{Format: "parquet"})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 2500 {
		t.Fatalf("got %d rows, %v", len(rows), err)
	}
	spool := r.(*Parquet).spool
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(spool); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy of standard input %s is still there (%v)", spool, err)
	}
	if src := r.Source(); src.Path != "" {
		t.Errorf("Source().Path = %q for standard input, want \"\"", src.Path)
	}
}

func TestParquetBadInput(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/parquet/types.parquet")
	if err != nil {
		t.Fatal(err)
	}
	footerGone := bytes.Clone(good)
	copy(footerGone[len(footerGone)-8:], []byte{0xff, 0xff, 0xff, 0x0f})
	garbled := bytes.Clone(good)
	n := len(garbled)
	for i := n - 400; i < n-8; i++ {
		garbled[i] ^= 0x5a
	}
	tests := []struct {
		name  string
		data  []byte
		kind  error
		want  string
		write func(path string)
	}{
		{name: "text", data: []byte("id,title\n1,hello\n"), kind: ErrNotParquet, want: "it does not start with PAR1"},
		{name: "empty", data: nil, kind: ErrNotParquet, want: "0 bytes is too short for a Parquet file"},
		{name: "truncated", data: good[:n/2], kind: ErrNotParquet, want: "it does not end with PAR1: the file is truncated"},
		{name: "footer length", data: footerGone, kind: ErrNotParquet, want: "its footer cannot be read"},
		{name: "footer garbled", data: garbled, kind: ErrNotParquet, want: "its footer cannot be read"},
		{name: "geometry", kind: ErrUnsupportedType, want: `column "geom": unsupported logical type GEOMETRY`, write: func(path string) {
			writeParquet(t, path, parquet.Group{"id": parquet.Int(32), "geom": parquet.Optional(parquet.Geometry(""))},
				parquet.Row{parquet.Int32Value(1).Level(0, 0, 1), parquet.ByteArrayValue([]byte{1, 2}).Level(0, 1, 0)})
		}},
		{name: "variant", kind: ErrUnsupportedType, want: `column "v": unsupported logical type VARIANT`, write: func(path string) {
			writeParquet(t, path, parquet.Group{"id": parquet.Int(32), "v": parquet.Optional(parquet.Variant())})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".parquet")
			if tt.write != nil {
				tt.write(path)
			} else if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenParquet(path)
			var pe *ParquetError
			if !errors.As(err, &pe) || !errors.Is(err, tt.kind) {
				t.Fatalf("got %v, want a *ParquetError wrapping %v", err, tt.kind)
			}
			if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to start with the file and say %q", err, tt.want)
			}
		})
	}
}

func writeParquet(t *testing.T, path string, schema parquet.Node, rows ...parquet.Row) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewWriter(f, parquet.NewSchema("test", schema))
	if _, err := w.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// FuzzParquet: whatever the bytes, opening and reading them ends in rows
// or an error, never a panic or a hang.
func FuzzParquet(f *testing.F) {
	for _, name := range []string{"types", "groups", "empty"} {
		b, err := os.ReadFile("testdata/parquet/" + name + ".parquet")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "in.parquet")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := OpenParquet(path)
		if err != nil {
			return
		}
		defer r.Close()
		for range 10_000 {
			if _, err := r.Next(context.Background()); err != nil {
				return
			}
		}
	})
}
