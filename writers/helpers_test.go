package writers

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/enrich-dev/enrich/table"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept it)\ngot:\n%q\nwant:\n%q", path, got, want)
	}
}

// row builds a record for line or row num.
func row(num int, cells []string, values ...string) Record {
	return Record{Row: table.Row{Num: num, Cells: cells}, Values: values}
}

// rawRow builds a record whose input row kept its table.JSON object.
func rawRow(num int, raw string, cells []string, values ...string) Record {
	return Record{Row: table.Row{Num: num, Cells: cells, Raw: []byte(raw)}, Values: values}
}

// writeAll writes recs to w and closes it, failing the test on any error.
func writeAll(t *testing.T, w Writer, recs []Record) {
	t.Helper()
	for _, rec := range recs {
		if err := w.Write(context.Background(), rec); err != nil {
			t.Fatalf("Write(row %d): %v", rec.Row.Num, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// copyFile copies src to dir and returns the copy's path.
func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}
