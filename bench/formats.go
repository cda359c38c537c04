//go:build unix

package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parquet-go/parquet-go"
	_ "modernc.org/sqlite"
)

// The formats group: the ETL step's own formats against CSV on the same
// rows, offline (--provider mock), so the figures are reading, the
// pipeline and writing, not a provider.
//
//	go run ./bench -only parquet,sqlite

// benchRow is the rows of every format scenario.
type benchRow struct {
	ID    int64   `parquet:"id"`
	Title string  `parquet:"title"`
	Body  string  `parquet:"body"`
	Score float64 `parquet:"score"`
}

func benchRowAt(i int) benchRow {
	return benchRow{ID: int64(i), Title: fmt.Sprintf("Ticket %d", i),
		Body: fmt.Sprintf("The printer on floor %d, again, says \"PC LOAD LETTER\".", i%9), Score: float64(i%1000) / 8}
}

type formatScenario struct {
	name   string
	rows   int
	input  string // file name under the bench folder
	output string // "" for in place
	make   func(path string, rows int)
	args   []string
	// maxOver is how many MB the peak may exceed the previous scenario's
	// (the same rows as CSV → CSV); 0: no target. The absolute peak at a
	// million rows is mostly the journal's and the dedupe's index of
	// every request, which every format pays alike.
	maxOver float64
}

func formatScenarios() []formatScenario {
	const million = 1_000_000
	return []formatScenario{
		{name: "parquet/1m-csv-to-csv", rows: million, input: "in-1m.csv", output: "out.csv", make: writeCSVInput},
		{name: "parquet/1m-parquet-to-parquet", rows: million, input: "in-1m.parquet", output: "out.parquet", make: writeParquetInput, maxOver: 80},
		{name: "sqlite/100k-in-place", rows: 100_000, input: "in-100k.db", make: writeSQLiteInput, args: []string{"--table", "items"}},
		{name: "sqlite/100k-csv-to-csv", rows: 100_000, input: "in-100k.csv", output: "out.csv", make: writeCSVInput},
	}
}

// runFormats runs the format scenarios that only selects, printing a line
// each, and reports whether all met their targets.
func runFormats(bin, dir string, selected func(name string) bool) bool {
	ok := true
	prevRSS, prevWall := 0.0, time.Duration(0)
	for _, sc := range formatScenarios() {
		if !selected(sc.name) {
			continue
		}
		in := filepath.Join(dir, sc.input)
		if sc.output == "" || func() bool { _, err := os.Stat(in); return err != nil }() {
			_ = os.Remove(in)
			sc.make(in, sc.rows)
		}
		args := []string{in, "-p", "Summarise: {{.title}} {{.body}}", "--provider", "mock", "--quiet", "--no-cache", "-j", "64"}
		if sc.output != "" {
			args = append(args, "-o", filepath.Join(dir, sc.output))
		}
		cmd := exec.Command(bin, append(args, sc.args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		rss := 0.0
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = float64(ru.Maxrss) / 1024
		}
		verdict := "ok"
		switch {
		case err != nil:
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			verdict = fmt.Sprintf("EXIT %d: %s", cmd.ProcessState.ExitCode(), lines[len(lines)-1])
		case sc.maxOver > 0 && prevRSS > 0 && rss > prevRSS+sc.maxOver:
			verdict = fmt.Sprintf("TOO BIG (%.0f MB over CSV → CSV, target ≤ %.0f)", rss-prevRSS, sc.maxOver)
		case sc.maxOver > 0 && prevRSS > 0:
			verdict = fmt.Sprintf("ok (%+.0f MB on CSV → CSV's peak; %.2f× its time)", rss-prevRSS, wall.Seconds()/prevWall.Seconds())
		case sc.output == "":
			verdict = checkFilled(in, sc.rows)
		}
		if !strings.HasPrefix(verdict, "ok") {
			ok = false
		}
		prevRSS, prevWall = rss, wall
		fmt.Printf("%-28s %8d %8.2fs %9s %7s %9.0f %8.1f %6s  %s\n", sc.name, sc.rows, wall.Seconds(), "-", "-", float64(sc.rows)/wall.Seconds(), rss, "-", verdict)
	}
	return ok
}

func writeParquetInput(path string, rows int) {
	f, err := os.Create(path)
	check(err)
	w := parquet.NewGenericWriter[benchRow](f, parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(100_000))
	batch := make([]benchRow, 0, 1000)
	for i := range rows {
		batch = append(batch, benchRowAt(i))
		if len(batch) == cap(batch) || i == rows-1 {
			_, err := w.Write(batch)
			check(err)
			batch = batch[:0]
		}
	}
	check(w.Close())
	check(f.Close())
}

func writeCSVInput(path string, rows int) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,title,body,score")
	for i := range rows {
		r := benchRowAt(i)
		fmt.Fprintf(w, "%d,%s,\"%s\",%g\n", r.ID, r.Title, strings.ReplaceAll(r.Body, `"`, `""`), r.Score)
	}
	check(w.Flush())
	check(f.Close())
}

func writeSQLiteInput(path string, rows int) {
	db, err := sql.Open("sqlite", path)
	check(err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, title TEXT, body TEXT, score REAL)`)
	check(err)
	tx, err := db.Begin()
	check(err)
	stmt, err := tx.Prepare(`INSERT INTO items VALUES (?, ?, ?, ?)`)
	check(err)
	for i := range rows {
		r := benchRowAt(i)
		_, err := stmt.Exec(r.ID, r.Title, r.Body, r.Score)
		check(err)
	}
	check(tx.Commit())
}

// checkFilled says whether every row of the table got its answer.
func checkFilled(path string, rows int) string {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return "CHECK: " + err.Error()
	}
	defer db.Close()
	var n, filled int
	if err := db.QueryRow(`SELECT count(*), count(response) FROM items WHERE response_error = ''`).Scan(&filled, &n); err != nil {
		return "CHECK: " + err.Error()
	}
	if err := db.QueryRow(`SELECT count(*) FROM items`).Scan(&n); err != nil || n != rows || filled != rows {
		return fmt.Sprintf("CHECK: %d rows, %d filled, want %d", n, filled, rows)
	}
	return fmt.Sprintf("ok (%d rows filled)", filled)
}
