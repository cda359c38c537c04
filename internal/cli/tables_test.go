package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/internal/sqlitetest"
	"github.com/enrich-dev/enrich/readers"
)

func sqliteDB(t *testing.T, rows int) string {
	t.Helper()
	return sqlitetest.MakeDB(t,
		`CREATE TABLE "my items" (id INTEGER PRIMARY KEY, title TEXT, lang TEXT)`,
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
			INSERT INTO "my items" SELECT i, 'item ' || i, CASE WHEN i %% 3 = 0 THEN 'fr' ELSE 'en' END FROM c`, rows))
}
func TestSQLiteInPlaceAndRerun(t *testing.T) {
	db := sqliteDB(t, 1200)
	cache := filepath.Join(t.TempDir(), "cache")
	args := []string{db, "--table", "my items", "-p", "Title: {{.title}}", "--provider", "mock", "--cache", cache, "-q"}
	r := enrich(t, nil, "", args...)
	succeeded(t, r)
	got := sqlitetest.Query(t, db, `SELECT count(*), count(response), sum(response_error = ''), min(response) FROM "my items"`)
	if want := [][]string{{"1200", "1200", "1200", "mock answer (no model was called) to the prompt: Title: item 1"}}; !cmp.Equal(got, want) {
		t.Errorf("after the run: %q, want %q", got, want)
	}
	// A rerun finds every row answered and asks nothing.
	r = enrich(t, nil, "", args...)
	succeeded(t, r)
	if !strings.Contains(r.stderr, "enrich: 0 rows, 0 answered") {
		t.Errorf("the rerun did not skip the answered rows:\n%s", r.stderr)
	}
	// --query narrows the rows; --fresh asks again even where answered.
	r = enrich(t, nil, "", append(args, "--query", `SELECT rowid, title FROM "my items" WHERE lang = 'fr'`, "--fresh", "-p", "Titre: {{.title}}")...)
	succeeded(t, r)
	got = sqlitetest.Query(t, db, `SELECT lang, count(*) FROM "my items" WHERE response LIKE '%Titre%' GROUP BY lang`)
	if want := [][]string{{"fr", "400"}}; !cmp.Equal(got, want) {
		t.Errorf("after --query: %q, want %q", got, want)
	}
}

func TestSQLiteToOtherFormats(t *testing.T) {
	db := sqliteDB(t, 5)
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, nil, "", db, "--table", "my items", "-o", out, "-p", "{{.title}}", "--provider", "mock", "--no-cache", "-q")
	succeeded(t, r)
	b, _ := os.ReadFile(out)
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 6 || lines[0] != "id,title,lang,response,response_error" {
		t.Errorf("out.csv:\n%s", b)
	}
	if cols := sqlitetest.Query(t, db, `SELECT count(*) FROM pragma_table_info('my items')`); cols[0][0] != "3" {
		t.Errorf("-o changed the table: %s columns", cols[0][0])
	}
}

func TestSQLiteRefusals(t *testing.T) {
	db := sqliteDB(t, 3)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a column of the table", []string{"--table", "my items", "-c", "title"}, exitFatal,
			"enrich: error: table \"my items\" already has a column \"title\"\nenrich: hint: pass --fill-existing to write into it, or choose another name with -c/--column"},
		{"no such table", []string{"--table", "items"}, exitFatal, `no table named "items"; its tables: "my items"` + "\nenrich: hint: name one of them with --table"},
		{"no table", nil, exitUsage, "name the table to read with --table NAME"},
		{"a query without rowids", []string{"--table", "my items", "--query", `SELECT title FROM "my items"`}, exitFatal, "for --query, select the rowid"},
		{"a query into no table", []string{"--query", `SELECT rowid, title FROM "my items"`}, exitUsage, "needs --table"},
		{"a template naming a missing column", []string{"--table", "my items", "-p", "{{.titel}}"}, exitFatal,
			`template field "titel" is not a column of ` + db + `, table "my items"; columns: "id", "title", "lang" (did you mean "title"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{db, "-p", "{{.title}}", "--provider", "mock", "--no-cache"}, tt.args...)
			r := enrich(t, nil, "", args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
	// --fill-existing writes into the user's own column.
	r := enrich(t, nil, "", db, "--table", "my items", "-c", "lang", "--fill-existing", "-p", "{{.title}}", "--provider", "mock", "--no-cache", "-q")
	succeeded(t, r)
	if got := sqlitetest.Query(t, db, `SELECT lang FROM "my items" WHERE id = 1`); !strings.HasPrefix(got[0][0], "mock answer") {
		t.Errorf("lang = %q after --fill-existing", got[0][0])
	}
}

func TestTableFlagsChecked(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csv, []byte("a\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{csv, "-o", "out.csv", "--table", "t"}, "--table and --query apply to a SQLite input"},
		{[]string{csv, "-o", "out.csv", "--fill-existing"}, "--fill-existing applies when answers go back into a SQLite table"},
		{[]string{csv, "-o", "out.csv", "--compression", "snappy"}, "--compression applies to Parquet output, and out.csv is written as csv"},
		{[]string{csv, "-o", "out.parquet", "--compression", "lz4"}, `--compression must be zstd or snappy, got "lz4"`},
		{[]string{"-", "--format", "sqlite", "-o", "-"}, "--format applies to standard input and output, which cannot be sqlite"},
	}
	for _, tt := range tests {
		r := enrich(t, nil, "", append(tt.args, "-p", "{{.a}}", "--provider", "mock")...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

func TestParquetToParquet(t *testing.T) {
	in := filepath.Join("readers", "testdata", "parquet", "groups.parquet")
	out := filepath.Join(t.TempDir(), "out.parquet")
	r := enrich(t, nil, "", in, "-o", out, "-p", "{{.title}}", "--provider", "mock", "--fields", "n:integer, ok:boolean", "--no-cache", "-q")
	succeeded(t, r)
	pr, err := readers.OpenParquet(out)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if want := []string{"id", "title", "flag", "n", "ok", "response_error"}; !cmp.Equal(pr.Header(), want) {
		t.Errorf("header %q, want %q", pr.Header(), want)
	}
	n := 0
	for {
		row, err := pr.Next(context.Background())
		if err != nil {
			break
		}
		n++
		if row.Cells[0] != fmt.Sprint(n) || row.Cells[1] != fmt.Sprintf("row %d", n) || row.Cells[3] != "1" || row.Cells[4] != "true" || row.Cells[5] != "" {
			t.Fatalf("row %d: %q", n, row.Cells)
		}
	}
	if n != 2500 {
		t.Errorf("%d rows, want 2500", n)
	}
}

func TestParquetBadInputCLI(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "data.parquet")
	if err := os.WriteFile(in, []byte("id,title\n1,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.parquet")
	r := enrich(t, nil, "", in, "-o", out, "-p", "{{.title}}", "--provider", "mock")
	if r.code != exitFatal || r.stderr != "enrich: error: "+in+": not a Parquet file: it does not start with PAR1, as every Parquet file does\n" {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("OUTPUT was written")
	}
}
