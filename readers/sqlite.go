package readers

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	_ "modernc.org/sqlite" // the pure-Go driver: enrich stays cgo-free

	"github.com/enrich-dev/enrich/table"
)

// SQLiteOptions says what to read from a SQLite database.
type SQLiteOptions struct {
	// Table is the table to read, and the one whose rowids the rows carry.
	Table string
	// Query, when set, is a SELECT whose result is the rows instead of
	// Table's. Its rows carry Table's rowids when it selects a column
	// named rowid, oid or _rowid_, or Table's INTEGER PRIMARY KEY.
	Query string
	// Omit leaves these columns out of the header and the cells when
	// they are Table's last columns, in this order, as a run that added
	// them leaves them: a rerun in place does not read back its own
	// columns. Columns that are the user's own are read as usual.
	Omit []string
	// Pending, when set, names a column of Table that marks a row
	// already answered by holding '' (empty text, not NULL): such rows are
	// skipped, so a rerun reads only the rows still to do.
	Pending string
	// NeedKey makes a result without Table's rowids an error
	// (ErrNoRowid) rather than rows numbered 1, 2, 3: writing back needs
	// the rowid.
	NeedKey bool
}

// SQLite reads a table, or a query's result, from a SQLite database with
// the pure-Go driver modernc.org/sqlite.
//
// Rows keyed by rowid are read in pages of sqlitePage, each page its own
// short read transaction ordered by rowid and starting after the last
// rowid seen, so the reader holds no lock between pages: a writer (enrich
// itself, writing answers back, or anyone else) commits between them, in
// either journal mode. A result without rowids (a view, a WITHOUT ROWID
// table, a query that selects none) is read by one statement.
type SQLite struct {
	path, table string
	opts        SQLiteOptions
	db          *sql.DB
	header      []string
	keyed       bool   // rows carry rowids
	page        string // the query of one page, after the rowid bound
	first       string // the first page's query
	all         string // the query of an unkeyed result

	rows    *sql.Rows // the unkeyed result being read
	buf     []table.Row
	at      int
	last    int64 // the last rowid read
	started bool
	done    bool
	num     int
	err     error
}

var (
	_ Reader   = (*SQLite)(nil)
	_ Rewinder = (*SQLite)(nil)
)

// sqlitePage is how many rows one read transaction reads.
const sqlitePage = 1000

// The errors of a SQLite input, wrapped with the file and table.
var (
	// ErrNotDatabase: the file is not a SQLite database.
	ErrNotDatabase = errors.New("not a SQLite database")
	// ErrNoTable: the database has no table or view of that name.
	ErrNoTable = errors.New("no such table")
	// ErrNoTableGiven: neither a table nor a query was given.
	ErrNoTableGiven = errors.New("no table or query given")
	// ErrNoRowid: rows that must carry the table's rowids do not.
	ErrNoRowid = errors.New("the rows carry no rowid")
)

// SQLiteDSN is the driver's name for path with enrich's settings: a
// busy timeout, so that a writer elsewhere makes this connection wait
// rather than fail, and mode (ro or rw), which never creates a file.
func SQLiteDSN(path, mode string, busy time.Duration) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Path: filepath.ToSlash(abs)}
	return fmt.Sprintf("file:%s?mode=%s&_pragma=busy_timeout(%d)", u.EscapedPath(), mode, busy.Milliseconds()), nil
}

// QuoteIdent quotes a table or column name for SQL, as SQLite spells a
// quoted identifier: every name from a user goes through it, never pasted.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// OpenSQLite opens the database at path read-only and prepares to read
// opts.Table or opts.Query.
func OpenSQLite(path string, opts SQLiteOptions) (*SQLite, error) {
	if opts.Table == "" && opts.Query == "" {
		return nil, fmt.Errorf("%s: %w", path, ErrNoTableGiven)
	}
	dsn, err := SQLiteDSN(path, "ro", 5*time.Second)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	s := &SQLite{path: path, opts: opts, db: db}
	if err := s.prepare(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) prepare() error {
	ctx := context.Background()
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return fmt.Errorf("%s: %w", s.path, ErrNotDatabase)
		}
		return fmt.Errorf("%s: %w", s.path, err)
	}
	var tableCols []string
	rid := ""
	if s.opts.Table != "" {
		name, err := s.findTable(ctx, s.opts.Table)
		if err != nil {
			return err
		}
		s.table = name
		if tableCols, rid, err = sqliteColumns(ctx, s.db, name); err != nil {
			return fmt.Errorf("%s: table %q: %w", s.path, name, err)
		}
	}
	if n := len(s.opts.Omit); n == 0 || len(tableCols) < n || !slices.EqualFunc(tableCols[len(tableCols)-n:], s.opts.Omit, strings.EqualFold) {
		s.opts.Omit = nil
	}
	if s.opts.Query == "" {
		return s.prepareTable(tableCols, rid)
	}
	return s.prepareQuery(ctx, tableCols, rid)
}

// Header returns the column names.
func (s *SQLite) Header() []string { return slices.Clone(s.header) }

// Source describes the database, and the table when the rows carry its
// rowids (Row.Num), so that a writer can write into those rows.
func (s *SQLite) Source() table.Source {
	src := table.Source{Path: s.path, Format: table.SQLite}
	if s.keyed {
		src.Table = s.table
	}
	return src
}

