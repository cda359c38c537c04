package readers

// SQLiteOptions says what to read from a SQLite database.
type SQLiteOptions struct {
	Table string
}

func OpenSQLite(path string, opts SQLiteOptions) (Reader, error) { return nil, nil }
