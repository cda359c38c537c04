package readers

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Finding what a SQLite input reads: the table, its columns and rowid,
// or a query's result columns and the key that writes them back.

// findTable returns the table's name as the schema spells it, matched
// exactly or else ignoring case, as SQLite matches names.
func (s *SQLite) findTable(ctx context.Context, want string) (string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.path, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", fmt.Errorf("%s: %w", s.path, err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("%s: %w", s.path, err)
	}
	if slices.Contains(names, want) {
		return want, nil
	}
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return n, nil
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	has := "it has no tables"
	if len(names) > 0 {
		has = "its tables: " + strings.Join(quoted, ", ")
	}
	return "", &TableError{File: s.path, Table: want, Err: detailf(ErrNoTable, "no table named %q; %s", want, has)}
}

// TableError is a problem with a SQLite table as a whole.
type TableError struct {
	File, Table string
	Err         error
}

func (e *TableError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *TableError) Unwrap() error { return e.Err }

// sqliteColumns lists a table's columns (generated ones too, which can be
// read) and the name its rowid can be selected by: rowid, or _rowid_ or
// oid when a column takes the name; "" for a view, a WITHOUT ROWID table,
// or a table whose columns take all three.
func sqliteColumns(ctx context.Context, db *sql.DB, name string) (cols []string, rid string, err error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_xinfo(?) WHERE hidden != 1 ORDER BY cid", name)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, "", err
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	for _, cand := range []string{"rowid", "_rowid_", "oid"} {
		if slices.ContainsFunc(cols, func(c string) bool { return strings.EqualFold(c, cand) }) {
			continue
		}
		if _, err := db.ExecContext(ctx, "SELECT "+cand+" FROM "+QuoteIdent(name)+" LIMIT 0"); err == nil {
			return cols, cand, nil
		}
		break
	}
	return cols, "", nil
}

func (s *SQLite) prepareTable(cols []string, rid string) error {
	var sel []string
	for _, c := range cols {
		if !slices.Contains(s.opts.Omit, c) {
			s.header = append(s.header, c)
			sel = append(sel, QuoteIdent(c))
		}
	}
	if len(sel) == 0 {
		sel = []string{"NULL"} // every column omitted: rows still count
	}
	t := QuoteIdent(s.table)
	if rid == "" {
		if s.opts.NeedKey {
			return &TableError{File: s.path, Table: s.table, Err: detailf(ErrNoRowid, "table %q has no rowid (a view or a WITHOUT ROWID table), so answers cannot be written back into it", s.table)}
		}
		s.all = "SELECT " + strings.Join(sel, ", ") + " FROM " + t
		return nil
	}
	s.keyed = true
	base := "SELECT " + rid + ", " + strings.Join(sel, ", ") + " FROM " + t + " WHERE "
	pending := "TRUE"
	if s.opts.Pending != "" && slices.Contains(cols, s.opts.Pending) {
		p := QuoteIdent(s.opts.Pending)
		pending = "(" + p + " IS NULL OR " + p + " <> '')"
	}
	s.first = base + pending + " ORDER BY " + rid + " LIMIT " + strconv.Itoa(sqlitePage)
	s.page = base + rid + " > ? AND " + pending + " ORDER BY " + rid + " LIMIT " + strconv.Itoa(sqlitePage)
	return nil
}

func (s *SQLite) prepareQuery(ctx context.Context, tableCols []string, rid string) error {
	q := strings.TrimRight(strings.TrimSpace(s.opts.Query), "; \t\r\n")
	rows, err := s.db.QueryContext(ctx, "SELECT * FROM ("+q+") LIMIT 0")
	if err != nil {
		return fmt.Errorf("%s: the query: %w", s.path, err)
	}
	cols, err := rows.Columns()
	_ = rows.Close()
	if err != nil {
		return fmt.Errorf("%s: the query: %w", s.path, err)
	}
	key := ""
	if s.table != "" && rid != "" {
		alias := integerPrimaryKey(ctx, s.db, s.table)
		for _, c := range cols {
			if slices.ContainsFunc([]string{"rowid", "oid", "_rowid_", alias}, func(k string) bool { return k != "" && strings.EqualFold(c, k) }) {
				key = c
				break
			}
		}
	}
	var sel []string
	for _, c := range cols {
		if !slices.Contains(s.opts.Omit, c) {
			s.header = append(s.header, c)
			sel = append(sel, "q."+QuoteIdent(c))
		}
	}
	if len(sel) == 0 {
		sel = []string{"NULL"}
	}
	if key == "" {
		if s.opts.NeedKey {
			what := "select the rowid of the table to write into"
			if s.table == "" {
				what = "name the table to write into"
			}
			return &TableError{File: s.path, Table: s.table, Err: detailf(ErrNoRowid, "the query's rows carry no rowid, so answers cannot be written back; %s", what)}
		}
		s.table = ""
		s.all = "SELECT " + strings.Join(sel, ", ") + " FROM (" + q + ") AS q"
		return nil
	}
	s.keyed = true
	k := "q." + QuoteIdent(key)
	from := " FROM (" + q + ") AS q"
	pending := "TRUE"
	if s.opts.Pending != "" && slices.Contains(tableCols, s.opts.Pending) {
		t := QuoteIdent(s.table)
		from += " JOIN " + t + " ON " + t + "." + rid + " = " + k
		p := t + "." + QuoteIdent(s.opts.Pending)
		pending = "(" + p + " IS NULL OR " + p + " <> '')"
	}
	base := "SELECT " + k + ", " + strings.Join(sel, ", ") + from + " WHERE "
	s.first = base + k + " IS NOT NULL AND " + pending + " ORDER BY " + k + " LIMIT " + strconv.Itoa(sqlitePage)
	s.page = base + k + " > ? AND " + pending + " ORDER BY " + k + " LIMIT " + strconv.Itoa(sqlitePage)
	return nil
}

// integerPrimaryKey is the name of the table's INTEGER PRIMARY KEY
// column, which is its rowid under another name, or "".
func integerPrimaryKey(ctx context.Context, db *sql.DB, name string) string {
	rows, err := db.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?) WHERE pk > 0", name)
	if err != nil {
		return ""
	}
	defer rows.Close()
	var pk []string
	for rows.Next() {
		var n, typ string
		if rows.Scan(&n, &typ) == nil && strings.EqualFold(typ, "INTEGER") {
			pk = append(pk, n)
		} else {
			pk = append(pk, "")
		}
	}
	if len(pk) == 1 {
		return pk[0]
	}
	return ""
}
