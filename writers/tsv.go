package writers

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/enrich-dev/enrich/table"
)

// ErrTSVCell: a cell of TSV input holds a tab or a line break, which plain
// TSV has no way to write, and cells of TSV input are written as read or
// not at all. It arrives as a *TSVCellError.
var ErrTSVCell = errors.New("plain TSV cannot hold a tab or line break in an input cell")

// TSVCellError is a cell of TSV input (Options.Source.Format is table.TSV)
// that plain TSV cannot hold. The readers' plain TSV has no such cells;
// quoted TSV does, and is written as quoted TSV (Options.TSVQuoted).
type TSVCellError struct {
	Where  string // the input row ("line 9", "row 9"), or "header"
	Column int    // the cell's 1-based column
	Name   string // the column's header cell
	What   string // "a tab", "a line break"
}

func (e *TSVCellError) Error() string {
	return fmt.Sprintf("%s, column %d (%q): the input cell holds %s, which plain TSV cannot hold; input cells are written as read",
		e.Where, e.Column, e.Name, e.What)
}

// Unwrap lets errors.Is find ErrTSVCell.
func (e *TSVCellError) Unwrap() error { return ErrTSVCell }

// plainTSV writes TSV without quoting, the TSV most tools read (IANA's
// text/tab-separated-values, PostgreSQL's and MySQL's text exports,
// Miller's TSV): fields are separated by tabs and records end with
// Options.CSVLineEnding, and no character is special otherwise.
//
// When the input is TSV (Options.Source.Format), its cells are already
// in the file's own TSV, whatever convention it follows for backslashes,
// and are written exactly as read, so plain TSV input comes back
// byte-identical; one that plain TSV cannot hold fails with a
// *TSVCellError. Every other value can hold anything, so it is escaped as
// PostgreSQL's text format and Miller do: a backslash becomes \\, a tab
// \t, "\n" \n and "\r" \r. That is every added value (answers, error
// texts, the added columns' names), and the input cells too when the
// input is in another format (CSV, JSON Lines, a workbook): the record is
// then one consistent escaped text, which PostgreSQL's COPY and
// mlr --tsv decode to the very cells. A value without those four
// characters is written as it is.
type plainTSV struct {
	d        *delimited // the buffer, line ending and sticky error
	header   []string
	o        Options
	rawInput bool // the input is TSV: its cells are written as read
}

func newPlainTSV(w io.Writer, o Options) (*plainTSV, error) {
	t := &plainTSV{
		d: &delimited{
			bw:         bufio.NewWriterSize(w, 64<<10),
			comma:      '\t',
			eol:        o.CSVLineEnding,
			n:          len(o.Header),
			neutralize: o.NeutralizeFormulas,
		},
		header:   o.Header,
		o:        o,
		rawInput: o.Source.Format == table.TSV,
	}
	if err := t.check("header", o.Header, len(o.Added) > 0); err != nil {
		return nil, err
	}
	// The input's names are the user's, never changed; added names are
	// neutralized as added values are: -c '=cmd|…' is no safer in the header.
	t.record(o.Header, o.Added, t.d.neutralize)
	return t, nil
}

func (t *plainTSV) encode(rec Record) error {
	cells := padded(rec.Row.Cells, t.d.n)
	if err := t.check(t.o.rowName(rec.Row.Num), cells, len(rec.Values) > 0); err != nil {
		return err
	}
	t.record(cells, rec.Values, t.d.neutralize)
	return t.d.err
}

// check finds a cell of TSV input that cannot be written as read: one
// with a tab or "\n", or a "\r" ending the record, which a reader takes
// for part of the line end.
func (t *plainTSV) check(where string, cells []string, more bool) error {
	if !t.rawInput {
		return nil
	}
	for i, s := range cells {
		what := ""
		switch {
		case strings.IndexByte(s, '\t') >= 0:
			what = "a tab"
		case strings.IndexByte(s, '\n') >= 0:
			what = "a line break"
		case !more && i == len(cells)-1 && strings.HasSuffix(s, "\r"):
			what = "a carriage return at the end of the record"
		default:
			continue
		}
		name := ""
		if i < len(t.header) {
			name = t.header[i]
		}
		return &TSVCellError{Where: where, Column: i + 1, Name: name, What: what}
	}
	return nil
}

func (t *plainTSV) record(cells, values []string, neutralize bool) {
	d := t.d
	for i, s := range cells {
		if i > 0 {
			d.writeByte('\t')
		}
		if !t.rawInput {
			s = EscapeTSV(s)
		}
		d.writeString(s)
	}
	for i, s := range values {
		if i > 0 || len(cells) > 0 {
			d.writeByte('\t')
		}
		if neutralize {
			s = neutralized(s)
		}
		d.writeString(EscapeTSV(s))
	}
	d.writeString(d.eol)
}

func (t *plainTSV) finish() error  { return t.d.finish() }
func (t *plainTSV) discard() error { return nil }

// tsvEscapes are the four characters an added value escapes in plain TSV.
var tsvEscapes = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

// EscapeTSV is how plain TSV output writes an added value: a backslash as
// \\, a tab as \t, "\n" as \n and "\r" as \r, as in PostgreSQL's text
// format. UnescapeTSV undoes it.
func EscapeTSV(s string) string {
	if !strings.ContainsAny(s, "\\\t\n\r") {
		return s
	}
	return tsvEscapes.Replace(s)
}

// UnescapeTSV decodes a value that EscapeTSV wrote. A backslash before
// any other character, or at the end, is kept as it is.
func UnescapeTSV(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '\\':
				c = '\\'
			case 't':
				c = '\t'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			default:
				b.WriteByte(c)
				continue
			}
			i++
		}
		b.WriteByte(c)
	}
	return b.String()
}