// Next returns the next row. Row.Num is its rowid, or its 1-based
// position in a result without rowids.
func (s *SQLite) Next(ctx context.Context) (table.Row, error) {
	if err := ctx.Err(); err != nil {
		return table.Row{}, err
	}
	if s.err != nil {
		return table.Row{}, s.err
	}
	if s.db == nil {
		return table.Row{}, fmt.Errorf("%s: the reader is closed", s.path)
	}
	if !s.keyed {
		return s.nextUnkeyed(ctx)
	}
	for s.at >= len(s.buf) {
		if s.done {
			return table.Row{}, io.EOF
		}
		if err := s.fill(ctx); err != nil {
			s.err = err
			return table.Row{}, err
		}
	}
	row := s.buf[s.at]
	s.buf[s.at] = table.Row{}
	s.at++
	return row, nil
}

// fill reads the next page into buf, closing its statement before it
// returns, so no read lock is held while the rows wait in the pipeline.
func (s *SQLite) fill(ctx context.Context) error {
	var rows *sql.Rows
	var err error
	if s.started {
		rows, err = s.db.QueryContext(ctx, s.page, s.last)
	} else {
		rows, err = s.db.QueryContext(ctx, s.first)
	}
	if err != nil {
		return s.where(0, "", err)
	}
	defer rows.Close()
	s.started = true
	s.buf, s.at = s.buf[:0], 0
	width := len(s.header)
	dest := make([]any, width+1)
	vals := make([]any, width+1)
	for i := range dest {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return s.where(s.last, "", err)
		}
		id, ok := vals[0].(int64)
		if !ok {
			return s.where(0, "", fmt.Errorf("the rowid column holds %T, not an integer", vals[0]))
		}
		s.last = id
		row := table.Row{Num: int(id), Cells: make([]string, width)}
		for i := range width {
			c, err := sqliteText(vals[i+1])
			if err != nil {
				return s.where(id, s.header[i], err)
			}
			row.Cells[i] = c
		}
		s.buf = append(s.buf, row)
	}
	if err := rows.Err(); err != nil {
		return s.where(s.last, "", err)
	}
	s.done = len(s.buf) < sqlitePage
	return nil
}

func (s *SQLite) nextUnkeyed(ctx context.Context) (table.Row, error) {
	if s.rows == nil {
		rows, err := s.db.QueryContext(context.WithoutCancel(ctx), s.all)
		if err != nil {
			s.err = s.where(0, "", err)
			return table.Row{}, s.err
		}
		s.rows = rows
	}
	if !s.rows.Next() {
		if err := s.rows.Err(); err != nil {
			s.err = s.where(int64(s.num+1), "", err)
			return table.Row{}, s.err
		}
		return table.Row{}, io.EOF
	}
	width := len(s.header)
	dest := make([]any, max(width, 1))
	vals := make([]any, len(dest))
	for i := range dest {
		dest[i] = &vals[i]
	}
	s.num++
	if err := s.rows.Scan(dest...); err != nil {
		s.err = s.where(int64(s.num), "", err)
		return table.Row{}, s.err
	}
	row := table.Row{Num: s.num, Cells: make([]string, width)}
	for i := range width {
		c, err := sqliteText(vals[i])
		if err != nil {
			s.err = s.where(int64(s.num), s.header[i], err)
			return table.Row{}, s.err
		}
		row.Cells[i] = c
	}
	return row, nil
}

// where locates err in the input: the table or query, the rowid (or
// row) and the column.
func (s *SQLite) where(num int64, column string, err error) error {
	var b strings.Builder
	if s.table != "" {
		fmt.Fprintf(&b, "table %q", s.table)
	} else {
		b.WriteString("the query")
	}
	if num != 0 {
		if s.keyed {
			fmt.Fprintf(&b, ", rowid %d", num)
		} else {
			fmt.Fprintf(&b, ", row %d", num)
		}
	}
	if column != "" {
		fmt.Fprintf(&b, ", column %q", column)
	}
	return &SQLiteError{File: s.path, At: b.String(), Err: err}
}

// SQLiteError locates bad input in a SQLite database: `data.db: table
// "items", rowid 7, column "title": invalid UTF-8`.
type SQLiteError struct {
	File string
	At   string // the table or query, rowid or row, and column
	Err  error
}

func (e *SQLiteError) Error() string { return e.File + ": " + e.At + ": " + e.Err.Error() }
func (e *SQLiteError) Unwrap() error { return e.Err }

// sqliteText is a stored value's text: NULL is "", an INTEGER its
// digits, a REAL the shortest text that reads back as it (as for Parquet
// doubles), TEXT as stored (it must be UTF-8), and a BLOB its text when
// it is UTF-8, else standard base64.
func sqliteText(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return formatFloat(v, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case string:
		if !utf8.ValidString(v) {
			return "", ErrUTF8
		}
		return v, nil
	case []byte:
		if utf8.Valid(v) {
			return string(v), nil
		}
		return base64.StdEncoding.EncodeToString(v), nil
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	}
	return fmt.Sprint(v), nil
}

// Rewind starts over at the first row.
func (s *SQLite) Rewind() error {
	if s.db == nil {
		return fmt.Errorf("%s: the reader is closed", s.path)
	}
	if s.rows != nil {
		_ = s.rows.Close()
		s.rows = nil
	}
	s.buf, s.at, s.last, s.started, s.done, s.num, s.err = s.buf[:0], 0, 0, false, false, 0, nil
	return nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	if s.db == nil {
		return nil
	}
	if s.rows != nil {
		_ = s.rows.Close()
	}
	err := s.db.Close()
	s.db = nil
	return err
}
