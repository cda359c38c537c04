// Package writers writes enrich's output: every input row, in input order,
// with the values of the added columns after its own cells.
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
// # CSV and TSV
//
// The header row is Header then Added. A field is quoted iff it contains
// the delimiter, a double quote, "\r" or "\n", or it is the only field of
// its record and empty (so the record is not a blank line, which readers
// skip). Inside quotes, quotes are doubled and all other bytes, line breaks
// included, are written as they are, so input cells come back
// byte-identical. TSV is the same with a tab as delimiter. Records end with
// Options.CSVLineEnding. No byte-order mark is written. Every value is
// text, whatever its table.Kind.
//
// Cells starting with = + - @ are written as they are unless
// Options.NeutralizeFormulas is set; then an added value (never an input
// cell) that a spreadsheet would run as a formula gets a leading ', as
// OWASP advises against CSV injection. Only added values are touched
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
package writers
