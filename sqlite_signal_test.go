package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

func makeItems(t *testing.T, path string, rows int) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		`CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT, body TEXT)`,
		fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
			INSERT INTO items SELECT i, 'item ' || i, 'body "' || i || '", with, commas' FROM c`, rows),
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// outside reads the database as another program would: with Debian's
// sqlite3 when it is installed, else through the Go driver.
func outside(t *testing.T, path, q string) string {
	t.Helper()
	if bin, err := exec.LookPath("sqlite3"); err == nil {
		out, err := exec.Command(bin, "-batch", "-noheader", "-separator", "|", path, q).CombinedOutput()
		if err != nil {
			t.Fatalf("sqlite3 %q: %v\n%s", q, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		lines = append(lines, strings.Join(parts, "|"))
	}
	return strings.Join(lines, "\n")
}

// A table enriched in place survives kill -9: what was committed stays,
// the rerun fills the rest from the journal and the provider, every row
// once, and the table ends as an uninterrupted run leaves it.
func TestSQLiteKillAndResume(t *testing.T) {
	const rows, concurrency = 3000, 8
	dir := t.TempDir()
	db := filepath.Join(dir, "data.db")
	makeItems(t, db, rows)
	ref := filepath.Join(dir, "ref.db")
	makeItems(t, ref, rows)
	p := fakeprovider.New(fakeprovider.Options{Latency: 2 * time.Millisecond})
	srv := httptest.NewServer(p)
	defer srv.Close()
	command := func(path string, extra ...string) *exec.Cmd {
		return enrichCmd(t, append([]string{path, "--table", "items", "-p", "Summarise {{.title}}: {{.body}}", "-j", fmt.Sprint(concurrency),
			"--base-url", srv.URL + "/v1", "--cache", filepath.Join(dir, "cache"), "-q"}, extra...)...)
	}

	cmd := command(db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a third of the answers", func() bool { return p.Answered() >= rows/3 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	sent := p.Requests()
	if sent >= rows {
		t.Fatalf("the run finished (%d requests) before it was killed; the test proves nothing", sent)
	}
	// What was committed is whole rows: an answer and an empty error.
	if bad := outside(t, db, `SELECT count(*) FROM items WHERE (response IS NULL) != (response_error IS NULL)`); bad != "0" {
		t.Errorf("%s rows half written after kill -9", bad)
	}
	t.Logf("killed after %d requests, %s rows committed", sent, outside(t, db, `SELECT count(*) FROM items WHERE response_error = ''`))

	stderr.Reset()
	rerun := command(db)
	rerun.Stderr = &stderr
	if err := rerun.Run(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, stderr.String())
	}
	if total := p.Requests(); total > rows+concurrency {
		t.Errorf("%d requests across both runs, want at most rows + concurrency = %d", total, rows+concurrency)
	}
	want := fmt.Sprintf("%d|%d|%d|%d", rows, rows, rows, rows)
	if got := outside(t, db, `SELECT count(*), count(DISTINCT id), count(response), sum(response_error = '') FROM items`); got != want {
		t.Errorf("rows, distinct ids, answers, answered: got %s, want %s", got, want)
	}
	if got := outside(t, db, `SELECT count(*) FROM items WHERE title != 'item ' || id OR body != 'body "' || id || '", with, commas'`); got != "0" {
		t.Errorf("%s rows had their own cells changed", got)
	}

	if b, err := command(ref, "--no-cache").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, b)
	}
	q := `SELECT id, title, body, response, response_error FROM items ORDER BY id`
	if got, ref := outside(t, db, q), outside(t, ref, q); got != ref {
		t.Errorf("the resumed table differs from an uninterrupted run's:\ngot  %.300s\nwant %.300s", got, ref)
	}
	if _, err := os.Stat(db + "-journal"); err == nil {
		t.Errorf("a rollback journal is left beside the database")
	}
}
