package writers

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/internal/sqlitetest"
	"github.com/enrich-dev/enrich/table"
)

var inPlaceAdded = []string{"summary", "urgency", "score", "urgent", "summary_error"}

func inPlaceOptions(path string) (Options, SQLiteUpdate) {
	return Options{
		Header: []string{"id", "title"}, Added: inPlaceAdded,
		Kinds:  []table.Kind{table.Text, table.Integer, table.Number, table.Bool, table.Text},
		Source: table.Source{Path: path, Format: table.SQLite, Table: `It"ems`},
	}, SQLiteUpdate{ErrorColumn: "summary_error", Batch: 2}
}

func TestSQLiteInPlace(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, title TEXT)`,
		`INSERT INTO "It""ems" VALUES (1, 'a'), (2, 'b'), (5, 'c')`)
	o, u := inPlaceOptions(path)
	w, err := UpdateSQLite(o, u)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, []Record{
		row(1, []string{"1", "a"}, "short", "3", "0.5", "true", ""),
		row(2, []string{"2", "b"}, "", "", "", "", "429 Too Many Requests"),
		row(5, []string{"5", "c"}, "x", "not a number", "7", "maybe", ""),
	})
	got := sqlitetest.Query(t, path, `SELECT id, title, summary, urgency, typeof(urgency), score, typeof(score), urgent, summary_error, typeof(summary_error) FROM "It""ems" ORDER BY id`)
	want := [][]string{
		{"1", "a", "short", "3", "integer", "0.5", "real", "1", "", "text"},
		{"2", "b", "NULL", "NULL", "null", "NULL", "null", "NULL", "429 Too Many Requests", "text"},
		{"5", "c", "x", "not a number", "text", "7", "real", "maybe", "", "text"},
	}
	if !cmp.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	types := sqlitetest.Query(t, path, `SELECT name, type FROM pragma_table_info('It"ems')`)
	if want := [][]string{{"id", "INTEGER"}, {"title", "TEXT"}, {"summary", "TEXT"}, {"urgency", "INTEGER"}, {"score", "REAL"}, {"urgent", "INTEGER"}, {"summary_error", "TEXT"}}; !cmp.Equal(types, want) {
		t.Errorf("columns %q, want %q", types, want)
	}

	// A rerun finds the columns an earlier run added and writes into them.
	w, err = UpdateSQLite(o, u)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	writeAll(t, w, []Record{row(2, []string{"2", "b"}, "now", "1", "1", "false", "")})
	if got := sqlitetest.Query(t, path, `SELECT summary, summary_error FROM "It""ems" WHERE id = 2`); !cmp.Equal(got, [][]string{{"now", ""}}) {
		t.Errorf("rerun wrote %q", got)
	}
}

// Abort rolls back the open transaction; earlier ones stay committed, as
// after a crash. A run that never committed leaves the table as it was.
func TestSQLiteAbort(t *testing.T) {
	path := sqlitetest.MakeDB(t, `CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, title TEXT)`,
		`INSERT INTO "It""ems" VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
	o, u := inPlaceOptions(path)
	w, err := UpdateSQLite(o, u)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if cols := sqlitetest.Query(t, path, `SELECT count(*) FROM pragma_table_info('It"ems')`); cols[0][0] != "2" {
		t.Fatalf("an aborted run that wrote nothing left %s columns, want 2", cols[0][0])
	}
	w, err = UpdateSQLite(o, u)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ { // a batch of 2 commits; the third row is open
		if err := w.Write(context.Background(), row(i, nil, "s", "1", "1", "true", "")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	got := sqlitetest.Query(t, path, `SELECT id, summary, summary_error FROM "It""ems" ORDER BY id`)
	if want := [][]string{{"1", "s", ""}, {"2", "s", ""}, {"3", "NULL", "NULL"}}; !cmp.Equal(got, want) {
		t.Errorf("after Abort: %q, want %q", got, want)
	}
}

func TestSQLiteExistingColumns(t *testing.T) {
	tests := []struct {
		name   string
		create string
		fill   bool
		err    string
	}{
		{"the user's column", `CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, title TEXT, summary TEXT)`, false, `table "It\"ems" already has a column "summary"`},
		{"all of them, but not last", `CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, summary, urgency, score, urgent, summary_error, title TEXT)`, false, `table "It\"ems" already has a column "summary"`},
		{"filled on request", `CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, title TEXT, summary TEXT)`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := sqlitetest.MakeDB(t, tt.create, `INSERT INTO "It""ems" (id, title) VALUES (1, 'a')`)
			o, u := inPlaceOptions(path)
			u.FillExisting = tt.fill
			w, err := UpdateSQLite(o, u)
			if tt.err != "" {
				var ce *ColumnError
				if !errors.As(err, &ce) || !errors.Is(err, ErrColumnExists) || err.Error() != tt.err {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, w, []Record{row(1, nil, "s", "1", "1", "true", "")})
			if got := sqlitetest.Query(t, path, `SELECT summary FROM "It""ems"`); got[0][0] != "s" {
				t.Errorf("summary %q", got)
			}
		})
	}
}

// In WAL mode a reader sees the committed rows while a transaction is
// open, and is never blocked.
func TestSQLiteReadableWhileWriting(t *testing.T) {
	path := sqlitetest.MakeDB(t, `PRAGMA journal_mode=WAL`, `CREATE TABLE "It""ems" (id INTEGER PRIMARY KEY, title TEXT)`,
		`INSERT INTO "It""ems" VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
	o, u := inPlaceOptions(path)
	w, err := UpdateSQLite(o, u)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := w.Write(context.Background(), row(i, nil, "s", "1", "1", "true", "")); err != nil {
			t.Fatal(err)
		}
	}
	got := sqlitetest.Query(t, path, `SELECT count(*) FROM "It""ems" WHERE summary_error = ''`)
	if got[0][0] != "2" {
		t.Errorf("a reader saw %s answered rows while the third was uncommitted, want 2", got[0][0])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSQLiteNeedsItsTable(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "new.db"), Options{Format: table.SQLite, Header: []string{"a"}, Added: []string{"b"}}); !errors.Is(err, ErrSQLiteOutput) {
		t.Errorf("Create .db: %v, want ErrSQLiteOutput", err)
	}
	if _, err := UpdateSQLite(Options{Header: []string{"a"}, Added: []string{"b"}, Source: table.Source{Path: "x.csv", Format: table.CSV}}, SQLiteUpdate{}); err == nil {
		t.Error("UpdateSQLite accepted rows from a CSV file")
	}
}
