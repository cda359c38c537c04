package writers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go driver: enrich stays cgo-free

	"github.com/enrich-dev/enrich/table"
)

// ErrSQLiteOutput: SQLite output other than answers written back into the
// table the rows came from.
var ErrSQLiteOutput = errors.New("writing a new SQLite database is not supported; answers are written back into the table the rows came from")

// SQLiteUpdate configures UpdateSQLite.
type SQLiteUpdate struct {
	// ErrorColumn is the added column that holds a row's error. It is
	// written '' (empty text, not NULL) for a row that was answered, so
	// that a rerun can tell answered rows (''), failed ones (the error)
	// and rows not yet written (NULL).
	ErrorColumn string
	// FillExisting writes into added columns that the table already has,
	// instead of refusing them (ErrColumnExists).
	FillExisting bool
	// Batch is how many rows one transaction writes (default 500), and
	// Every how long it may stay open after its first row (default 1s):
	// a crash loses at most what these bound, all of it in the journal.
	Batch int
	Every time.Duration
}

// sqliteBusy is how long the writer waits for a lock another connection
// holds (a reader committing nothing, another writer) before failing.
const sqliteBusy = 10 * time.Second

// UpdateSQLite returns a Writer that writes each record's added values
// into the row of table opts.Source.Table, in the database at
// opts.Source.Path, whose rowid is the record's Row.Num: the table is
// enriched in place. See the package documentation for what that means
// for Close and Abort.
func UpdateSQLite(opts Options, u SQLiteUpdate) (Writer, error) {
	opts.Format = table.SQLite
	// Which added columns the table may already have is the column
	// policy's to decide (see columnPolicy), with the table's words; the
	// header's own check would refuse them all alike.
	header := slices.Clone(opts.Header)
	for i, h := range header {
		if slices.Contains(opts.Added, h) {
			header[i] = ""
		}
	}
	opts.Header = header
	o, err := opts.validate()
	if err != nil {
		return nil, err
	}
	if o.Source.Format != table.SQLite || o.Source.Table == "" || isStdio(o.Source.Path) {
		return nil, errors.New("writing into a SQLite table needs rows read from that table, keyed by rowid")
	}
	if u.Batch <= 0 {
		u.Batch = 500
	}
	if u.Every <= 0 {
		u.Every = time.Second
	}
	if u.ErrorColumn != "" && !slices.Contains(o.Added, u.ErrorColumn) {
		return nil, fmt.Errorf("the error column %q is not an added column", u.ErrorColumn)
	}
	enc, err := openSQLite(o, u)
	if err != nil {
		return nil, err
	}
	return &writer{opts: o, enc: enc}, nil
}

// sqliteEncoder writes answers back by rowid, in transactions of at most
// Batch rows and Every long. A timer commits a transaction that is still
// open when answers stop coming, so a slow model does not hold the
// table's write lock; mu keeps it and Write apart.
type sqliteEncoder struct {
	db      *sql.DB
	conn    *sql.Conn
	opts    Options
	u       SQLiteUpdate
	name    string // "data.db, table \"items\"" for messages
	update  string
	kinds   []table.Kind
	errAt   int // index of the error column among the added; -1 for none
	mu      sync.Mutex
	open    bool // a transaction is open
	pending int  // rows written in it
	timer   *time.Timer
	fail    error // a commit by the timer that failed
}

func openSQLite(o Options, u SQLiteUpdate) (*sqliteEncoder, error) {
	abs, err := filepath.Abs(o.Source.Path)
	if err != nil {
		return nil, err
	}
	dsn := fmt.Sprintf("file:%s?mode=rw&_pragma=busy_timeout(%d)", (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath(), sqliteBusy.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Source.Path, err)
	}
	db.SetMaxOpenConns(1)
	e := &sqliteEncoder{db: db, opts: o, u: u, errAt: slices.Index(o.Added, u.ErrorColumn), kinds: o.Kinds,
		name: fmt.Sprintf("%s, table %q", o.Source.Path, o.Source.Table)}
	if e.kinds == nil {
		e.kinds = make([]table.Kind, len(o.Added))
	}
	if err := e.start(); err != nil {
		return nil, errors.Join(err, e.close(false))
	}
	return e, nil
}

// start checks the table's columns, opens the first transaction and adds
// the columns the table lacks in it, so that a run that never commits
// leaves the table as it was.
func (e *sqliteEncoder) start() error {
	ctx := context.Background()
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	e.conn = conn
	cols, err := tableColumns(ctx, conn, e.opts.Source.Table)
	if err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	missing, err := e.columnPolicy(cols)
	if err != nil {
		return err
	}
	if err := e.begin(ctx); err != nil {
		return err
	}
	t := quoteIdent(e.opts.Source.Table)
	for _, i := range missing {
		stmt := "ALTER TABLE " + t + " ADD COLUMN " + quoteIdent(e.opts.Added[i]) + " " + sqliteType(e.kinds[i])
		if _, err := e.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: cannot add column %q: %w", e.name, e.opts.Added[i], err)
		}
	}
	sets := make([]string, len(e.opts.Added))
	for i, a := range e.opts.Added {
		sets[i] = quoteIdent(a) + " = ?"
	}
	rid := rowidName(cols)
	if rid == "" {
		return fmt.Errorf("%s: its columns are named rowid, _rowid_ and oid, so its rowid cannot be named", e.name)
	}
	e.update = "UPDATE " + t + " SET " + strings.Join(sets, ", ") + " WHERE " + rid + " = ?"
	return nil
}

