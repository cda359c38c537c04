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
// Lines); an XLSX stream is never written on Abort.
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
// When the input is CSV, TSV or table.JSON Lines, the output is a new workbook
// with one sheet, "Sheet1", written with excelize's StreamWriter: a bold
// header row, then one row per record. Every text cell is an inline
// string, so "=1+1" or "007" stays text, never a formula or a number;
// empty cells are left out. An added table.Number value is a numeric cell
// holding the nearest float64 (as Excel stores any number; a table.JSON number
// beyond float64's range stays text), a table.Bool a boolean cell, and a table.JSON
// value text.
//
// When the input is XLSX too, the output is a copy of the input workbook
// (Options.Source.Path) with the added columns filled in on
// Options.Source.Sheet: the names in row Options.Source.HeaderRow, in the columns right after the header
// (len(Header)+1, +2 …), styled and sized like the last header cell, and
// each record's values in row Row.Num. Values are set as shared strings,
// or numbers and booleans as for a new workbook; empty values are left
// out; a cell that already holds something is an error, never
// overwritten. Everything else (other sheets, styles,
// formulas, merges, numbers) is kept as excelize keeps it. This edits the
// workbook in excelize's normal mode, which parses the whole sheet into
// memory when the writer is made and serialises it again on Close: a 7 MB
// workbook of 200,000 rows by 10 cells took 3.5 GB and 42 s, nearly all of
// it inside excelize. For large inputs write .csv or .jsonl instead.
//
// Excel limits are errors rather than excelize's silent truncation: a cell
// over 32,767 characters (UTF-16 units) fails Write with a *CellLimitError,
// and a new sheet takes at most 1,048,575 records. Characters XML cannot
// hold (control characters other than tab, "\n" and "\r") become U+FFFD.
// The workbook's content type follows OUTPUT's extension (.xlsx, .xlsm …),
// as with excelize's SaveAs.
package writers
