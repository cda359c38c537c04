// Package writers writes enrich's output: every input row, in input order,
// with the values of the added columns after its own cells, as CSV, TSV,
// JSON Lines, XLSX or Parquet, or back into a SQLite table in place.
//
// It owns the output formats and the safety of the output file. It does not
// read input (package readers), decide the values (package pipeline), or
// map flags to options (package main). Writers are not safe for concurrent
// use: the pipeline calls one from a single goroutine.
//
// # Output files
//
// Create writes to a temporary file, .NAME.tmp-RANDOM, in OUTPUT's own
// directory, so the final rename stays on one file system and is atomic.
// The file is created by Create itself, so a missing or read-only directory
// fails before any work is done. Close syncs it and renames it over OUTPUT;
// Abort, or Close after a failed Write, removes it. A failed write (a full
// disk, a lost mount) is reported as "cannot write OUTPUT: …", naming
// OUTPUT rather than the temporary file, and is returned by Write or Close;
// should the temporary file then be impossible to remove, the message says
// where it was left. An existing OUTPUT is
// untouched until Close and keeps its permission bits; a new one gets 0666
// minus the umask, like os.Create. A symlink at OUTPUT is replaced, not
// written through.
//
// An OUTPUT ending in .gz or .zst (out.csv.gz, out.jsonl.zst) is
// compressed on its way to the temporary file, with compress/gzip or
// klauspost/compress's zstd at their default levels; Close ends the
// compressed stream before the rename, so OUTPUT is still complete or
// absent. An .xlsx is a zip archive already: out.xlsx.gz is refused with
// table.ErrCompressedWorkbook. New never compresses.
//
// Create refuses to write over the input: OUTPUT and Options.Input are the
// same file when their cleaned absolute paths are equal or, when both
// exist, when os.SameFile says so (hard links, symlinks, case-insensitive
// file systems).
//
// New writes to any io.Writer, such as standard output, and never closes
// it. Close flushes. A stream cannot take back what it already sent, so
// Abort flushes too, ending the stream on a whole record (CSV, TSV, table.JSON
// Lines); an XLSX stream is a zip archive, streamed as it is written, so
// after Abort it ends where it stopped and is not a workbook.
//
// # Columns
//
// Added names must be non-empty, distinct and absent from Header, checked
// when the writer is made: enrich never overwrites an input column. Row
// cells are padded with "" to the header's width; more cells than header
// columns, or a number of values (or of non-nil Kinds) other than
// len(Added), is an error.
//
// # Typed values
//
// Record.Kinds types the added values where the format has types. A
// table.Number is written as a number only when its text is a table.JSON number that
// a float64 holds (-1.5e3; not "Inf", "0x10", "1,5" or 1e400), a table.Bool
// only when it is exactly "true" or "false", a table.JSON value only when it is
// valid table.JSON in valid UTF-8; any other value is written as text, never an
// error, because a mistyped answer is still an answer. Empty values are
// empty cells (in table.JSON Lines, "") whatever their kind. Input cells are
// always text. An unknown table.Kind is an error.
//
// # CSV and quoted TSV
//
// The header row is Header then Added. A field is quoted iff it contains
// the delimiter, a double quote, "\r" or "\n", or it is the only field of
// its record and empty (so the record is not a blank line, which readers
// skip). Inside quotes, quotes are doubled and all other bytes, line breaks
// included, are written as they are, so input cells come back
// byte-identical. Quoted TSV (Options.TSVQuoted) is the same with a tab as
// delimiter. Records end with Options.CSVLineEnding. No byte-order mark is
// written. Every value is text, whatever its table.Kind.
//
// # Plain TSV
//
// TSV is plain by default, as package readers reads it: tabs between
// fields, one record per line, nothing quoted. When the input is TSV
// (Options.Source.Format), its cells are written exactly as read, so
// plain TSV input comes back byte-identical; a cell plain TSV cannot hold
// (a tab or "\n", or a "\r" ending the record, which a reader takes for
// part of the line end) is refused with a *TSVCellError rather than
// altered. Every other value may hold anything, so it is escaped as
// PostgreSQL's text format and Miller's TSV do: a backslash as \\, a tab
// as \t, "\n" as \n and "\r" as \r (EscapeTSV; UnescapeTSV decodes). That
// is every added value (answers, error texts, the added names in the
// header), and the input cells as well when the input is in another
// format: a line break in a CSV cell or a workbook's cell can be written
// no other way, and refusing it would stop a run at the first such cell.
// Most values hold none of the four and are written as they are.
// NeutralizeFormulas applies before the escaping. A record of one empty field is an empty line, which readers
// skip; with added columns no record is one field.
//
// Cells starting with = + - @ are written as they are unless
// Options.NeutralizeFormulas is set; then an added value or added column
// name (never an input cell or input column name) that a spreadsheet
// would run as a formula gets a leading ', as OWASP advises against CSV
// injection. Only what enrich adds is touched
// because enrich never alters input cells, and because the risk the
// option answers is new: a model's answer, which hostile input text can
// steer, landing in a file someone opens in Excel.
//
// # table.JSON Lines
//
// One object per record, then "\n". When Row.Raw holds the input object,
// the added keys are spliced in before its closing brace and the object is
// otherwise byte-identical (whitespace around it is dropped); an added key
// that the object already has is an error. Otherwise the object is built
// from Header and Cells in header order, with all cells as strings: an
// empty header name becomes "column_N" (N 1-based), and a repeated name
// gets the first free suffix _2, _3 …. Added values are strings, or the
// table.JSON number, boolean or value itself when their table.Kind says so (a table.JSON
// value compacted onto its line). HTML characters are not escaped;
// invalid UTF-8 becomes U+FFFD, which table.JSON requires.
//
// # XLSX
//
// When the input is CSV, TSV or JSON Lines, the output is a new workbook
// with one sheet, "Sheet1", streamed straight into the zip by our own
// writer (no temporary file): a bold header row, then one row per record.
// Every text cell is an inline string, so "=1+1" or "007" stays text,
// never a formula or a number; empty cells are left out. An added
// table.Number value is a numeric cell holding the nearest float64 (as
// Excel stores any number; a JSON number beyond float64's range stays
// text), a table.Bool a boolean cell, and a table.JSON value text. The
// sheet has no <dimension>, which would have to precede rows not yet
// seen; Excel, LibreOffice and openpyxl read it without one.
//
// When the input is XLSX too, the output is the input workbook
// (Options.Source.Path) with the added columns filled in on
// Options.Source.Sheet, in one streaming pass over the package, whatever
// its size: every zip entry but that sheet's is copied as it is, its
// compressed bytes untouched, so other sheets, styles, themes, defined
// names, drawings, charts, comments, tables, pivot caches and custom XML
// are byte-identical; the sheet's XML is copied token by token, so its
// formulas, merges, number cells, data validation and conditional formats
// are too. What changes in the sheet:
//
//   - The names go in row Options.Source.HeaderRow, in the columns right
//     after the header (len(Header)+1, +2 …), styled like the last header
//     cell; each record's values go in row Row.Num. Values are inline
//     strings (text, never a formula), or numbers and booleans as for a
//     new workbook; empty values are left out. Inline strings, not shared
//     ones, because adding to the shared string table means rewriting it
//     after the last row, which means holding every answer until then;
//     Excel turns them into shared strings the next time it saves.
//   - <dimension> covers the cells the sheet uses and the added columns
//     (openpyxl's read-only mode, which pandas uses, shows only the
//     columns it names).
//   - <cols> gives the added columns the last header column's width, or
//     the default width when it has none of its own.
//   - A row that gets a value has its spans hint widened; an empty styled
//     cell already in an added column gives the value its style and is
//     replaced; a cell holding a value or a formula there is an error,
//     never overwritten.
//
// The writer reads the sheet once when it is made, before any request is
// paid for: its XML must be well formed with rows and cells in order, and
// a merged range that covers a cell of an added column at or below the
// header row is refused, naming the range and the cell. The workbook's
// content type follows OUTPUT's extension (.xlsx, .xlsm …), as Excel's
// Save As does. The sheets we write are deflated at level 2, five times
// faster than the default level for an entry about 15% larger.
//
// Excel limits are errors rather than silent truncation: a cell over
// 32,767 characters (UTF-16 units) fails Write with a *CellLimitError (the
// pipeline fits answers first, through CellLimiter; readers.LimitCells
// refuses such input cells in the first pass), and a new sheet takes at
// most 1,048,575 records. Characters XML cannot hold (control characters
// other than tab, "\n" and "\r", U+FFFE, U+FFFF) are written as _xHHHH_
// escapes, and "\r" as a character reference, so every string reads back
// exactly as it was written; text that itself looks like an escape has its
// underscore escaped (_x005F_).
//
// JoinXLSX puts together the workbook one run writes from the parts that
// shards of it wrote (enrich merge): the first part's zip entries copied
// as they are, but for the sheet, whose rows each come from the part that
// holds them. New-workbook parts hold only their rows, which are
// renumbered into place; in-place parts are each the whole workbook with
// only their rows answered, and a row is taken from the part that
// answered it. Both give the same bytes as one run.
//
// # Parquet
//
// Written with parquet-go, compressed with zstd (Options.Compression:
// "snappy" instead), in row groups of at most 100,000 rows or about 64 MB
// of text, whichever ends first (parquet-go's default is one row group
// for the whole file), to the temporary file that Close renames, as for
// every format. When the input is Parquet (Options.Source.Schema holds its
// schema, each Row.Native its values), the output keeps the input's
// schema field for field, in order, and writes every input value back as
// read: only the added columns are new. Otherwise each input column is an
// optional UTF8 string holding the cell as read ("" stays ""), named by
// its key (table.Keys: column_N for an empty name, name_2 for a repeat).
// Added columns are optional and typed by Options.Kinds: UTF8 for
// table.Text and table.JSON, INT64 for table.Integer, DOUBLE for
// table.Number, BOOLEAN for table.Bool; an empty value is NULL. A value
// its column's type cannot hold (an integer beyond INT64) fails Write with
// a *ValueError rather than being dropped.
//
// # SQLite, in place
//
// UpdateSQLite writes the added values back into the table the rows came
// from (Options.Source.Table, in the database Options.Source.Path), by
// rowid (Row.Num), with the pure-Go driver modernc.org/sqlite. There is
// no temporary file: the table itself is the output, so the writer's
// atomicity is per transaction, not per run.
//
//   - The first transaction adds the columns the table lacks (ALTER TABLE
//     … ADD COLUMN, typed TEXT, INTEGER, REAL, INTEGER 0/1 for booleans by
//     Options.Kinds), so a run that never commits leaves the table as it
//     was. Each transaction (BEGIN IMMEDIATE) writes at most
//     SQLiteUpdate.Batch rows (500) and stays open at most Every (1 s)
//     after its first row, a timer committing it when answers stop coming.
//   - Close commits the last transaction. Abort rolls back the open one:
//     what earlier transactions committed stays, exactly as after a crash
//     or kill -9, because each committed row is a whole, correct answer.
//     The journal (package journal) holds every answer paid for whether or
//     not its transaction committed, so nothing is asked twice.
//   - A written row's error column is "" (empty text, not NULL) when it was
//     answered, the error when it failed; NULL means not written yet. A
//     reader that skips rows whose error column is "" (readers.SQLiteOptions
//     .Pending) makes a rerun resume: failed and unwritten rows are done
//     again, answered ones are not. Other empty values are NULL.
//   - An added column the table already has is refused (*ColumnError with
//     Table set, wrapping ErrColumnExists), unless all of them are the
//     table's last columns in the same order, as an earlier run of the
//     same enrichment leaves them, or SQLiteUpdate.FillExisting says to
//     write into it.
//   - Table and column names are quoted as identifiers, never pasted into
//     SQL; values are bound parameters. The rowid is named rowid, or
//     _rowid_ or oid when a column takes that name.
//   - Locks: the connection waits up to 10 s for a lock (busy_timeout).
//     The journal mode is the database's own: in WAL mode readers never
//     wait; in the default rollback mode they wait only while a
//     transaction commits, since transactions are short. enrich does not
//     switch a database to WAL, a lasting property of the file that its
//     owner chooses.
//
// Create with table.SQLite fails with ErrSQLiteOutput: enrich writes into
// the table the rows came from, not new databases.
package writers
