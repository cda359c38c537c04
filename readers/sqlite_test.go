package readers

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/internal/sqlitetest"
	"github.com/google/go-cmp/cmp"
)

func TestSQLiteTable(t *testing.T) {
	path := sqlitetest.MakeDB(t,
		`CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, "ti tle" TEXT, price REAL, n INT, raw BLOB, note)`,
		`INSERT INTO "It""ems" VALUES (3, 'Lamp', 12.5, 7, X'00ff', NULL), (10, 'Désk “oak”', 0.1, -2, CAST('text' AS BLOB), 42)`,
	)
	r, err := Open(path, nil, Options{SQLite: SQLiteOptions{Table: `it"ems`}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	header := []string{"id", "ti tle", "price", "n", "raw", "note"}
	cells := [][]string{{"3", "Lamp", "12.5", "7", "AP8=", ""}, {"10", "Désk “oak”", "0.1", "-2", "text", "42"}}
	checkRead(t, r, header, cells, []int{3, 10})
	if src := r.Source(); src.Table != `It"ems` || src.Format != "sqlite" {
		t.Errorf("Source: %+v", src)
	}
}

func TestSQLitePagesAndRewind(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE t (title TEXT)`,
		`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2500) INSERT INTO t SELECT 'row ' || i FROM c`,
		`DELETE FROM t WHERE rowid = 1001`)
	r, err := OpenSQLite(path, SQLiteOptions{Table: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 1500 {
		if _, err := r.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Rewind(); err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2499 {
		t.Fatalf("%d rows, want 2499", len(rows))
	}
	for _, row := range rows {
		if row.Cells[0] != "row "+strconv.Itoa(row.Num) || row.Num == 1001 {
			t.Fatalf("rowid %d: %q", row.Num, row.Cells)
		}
	}
}

// A column named rowid hides the rowid by that name; _rowid_ still finds it.
func TestSQLiteColumnNamedRowid(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE t (rowid TEXT, v TEXT)`, `INSERT INTO t VALUES ('a', 'x'), ('b', 'y')`)
	r, err := OpenSQLite(path, SQLiteOptions{Table: "t", NeedKey: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkRead(t, r, []string{"rowid", "v"}, [][]string{{"a", "x"}, {"b", "y"}}, []int{1, 2})
}

func TestSQLiteQuery(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT, lang TEXT, summary TEXT, summary_error TEXT)`,
		`INSERT INTO items (id, title, lang, summary_error) VALUES (1, 'a', 'en', ''), (2, 'b', 'fr', NULL), (3, 'c', 'en', NULL), (4, 'd', 'en', '429'), (5, 'e', 'en', NULL)`)
	tests := []struct {
		name   string
		opts   SQLiteOptions
		header []string
		cells  [][]string
		nums   []int
		table  string
	}{
		{"table, pending only", SQLiteOptions{Table: "items", Omit: []string{"summary", "summary_error"}, Pending: "summary_error"},
			[]string{"id", "title", "lang"}, [][]string{{"2", "b", "fr"}, {"3", "c", "en"}, {"4", "d", "en"}, {"5", "e", "en"}}, []int{2, 3, 4, 5}, "items"},
		{"query keyed by the INTEGER PRIMARY KEY", SQLiteOptions{Table: "items", Query: "SELECT id, title FROM items WHERE lang = 'en' ORDER BY title DESC;"},
			[]string{"id", "title"}, [][]string{{"1", "a"}, {"3", "c"}, {"4", "d"}, {"5", "e"}}, []int{1, 3, 4, 5}, "items"},
		{"query keyed by rowid, pending only", SQLiteOptions{Table: "items", Query: "SELECT rowid, title FROM items WHERE lang = 'en'", Pending: "summary_error"},
			[]string{"rowid", "title"}, [][]string{{"3", "c"}, {"4", "d"}, {"5", "e"}}, []int{3, 4, 5}, "items"},
		{"query without a table", SQLiteOptions{Query: "SELECT title, lang FROM items WHERE id > 3"},
			[]string{"title", "lang"}, [][]string{{"d", "en"}, {"e", "en"}}, []int{1, 2}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenSQLite(path, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			checkRead(t, r, tt.header, tt.cells, tt.nums)
			if got := r.Source().Table; got != tt.table {
				t.Errorf("Source().Table = %q, want %q", got, tt.table)
			}
		})
	}
}

func TestSQLiteBadInput(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE items (title TEXT)`, `CREATE TABLE other (x)`, `CREATE VIEW v AS SELECT title FROM items`,
		`INSERT INTO items VALUES ('ok'), (CAST(X'66ff6f' AS TEXT))`)
	text := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		opts SQLiteOptions
		kind error
		want string
	}{
		{"not a database", text, SQLiteOptions{Table: "items"}, ErrNotDatabase, text + ": not a SQLite database"},
		{"no such table", path, SQLiteOptions{Table: "itemz"}, ErrNoTable, path + `: no table named "itemz"; its tables: "items", "other", "v"`},
		{"nothing to read", path, SQLiteOptions{}, ErrNoTableGiven, path + ": no table or query given"},
		{"a view cannot be written back", path, SQLiteOptions{Table: "v", NeedKey: true}, ErrNoRowid, `table "v" has no rowid`},
		{"a query without rowids", path, SQLiteOptions{Table: "items", Query: "SELECT title FROM items", NeedKey: true}, ErrNoRowid, "select the rowid of the table to write into"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenSQLite(tt.path, tt.opts)
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %v saying %q", err, tt.kind, tt.want)
			}
		})
	}
	t.Run("a bad query", func(t *testing.T) {
		_, err := OpenSQLite(path, SQLiteOptions{Query: "SELEC title FROM items"})
		if err == nil || !strings.HasPrefix(err.Error(), path+": the query: ") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("invalid UTF-8 is located", func(t *testing.T) {
		r, err := OpenSQLite(path, SQLiteOptions{Table: "items"})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		_, err = readAll(t, r)
		if !errors.Is(err, ErrUTF8) || err.Error() != path+`: table "items", rowid 2, column "title": invalid UTF-8` {
			t.Errorf("got %v", err)
		}
	})
}

// The reader holds no lock between pages: a writer commits while it is
// halfway through, in the default rollback-journal mode.
func TestSQLiteReaderLetsWritersCommit(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE t (v TEXT)`,
		`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000) INSERT INTO t SELECT i FROM c`)
	r, err := OpenSQLite(path, SQLiteOptions{Table: "t"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	dsn, _ := SQLiteDSN(path, "rw", 0)
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec(`UPDATE t SET v = 'x'`); err != nil { // no busy timeout: any lock would fail it
		t.Fatalf("a writer could not commit while the reader was open: %v", err)
	}
	if !cmp.Equal(r.Header(), []string{"v"}) {
		t.Errorf("header %q", r.Header())
	}
}