// columnPolicy decides what to do with added columns the table already
// has, and returns the indexes of those it lacks. None: add them all. All
// of them, as the table's last columns in the same order: an earlier run
// of the same enrichment added them, and this one resumes into them.
// Otherwise an existing column is refused, unless FillExisting says to
// write into it.
func (e *sqliteEncoder) columnPolicy(cols []string) ([]int, error) {
	var missing, existing []int
	for i, a := range e.opts.Added {
		if slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, a) }) {
			existing = append(existing, i)
		} else {
			missing = append(missing, i)
		}
	}
	switch {
	case len(existing) == 0, e.u.FillExisting:
		return missing, nil
	case len(missing) == 0 && len(cols) >= len(e.opts.Added) && slices.EqualFunc(cols[len(cols)-len(e.opts.Added):], e.opts.Added, strings.EqualFold):
		return nil, nil
	}
	i := existing[0]
	return nil, &ColumnError{Name: e.opts.Added[i], Index: i, Table: e.opts.Source.Table, Kind: ErrColumnExists}
}

// sqliteType is the declared type of an added column.
func sqliteType(k table.Kind) string {
	switch k {
	case table.Integer, table.Bool:
		return "INTEGER"
	case table.Number:
		return "REAL"
	}
	return "TEXT"
}

func (e *sqliteEncoder) begin(ctx context.Context) error {
	// IMMEDIATE takes the write lock now, so a busy database fails (or
	// waits) here rather than midway through the transaction.
	if _, err := e.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("%s: %w", e.name, err)
	}
	e.open = true
	return nil
}

func (e *sqliteEncoder) encode(rec Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return e.fail
	}
	ctx := context.Background()
	if !e.open {
		if err := e.begin(ctx); err != nil {
			return err
		}
	}
	args := make([]any, 0, len(rec.Values)+1)
	for i, v := range rec.Values {
		args = append(args, e.arg(i, v))
	}
	args = append(args, int64(rec.Row.Num))
	res, err := e.conn.ExecContext(ctx, e.update, args...)
	if err != nil {
		return fmt.Errorf("%s, rowid %d: %w", e.name, rec.Row.Num, err)
	}
	if n, err := res.RowsAffected(); err == nil && n != 1 {
		return fmt.Errorf("%s: no row has rowid %d any more", e.name, rec.Row.Num)
	}
	e.pending++
	if e.pending == 1 {
		e.timer = time.AfterFunc(e.u.Every, e.tick)
	}
	if e.pending >= e.u.Batch {
		return e.commit(ctx)
	}
	return nil
}

// arg is the value bound for added value i: NULL for an empty value
// (but "" in the error column: the row was answered), a number for a
// numeric kind whose text is one, 1 or 0 for a boolean, else the text.
func (e *sqliteEncoder) arg(i int, v string) any {
	if v == "" {
		if i == e.errAt {
			return ""
		}
		return nil
	}
	switch e.kinds[i] {
	case table.Integer:
		if n, ok := integer(v); ok {
			return n
		}
	case table.Number:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
		if f, ok := number(v); ok {
			return f
		}
	case table.Bool:
		switch v {
		case "true":
			return int64(1)
		case "false":
			return int64(0)
		}
	}
	return v
}

// tick commits the open transaction when answers have stopped coming.
func (e *sqliteEncoder) tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.open && e.pending > 0 && e.fail == nil {
		e.fail = e.commit(context.Background())
	}
}

func (e *sqliteEncoder) commit(ctx context.Context) error {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	if !e.open {
		return nil
	}
	e.open, e.pending = false, 0
	if _, err := e.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("%s: cannot commit: %w", e.name, err)
	}
	return nil
}

// finish commits what is left and closes the database.
func (e *sqliteEncoder) finish() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fail != nil {
		return errors.Join(e.fail, e.close(false))
	}
	if err := e.commit(context.Background()); err != nil {
		return errors.Join(err, e.close(false))
	}
	return e.close(true)
}

// discard rolls back the open transaction: what earlier transactions
// committed stays, as after a crash.
func (e *sqliteEncoder) discard() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.close(false)
}

func (e *sqliteEncoder) close(committed bool) error {
	if e.timer != nil {
		e.timer.Stop()
		e.timer = nil
	}
	var err error
	if e.open && !committed && e.conn != nil {
		_, err = e.conn.ExecContext(context.Background(), "ROLLBACK")
		e.open = false
	}
	if e.conn != nil {
		err = errors.Join(err, e.conn.Close())
		e.conn = nil
	}
	if e.db != nil {
		err = errors.Join(err, e.db.Close())
		e.db = nil
	}
	return err
}

// rowidName is the name the rowid can be selected by: rowid, unless a
// column takes that name, then _rowid_, then oid; "" when all three are
// columns. The reader picks it the same way.
func rowidName(cols []string) string {
	for _, cand := range []string{"rowid", "_rowid_", "oid"} {
		if !slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, cand) }) {
			return cand
		}
	}
	return ""
}

// tableColumns lists the table's columns, generated ones included.
func tableColumns(ctx context.Context, conn *sql.Conn, name string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT name FROM pragma_table_xinfo(?) ORDER BY cid", name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("no table named %q", name)
	}
	return cols, nil
}

// quoteIdent quotes a name as a SQL identifier; user-given names are never
// pasted into SQL as they are.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
