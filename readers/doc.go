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
// One worksheet is read, streaming: the named one, matched exactly or else
// ignoring case, or the first in workbook order. The header is the first
// row with any text, since sheets often begin lower down; HeaderRow and
// Sheet say where it is, for writers that add a column in place. The width
// is the header's length, widened to the sheet's recorded dimension (its
// used range, as the file states it) when that is at most twice the header
// plus 16 columns: further than that, the dimension of a broken or hostile
// file (A1:XFD1048576) would make every row 16,384 cells, so the header is
// trusted instead. Blank rows after the header are spacing, not records,
// and are skipped.
// Row.Num is the worksheet row number. A value or formula to the right of
// the width is an error (ErrBeyondHeader) rather than something an
// in-place writer would overwrite.
//
// Cells are the text a user sees, as formatted by excelize, with these
// decisions and corrections:
//
//   - Built-in format 14, the viewer's locale's short date, is shown as
//     ISO 8601 (2015-01-01), and 22 as "2015-01-01 13:45": no locale is
//     more right than another, and ISO cannot be misread.
//   - Workbooks using the 1904 date system show their real dates.
//   - A formula saved without a cached result reads as "", as in openpyxl;
//     nothing recalculates it.
//   - Cells covered by a merge are "": the value lives in the top-left cell.
//   - excelize v2.11.0 misgroups percentages with a thousands separator and
//     no decimals (137% shows as "1,37%"); the reader repairs them.
//   - Known and left alone: excelize rounds the binary value, so 10199.835
//     shown with two decimals may read .83 where Excel shows .84, and it
//     keeps a zero in an optional digit (0.300% for #,##0.00#%).
//
// A file that is not a workbook (renamed text, truncated, password
// protected, a legacy .xls) is reported as ErrNotWorkbook, saying which of
// these it looks like and what to do about it; a panic inside excelize is
// recovered and reported the same way. Renamed text also wraps
// ErrHoldsText, since how to read it as CSV or TSV instead is the
// caller's to say (the CLI names its flag).
//
// # Errors
//
// Bad input comes back as a *ParseError carrying file, line (or sheet and
// cell) and a sentinel that errors.Is recognises: ErrQuote, ErrFieldCount,
// ErrUTF8, ErrJSON, ErrNotObject, ErrNewKey, ErrBeyondHeader. Errors are
// final: once Next has failed it keeps returning the same error.
//
// Messages state facts and never name a command's flags: Open's
// *SheetFormatError says the format the input is read as, and
// table.FormatError the extension it could not place, so that a CLI can
// add its own advice.
package readers
