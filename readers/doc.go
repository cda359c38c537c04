// Package readers turns an input file into a header and a pull iterator of
// rows: CSV, TSV, JSON Lines and XLSX, one file per format, chosen by Open
// from the file's extension or an explicit Format.
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
// # CSV and TSV
//
// The format is RFC 4180 with the relaxations real files need, parsed by
// hand (see CSV for why not encoding/csv):
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
//     legacy encodings.
//   - The delimiter is one ASCII character: ',' for CSV, '\t' for TSV.
//   - Row.Num is the line on which the record starts; ParseError.Column
//     counts characters, from 1.
//
// A header-only input has no rows (the first Next returns io.EOF); an input
// with no header at all is an error (ErrEmpty).
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
// sheet's XML (internal/ooxml's tokenizer): memory holds the shared
// strings and one row, never the sheet, so a sheet of 1,048,576 rows reads
// like one of ten. The sheet is the named one, matched exactly or else
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
// # Errors
//
// Bad input comes back as a *ParseError carrying file, line (or sheet and
// cell) and a sentinel that errors.Is recognises: ErrQuote, ErrFieldCount,
// ErrUTF8, ErrJSON, ErrNotObject, ErrNewKey, ErrBeyondHeader, ErrRowOrder,
// ErrSharedString, ErrNoHeader, ErrCellTooLong. Errors are
// final: once Next has failed it keeps returning the same error.
//
// Messages state facts and never name a command's flags: Open's
// *SheetFormatError says the format the input is read as, and
// table.FormatError the extension it could not place, so that a CLI can
// add its own advice.
package readers
