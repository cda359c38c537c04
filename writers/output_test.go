package writers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/table"
	"github.com/xuri/excelize/v2"
)

func TestOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"unknown format", Options{Format: "xml", Header: []string{"a"}},
			`unknown output format "xml"; use csv, tsv, jsonl, xlsx, parquet or sqlite`},
		{"added exists", Options{Header: []string{"id", "response"}, Added: []string{"response"}},
			`column "response" already exists in the input`},
		{"added twice", Options{Header: []string{"id"}, Added: []string{"r", "r"}},
			`column "r" is added twice`},
		{"added empty", Options{Header: []string{"id"}, Added: []string{""}},
			`added column 1 has an empty name`},
		{"no columns", Options{},
			`no columns to write: both the header and the added columns are empty`},
		{"line ending", Options{Header: []string{"a"}, CSVLineEnding: "\r"},
			`csv line ending "\r": use "\n" or "\r\n"`},
		{"header row", Options{Header: []string{"a"}, Source: table.Source{HeaderRow: -1}},
			`header row -1: must be between 1 and 1048576`},
		{"too many xlsx columns", Options{Format: table.XLSX, Header: make([]string, 16384), Added: []string{"r"}},
			`16385 columns exceed Excel's 16384 per sheet; write to .csv or .jsonl instead`},
		{"xlsx in place from stdin", Options{Format: table.XLSX, Source: table.Source{Format: table.XLSX, Path: "-"}, Header: []string{"a"}},
			`xlsx output from an xlsx input is a copy of the input workbook, so it needs the input's file path, got "-"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(io.Discard, tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New: got %v, want %q", err, tt.want)
			}
			_, err = Create(filepath.Join(t.TempDir(), "out.csv"), tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Create: got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestColumnErrors: a name the writer cannot add carries its facts.
func TestColumnErrors(t *testing.T) {
	tests := []struct {
		name  string
		added []string
		want  ColumnError
	}{
		{"exists", []string{"ok", "id"}, ColumnError{Name: "id", Index: 1, Kind: ErrColumnExists}},
		{"twice", []string{"r", "s", "r"}, ColumnError{Name: "r", Index: 2, Kind: ErrColumnTwice}},
		{"empty", []string{"r", ""}, ColumnError{Name: "", Index: 1, Kind: ErrColumnEmpty}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(io.Discard, Options{Header: []string{"id"}, Added: tt.added})
			var e *ColumnError
			if !errors.As(err, &e) || *e != tt.want || !errors.Is(err, tt.want.Kind) {
				t.Errorf("got %#v, want %#v", err, tt.want)
			}
		})
	}
	t.Run("jsonl key", func(t *testing.T) {
		w, err := New(io.Discard, Options{Format: table.JSONL, Header: []string{"a"}, Added: []string{"x", "b"}, Source: table.Source{Format: table.JSONL}})
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(context.Background(), rawRow(4, `{"a":1,"b":2}`, []string{"1"}, "", ""))
		want := ColumnError{Name: "b", Index: 1, Where: "line 4", Kind: ErrColumnExists}
		var e *ColumnError
		if !errors.As(err, &e) || *e != want {
			t.Errorf("got %#v, want %#v", err, want)
		}
	})
}

func TestCreateDirectoryErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Header: []string{"a"}}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing directory", filepath.Join(dir, "out", "x.csv"),
			"cannot write " + filepath.Join(dir, "out", "x.csv") + ": directory " + filepath.Join(dir, "out") + " does not exist"},
		{"parent is a file", filepath.Join(file, "x.csv"),
			"cannot write " + filepath.Join(file, "x.csv") + ": " + file + " is not a directory"},
		{"output is a directory", dir,
			"cannot write " + dir + ": it is a directory"},
		{"standard output", "-",
			`create needs an output file path, got "-"; use New for standard output`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Create(tt.path, opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("read-only directory", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root can write to read-only directories")
		}
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(ro, "x.csv")
		want := "cannot write " + path + ": directory " + ro + " is not writable"
		if _, err := Create(path, opts); err == nil || err.Error() != want {
			t.Errorf("got %v, want %q", err, want)
		}
	})
}

func TestCreateRefusesInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "tickets.csv")
	if err := os.WriteFile(in, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	tests := []struct {
		name, input, output string
	}{
		{"same path", in, in},
		{"relative and absolute", "tickets.csv", in},
		{"unclean path", in, filepath.Join(dir, ".", "sub", "..", "tickets.csv")},
		{"symlink", in, link},
		{"hard link", hard, in},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Create(tt.output, Options{Header: []string{"a"}, Added: []string{"r"}, Source: table.Source{Path: tt.input}})
			want := "refusing to write over the input file " + tt.input
			if err == nil || err.Error() != want || !errors.Is(err, ErrOverInput) {
				t.Errorf("got %v, want %q", err, want)
			}
			if got, err := os.ReadFile(in); err != nil || string(got) != "a\nb\n" {
				t.Errorf("input changed: %q, %v", got, err)
			}
		})
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"hard.csv", "link.csv", "tickets.csv"}) {
		t.Errorf("directory holds %q, want no other files", got)
	}
}

func TestCreateAtomic(t *testing.T) {
	opts := Options{Header: []string{"a"}, Added: []string{"r"}}
	rec := row(2, []string{"x"}, "y")
	const old, want = "old contents\n", "a,r\nx,y\n"

	t.Run("abort leaves nothing", func(t *testing.T) {
		dir := t.TempDir()
		w, err := Create(filepath.Join(dir, "out.csv"), opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := listDir(t, dir); len(got) != 1 || !strings.HasPrefix(got[0], ".out.csv.tmp-") {
			t.Errorf("while writing, directory holds %q, want one temporary file", got)
		}
		if err := w.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("after Abort, directory holds %q", got)
		}
	})

	t.Run("existing output replaced only on close", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.csv")
		if err := os.WriteFile(path, []byte(old), 0o640); err != nil {
			t.Fatal(err)
		}
		w, err := Create(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != old {
			t.Errorf("before Close, output holds %q, want %q", got, old)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("after Close, output holds %q, want %q", got, want)
		}
		if got := listDir(t, dir); !slices.Equal(got, []string{"out.csv"}) {
			t.Errorf("directory holds %q, want only out.csv", got)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o640 {
			t.Errorf("mode: got %v, %v; want the old file's 0640", st.Mode(), err)
		}
	})

	t.Run("existing output kept on abort", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.jsonl")
		if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := Create(path, Options{Format: table.JSONL, Header: []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != old {
			t.Errorf("output holds %q, want %q", got, old)
		}
		if got := listDir(t, dir); !slices.Equal(got, []string{"out.jsonl"}) {
			t.Errorf("directory holds %q", got)
		}
	})

	t.Run("close after failed write discards", func(t *testing.T) {
		dir := t.TempDir()
		w, err := Create(filepath.Join(dir, "out.csv"), opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(context.Background(), row(2, []string{"x"})); err == nil {
			t.Fatal("Write with no values: got nil error")
		}
		if err := w.Close(); err == nil {
			t.Error("Close after a failed Write: got nil error")
		}
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("directory holds %q", got)
		}
	})

	t.Run("new output mode follows umask", func(t *testing.T) {
		dir := t.TempDir()
		probe, err := os.Create(filepath.Join(dir, "probe"))
		if err != nil {
			t.Fatal(err)
		}
		probe.Close()
		wantMode, _ := os.Stat(probe.Name())
		path := filepath.Join(dir, "out.csv")
		w, err := Create(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		writeAll(t, w, []Record{rec})
		if st, err := os.Stat(path); err != nil || st.Mode() != wantMode.Mode() {
			t.Errorf("mode: got %v, %v; want %v as os.Create gives", st.Mode(), err, wantMode.Mode())
		}
	})
}

// TestCreateWriteFails breaks the output file under a working writer, as a
// full disk or a lost mount would, by closing its descriptor: the error
// names OUTPUT (not the temporary file), Write or Close returns it, and
// Close leaves no temporary file behind.
func TestCreateWriteFails(t *testing.T) {
	big := strings.Repeat("x", 100<<10) // more than the CSV and table.JSON Lines buffers
	tests := []struct {
		name    string
		opts    Options
		inPlace bool
		rec     Record
	}{
		{"csv, failing in Write", Options{Format: table.CSV}, false, row(2, []string{"1"}, big)},
		{"csv, failing in Close", Options{Format: table.CSV}, false, row(2, []string{"1"}, "short")},
		{"tsv", Options{Format: table.TSV}, false, row(2, []string{"1"}, big)},
		{"jsonl", Options{Format: table.JSONL}, false, row(2, []string{"1"}, big)},
		{"xlsx", Options{Format: table.XLSX}, false, row(2, []string{"1"}, "short")},
		{"xlsx in place", Options{Format: table.XLSX, Source: table.Source{Format: table.XLSX}}, true, row(2, nil, "short")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := tt.opts
			opts.Header, opts.Added = []string{"id"}, []string{"response"}
			var keep []string
			if tt.inPlace {
				opts.Source.Path = filepath.Join(dir, "in.xlsx")
				book := excelize.NewFile()
				if err := book.SetSheetCol("Sheet1", "A1", &[]any{"id", "1"}); err != nil {
					t.Fatal(err)
				}
				if err := book.SaveAs(opts.Source.Path); err != nil {
					t.Fatal(err)
				}
				book.Close()
				keep = []string{"in.xlsx"}
			}
			path := filepath.Join(dir, "out."+string(opts.Format))
			w, err := Create(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.(*writer).temp.f.Close(); err != nil {
				t.Fatal(err)
			}
			err = w.Write(context.Background(), tt.rec)
			if err == nil {
				err = w.Close()
			} else if err2 := w.Close(); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("Close after a failed Write: got %v, want %v", err2, err)
			}
			want := "cannot write " + path + ": file already closed"
			if !errors.Is(err, os.ErrClosed) || err.Error() != want {
				t.Errorf("got %v, want %q", err, want)
			}
			if got := listDir(t, dir); !slices.Equal(got, keep) {
				t.Errorf("directory holds %q, want %q", got, keep)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("output: got %v, want no file", err)
			}
		})
	}
}

// TestCreateCommitFails makes the final rename fail by taking write
// permission away from OUTPUT's directory after the writer was made.
func TestCreateCommitFails(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write to read-only directories")
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "out.csv")
	w, err := Create(path, Options{Header: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	if err := w.Write(context.Background(), row(2, []string{"x"})); err != nil {
		t.Fatal(err)
	}
	err = w.Close()
	// The temporary file cannot be removed from the read-only directory
	// either, so the message says where it is.
	want := "cannot write " + path + ": permission denied; the temporary file " + filepath.Join(dir, ".out.csv.tmp-")
	if !errors.Is(err, fs.ErrPermission) || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), " is left behind") {
		t.Errorf("got %v, want %q… is left behind", err, want)
	}
}

// A stream cannot take back what it sent: Abort ends it on a whole record.
func TestStreamAbortEndsOnAWholeRecord(t *testing.T) {
	for _, f := range []table.Format{table.CSV, table.JSONL} {
		var buf bytes.Buffer
		w, err := New(&buf, Options{Format: f, Header: []string{"a"}, Added: []string{"r"}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if err := w.Write(context.Background(), Record{Row: table.Row{Num: i + 2, Cells: []string{"x"}}, Values: []string{"y"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(buf.String(), "\n") || strings.Count(buf.String(), "y") != 2 {
			t.Errorf("%s: after Abort the stream holds %q, want both records whole", f, buf.String())
		}
	}
}
