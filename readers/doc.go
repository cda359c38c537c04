// Package readers turns an input file into a header and a pull iterator of
// rows: CSV, TSV, JSON Lines, XLSX, Parquet and a SQLite table or query,
// one file per format, chosen by Open from the file's extension or an
// explicit Format, or sniffed from standard input (see below).
//
// It does not write output (package writers), name or validate columns for
// prompts (package templates; empty and repeated header names are passed on
// as they are), or decide what a failed row means (package pipeline). It
// never prints; every error is returned, located where the input allows.
//
// # Rows
//
// A Reader's Header is known once it is constructed; Next returns rows until
// io.EOF. Each Row owns its Cells slice, because the pipeline holds many
// rows at once. Cells are exactly as read: no trimming, no newline or
// encoding conversion. Rows shorter than the header are padded with "",
// the way a spreadsheet shows missing trailing cells; rows longer than it
// are an error, because the extra values have no column name and would be
// dropped without anyone noticing. Next checks its context once per call.
//
// # CSV and quoted TSV
//
// The format is RFC 4180 with the relaxations real files need, parsed by
// hand (see CSV for why not encoding/csv). TSV is read this way only when
// Options.TSVQuoted asks (NewCSV with a tab); by default it is plain TSV,
// below.
//
//   - A record ends at "\n", "\r\n", or a bare "\r" as old Mac files have.
//     Inside quotes every byte is data, "\r\n" included.
//   - A UTF-8 byte order mark at the start is skipped.
//   - Empty lines between records are skipped, as encoding/csv does; a
//     record that must hold one empty field is written "".
//   - In a quoted field "" is a quote. After the closing quote only the
//     delimiter or a line end may follow (ErrQuote). A quote inside an
//     unquoted field is kept as data, as Excel and Python's csv do, so
//     5" tall reads as typed. A quoted field still open at the end of the
//     input is an error located at its opening quote.
//   - Spaces around fields are data.
//   - Bytes that are not UTF-8 are an error (ErrUTF8); readers do not guess
//     legacy encodings. Nor UTF-16, which without a byte order mark is
//     valid UTF-8 full of NULs: a UTF-16 byte order mark, or a NUL byte in
//     the first kilobyte (of what the first read brings, for a pipe), is
//     ErrUTF16, for JSON Lines too.
//   - The delimiter is one ASCII character: ',' for CSV, '\t' for TSV.
//   - Row.Num is the line on which the record starts; ParseError.Column
//     counts characters, from 1.
//
// A header-only input has no rows (the first Next returns io.EOF); an input
// with no header at all is an error (ErrEmpty).
//
// # Plain TSV
//
// A .tsv file is read as most TSV is written (IANA's
// text/tab-separated-values, PostgreSQL and MySQL text exports,
// bioinformatics files): one record per line, fields separated by tabs,
// and no quoting, so a " is an ordinary character and "AGENT" K reads as
// typed. Cells are the bytes between tabs, exactly; backslash sequences
// are not decoded either, since no single convention holds (\N is NULL to
// PostgreSQL and two characters to everyone else). A line ends at "\n",
// with a "\r" before it part of the line end; any other "\r" is data. A
// BOM, empty lines, short rows, long rows (ErrFieldCount, wrapped with
// ErrPlainTSV so that a caller can suggest quoted TSV) and invalid UTF-8
// are treated as for CSV. Quoted TSV is not detected: a field that starts
// with a quote is as likely plain data ("AGENT" K is one), so a guess
// would misread one kind or the other, possibly only at line 13,512.
//
// # Compressed input
//
// A path ending in .gz or .zst (in.csv.gz, in.jsonl.zst; also .gzip and
// .zstd) is decompressed while it is read, with compress/gzip (several
// concatenated members read as one, as gunzip does) or
// klauspost/compress's zstd (a frame's window limited to 128 MiB, the
// zstd command's default). The format comes from the name without the
// compression extension. A file that starts with gzip's or zstd's magic
// number is decompressed whatever its name, since no text starts so. The
// reader rewinds it like any file: Rewind seeks the file back and starts
// the decompressor anew. Damaged or truncated data is a read error
// wrapping ErrCorrupt. A compressed workbook (book.xlsx.gz) is refused
// with table.ErrCompressedWorkbook: an .xlsx is a zip archive already.
//
// # Standard input
//
// Standard input is decompressed when it starts with gzip's or zstd's
// magic number, which no UTF-8 text can start with. Without a Format its
// format is sniffed: JSON Lines when the first byte other than a BOM and
// white space is '{'; TSV when the first non-blank line holds a tab and
// no more commas than tabs (names that mention commas are common in a TSV
// header, tabs in a CSV header are not); CSV otherwise, and when that
// line does not end within 64 KiB. Sniffing reads only as far as it must,
// one read at a time, so a slow pipe is waited on for one line at most,
// and it loses nothing: a pipe is read on through the buffer that was
// looked at, and a file redirected to standard input is sought back, so
// it stays seekable (JSON Lines still reads all its keys; it rewinds).
//
// # JSON Lines
//
// One JSON object per line; blank lines are skipped, a leading byte order
// mark is ignored, and "\r\n" line ends are fine. The columns are the keys
// of all objects in first-seen order, so a key that appears late still
// reaches the prompt: a seekable input (a regular file, even as standard
// input) is read once for its keys and then again for its rows. Input that
// cannot seek (a pipe) takes its columns from the first object, and a later
// new key is an error unless JSONLOptions.KeepNewKeys is set.
//
// Text is never altered: a line with bytes that are not UTF-8 is ErrUTF8,
// and one with a \u escape for half a surrogate pair ("\ud800" alone),
// which encoding/json would turn into U+FFFD, is ErrSurrogate, located at
// the escape.
//
// A string cell is the string's text; null and missing keys are ""; numbers,
// booleans, objects and arrays are their JSON text, numbers spelled as in the
// input (1.50 stays 1.50) and objects and arrays compacted. When a key is
// repeated in one object the last value wins, as with encoding/json.
// Row.Raw is the line itself, without its line end, for writers that extend
// the object rather than rebuild it.
//
// # XLSX
//
// One worksheet is read, streaming, by a reader of our own over the
// sheet's XML (internal/ooxml's tokenizer): memory holds one row, never
// the sheet, and the shared strings only while they are small (past 4 MB
// they move to a temporary file, removed at once, read back through a
// small cache), so a sheet of 1,048,576 rows reads like one of ten. The sheet is the named one, matched exactly or else
// ignoring case, or the first worksheet in workbook order. The header is
// the first row with any text, since sheets often begin lower down, or
// XLSXOptions.HeaderRow; FirstRow and LastRow bound the data rows, so a
// totals row below the table need not reach a model (nothing stops at a
// blank row on its own: blank rows inside a table are spacing, and
// dropping every row after one would lose data without a word). HeaderRow
// and Sheet say where the header is, for writers that add a column in
// place. The width is the header's length, widened to the sheet's
// recorded dimension (its used range, as the file states it) when that is
// at most twice the header plus 16 columns: further than that, the
// dimension of a broken or hostile file (A1:XFD1048576) would make every
// row 16,384 cells, so the header is trusted instead. Blank rows after the
// header are skipped. Row.Num is the worksheet row number. A value or
// formula to the right of the width is an error (ErrBeyondHeader) rather
// than something an in-place writer would overwrite.
//
// Cells are the text a user sees:
//
//   - Numbers are shown through their cell style's number format, as
//     Excel does: sections for positive, negative and zero (so
//     0;-0;"zero" shows zero, and the accounting format 43 shows "-"),
//     conditions ([<=9999999]), grouping, scaling commas, percent,
//     scientific, fractions, literal and escaped text, [$€-407] currency
//     symbols, and dates and times. Rounding is Excel's: of the value's 15
//     significant digits, half away from zero, so 10199.835 shows .84.
//     The spaces that _ padding and ? placeholders leave at either end are
//     trimmed (they align a column on screen); * fills show nothing;
//     colours mean nothing in text. General is the number as stored, or 15
//     significant digits when it has more.
//   - Built-in format 14, the viewer's locale's short date, is shown as
//     ISO 8601 (2015-01-01), and 22 as "2015-01-01 13:45": no locale is
//     more right than another, and ISO cannot be misread. Other dates use
//     English month and day names.
//   - Workbooks using the 1904 date system show their real dates.
//   - A formula saved without a cached result reads as "", as in openpyxl;
//     nothing recalculates it.
//   - Cells covered by a merge are "": the value lives in the top-left
//     cell. Finding the merges, which the file lists after the rows, costs
//     one unchecked pass over the sheet when it is opened.
//   - _xHHHH_ escapes, OOXML's way of storing characters XML cannot hold,
//     are decoded; rich text is its runs' text, without phonetic guides.
//
// What a damaged or hostile workbook gets, before any row is returned
// where the first pass can see it:
//
//   - XML that is not well formed, a part cut short, or a zip checksum that
//     fails is a *ParseError naming the sheet and row (and the byte and
//     line in the part), never a short read that looks like a clean end.
//   - Rows out of order or repeated, and cells out of column order, are
//     ErrRowOrder: Excel never writes them, and which of two rows 7 is
//     right cannot be known.
//   - A cell pointing past the shared-string table is ErrSharedString.
//   - A part that inflates beyond internal/ooxml's limits is ErrTooLarge:
//     more than 200 times its compressed size once past 64 MB, or 16 GB
//     in all. Real parts inflate 5 to 15 times (a sheet of styled empty
//     cells 12, unique shared strings 13); 200 and more takes one thing
//     repeated, which is what bombs are made of (deflate reaches 1,032).
//     Memory does not depend on the limits, since everything large is
//     streamed; they bound the time a hostile file can take. A DOCTYPE is
//     refused (packages may not have one), which rules out entity
//     expansion.
//   - Shared strings are held in 1 MB pages plus 4 bytes a string: a
//     workbook of ten million empty strings costs 40 MB, not a string
//     header each. Nothing is written to temporary files.
//
// A file that is not a workbook (renamed text, truncated, password
// protected, a legacy .xls) is reported as ErrNotWorkbook, saying which of
// these it looks like and what to do about it. Renamed text also wraps
// ErrHoldsText, since how to read it as CSV or TSV instead is the
// caller's to say (the CLI names its flag).
//
// LimitCells checks every cell of any reader against a length, for
// output that cannot hold longer ones (an Excel cell holds 32,767
// characters): the first pass then refuses the cell, named, before any
// request, instead of the writer after all of them (ErrCellTooLong).
//
// # Parquet
//
// Read with parquet-go (github.com/parquet-go/parquet-go), not Arrow's
// Go module: both are pure Go, but measured on a 200k-row write and read
// parquet-go peaked at 26 MB and added 12.8 MB to the binary, arrow-go's
// pqarrow 86 MB and 36 MB, and enrich needs rows, not columnar batches.
// The file is read row group by row group, 256 rows at a time, so memory
// follows the batch and the pages being decoded, never the file's size.
// Parquet keeps its footer at the end, so standard input is first copied
// to a temporary file, which Close removes.
//
// The columns are the file's top-level fields in schema order; Row.Num is
// the row's 1-based position in the file. A cell is the value's text as
// a user expects it in a prompt, from the column's logical type (else its
// legacy converted type, else its physical type):
//
//   - NULL, and a NULL struct, list or map: "".
//   - BOOLEAN: true, false.
//   - INT8 … INT64, UINT8 … UINT64: decimal digits ("-64",
//     "18446744073709551615").
//   - DECIMAL(p,s): plain notation with exactly s decimals, whatever the
//     physical type (DECIMAL(10,2) 12.5 is "12.50", -0.05 stays "-0.05").
//   - FLOAT, DOUBLE, FLOAT16: the shortest text that reads back as the
//     same value, plain from 1e-6 to 1e21 ("0.1", "1.5") and with an
//     exponent outside that ("1e+300"); NaN, Infinity, -Infinity.
//   - STRING (UTF8), ENUM, JSON: the text as stored.
//   - BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY without a logical type, and
//     BSON: the bytes as text when they are UTF-8 (many writers store
//     strings so), else standard base64.
//   - DATE: 2024-02-29.
//   - TIMESTAMP, any unit: ISO 8601 with as many fraction digits as the
//     value needs (2024-02-29T13:45:00.5). isAdjustedToUTC=true is an
//     instant, shown in UTC with a Z (2024-02-29T13:45:00Z);
//     isAdjustedToUTC=false is a wall-clock time with no zone, shown as
//     written, without an offset. The legacy TIMESTAMP_MILLIS/MICROS
//     converted types and INT96 (Spark, Impala) are instants in UTC.
//   - TIME: 13:45:00.25, with a Z when adjusted to UTC.
//   - UUID: 123e4567-e89b-12d3-a456-426614174000.
//   - INTERVAL (legacy): an ISO 8601 duration, P1Y2M3DT4H5M6.5S.
//   - LIST, repeated fields, STRUCT (a group) and MAP: compact JSON, as
//     [1,2,null], {"a":1,"b":"x"} and {"k1":1} (map keys as their text).
//     Inside it numbers, decimals and booleans are JSON numbers and
//     booleans, a JSON column's value is embedded as JSON, and every
//     other type is a string of its text as above.
//
// VARIANT, GEOMETRY and GEOGRAPHY columns, and a type stored in a physical
// type the specification does not allow for it, are ErrUnsupportedType
// when the file is opened, before any row is read. A file that is not
// Parquet, truncated, encrypted or with an unreadable footer is
// ErrNotParquet. Both arrive as a *ParquetError naming the file, and the
// column or the row group and row. Every row also carries its values as
// parquet-go read them (Row.Native), and Source the file's schema, for a
// Parquet writer that keeps them exactly.
//
// # SQLite
//
// A table (SQLiteOptions.Table, matched exactly or else ignoring case) or
// a query's result (SQLiteOptions.Query, any SELECT) from a database
// opened read-only with the pure-Go driver modernc.org/sqlite. The columns
// are the table's, generated ones included, or the query's result columns.
// Rows with a rowid are read in pages of 1,000 ordered by rowid, each page
// its own short read transaction starting after the last rowid read, so
// the reader holds no lock between pages and a writer (enrich writing
// answers back, datasette, the sqlite3 shell) commits in between, in
// either journal mode; Row.Num is the rowid and Source.Table the table.
// A query's rows carry the table's rowids when it selects a column named
// rowid, oid or _rowid_, or the table's INTEGER PRIMARY KEY; they come in
// rowid order whatever its ORDER BY. A view, a WITHOUT ROWID table or a
// query without rowids is read by one statement, numbered 1, 2, 3, and
// cannot be written back (ErrNoRowid when SQLiteOptions.NeedKey asks).
//
// Cells: NULL is "", INTEGER its digits, REAL the shortest text that reads
// back as the same double (as for Parquet), TEXT as stored (invalid UTF-8
// is ErrUTF8, located by table, rowid and column), a BLOB its text when it
// is UTF-8, else standard base64. Names from the user are quoted as
// identifiers, never pasted into SQL. A file that is not a database is
// ErrNotDatabase; a table that does not exist is ErrNoTable, listing the
// tables there are.
//
// # Errors
//
// Bad input comes back as a *ParseError carrying file, line (or sheet and
// cell) and a sentinel that errors.Is recognises: ErrQuote, ErrFieldCount,
// ErrUTF8, ErrJSON, ErrNotObject, ErrNewKey, ErrBeyondHeader, ErrRowOrder,
// ErrSharedString, ErrNoHeader, ErrCellTooLong. Errors are
// final: once Next has failed it keeps returning the same error.
// Compressed input that cannot be decompressed wraps ErrCorrupt.
//
// Messages state facts and never name a command's flags: Open's
// *SheetFormatError says the format the input is read as, and
// table.FormatError the extension it could not place, so that a CLI can
// add its own advice.
package readers
