package writers

import (
	"bufio"
	"io"
	"strings"
)

// delimited writes CSV (comma) and TSV (tab) by hand rather than with
// encoding/csv, whose Writer
//   - writes a lone empty field in a one-column record as an empty line,
//     which csv.Reader skips, so the row is lost on the way back;
//   - with UseCRLF, turns "\n" inside quoted fields into "\r\n" and drops a
//     lone "\r", so cells are not written byte-identical;
//   - quotes fields that start with a space, which RFC 4180 does not need.
//
// A field is quoted iff it contains the delimiter, a double quote, "\r" or
// "\n", or it is the only field of its record and empty. Inside quotes a
// double quote is doubled and every other byte, line breaks included, is
// written as it is. Leading and trailing spaces are left unquoted: they are
// part of the field in RFC 4180, and quoting them would not stop a reader
// that trims from trimming.
//
// Every value is text; Record.Kinds changes nothing here.
type delimited struct {
	bw         *bufio.Writer
	comma      byte
	eol        string
	n          int
	neutralize bool // Options.NeutralizeFormulas
	err        error
}

func newDelimited(w io.Writer, comma byte, o Options) *delimited {
	d := &delimited{
		bw:         bufio.NewWriterSize(w, 64<<10),
		comma:      comma,
		eol:        o.CSVLineEnding,
		n:          len(o.Header),
		neutralize: o.NeutralizeFormulas,
	}
	// The added column names go where the added values go, so they are
	// neutralized as those are: -c '=cmd|…' is no safer in the header.
	d.record(o.Header, o.Added)
	return d
}

func (d *delimited) encode(rec Record) error {
	d.record(padded(rec.Row.Cells, d.n), rec.Values)
	return d.err
}

// record writes the fields of cells then values as one record.
func (d *delimited) record(cells, values []string) {
	only := len(cells)+len(values) == 1
	for i, s := range cells {
		if i > 0 {
			d.writeByte(d.comma)
		}
		d.field(s, only)
	}
	for i, s := range values {
		if i > 0 || len(cells) > 0 {
			d.writeByte(d.comma)
		}
		if d.neutralize {
			s = neutralized(s)
		}
		d.field(s, only)
	}
	d.writeString(d.eol)
}

func (d *delimited) field(s string, only bool) {
	if !d.needsQuotes(s, only) {
		d.writeString(s)
		return
	}
	d.writeByte('"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		d.writeString(s[:i+1])
		d.writeByte('"')
		s = s[i+1:]
	}
	d.writeString(s)
	d.writeByte('"')
}

// neutralized returns s with a leading ' when a spreadsheet would take it
// for a formula: when it starts with = + - @, a tab or a carriage return
// (the list in OWASP's "CSV Injection"), unless it is a plain number
// such as -3 or +1.5, which Excel reads as that number and nothing more.
func neutralized(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
	case '-':
		if isJSONNumber(s) {
			return s
		}
	case '+':
		if len(s) > 1 && s[1] != '-' && isJSONNumber(s[1:]) {
			return s
		}
	default:
		return s
	}
	return "'" + s
}

func (d *delimited) needsQuotes(s string, only bool) bool {
	if s == "" {
		return only
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case d.comma, '"', '\r', '\n':
			return true
		}
	}
	return false
}

// writeByte and writeString keep the first error; bufio.Writer's own
// errors also stick, so later writes are no-ops that return it.
func (d *delimited) writeByte(c byte) {
	if err := d.bw.WriteByte(c); err != nil && d.err == nil {
		d.err = err
	}
}

func (d *delimited) writeString(s string) {
	if _, err := d.bw.WriteString(s); err != nil && d.err == nil {
		d.err = err
	}
}

func (d *delimited) finish() error {
	if d.err != nil {
		return d.err
	}
	d.err = d.bw.Flush()
	return d.err
}

func (d *delimited) discard() error { return nil }
