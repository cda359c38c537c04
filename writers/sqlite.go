package writers

import "errors"

// ErrSQLiteOutput: SQLite output other than rows written back into the table they came from.
var ErrSQLiteOutput = errors.New("writing a new SQLite database is not supported")
