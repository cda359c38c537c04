package readers

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"unicode/utf8"
)

// Parser states within a record.
const (
	atFieldStart = iota
	inUnquoted
	inQuoted
	afterQuote // a quote inside a quoted field: it closes the field or starts ""
)

// readRecord parses the next record into c.buf and c.fields and returns the
// line it starts on, or io.EOF when only blank lines remain.
//
// A record ends at "\n", "\r\n" or a bare "\r" outside quotes. Ending at
// either byte, and skipping empty lines between records, gives "\r\n" its
// usual meaning without looking ahead across reads.
func (c *CSV) readRecord() (int, error) {
	c.buf = c.buf[:0]
	c.fields = c.fields[:0]
	state := atFieldStart
	inRecord := false
	startLine := 0
	var fLine, fCol int // where the current field starts
	quoted := false
	endField := func() {
		c.fields = append(c.fields, field{end: len(c.buf), line: fLine, col: fCol, quoted: quoted})
	}
	for {
		if len(c.chunk) == 0 {
			if c.eof {
				break
			}
			if err := c.fill(); err != nil {
				return 0, err
			}
			continue
		}
		chunk := c.chunk
		i := 0
		for i < len(chunk) {
			b := chunk[i]
			switch state {
			case atFieldStart:
				if !inRecord {
					if b == '\n' || b == '\r' { // blank line: not a record
						c.newline(b)
						i++
						continue
					}
					inRecord = true
					startLine = c.line
				}
				fLine, fCol, quoted = c.line, c.col, false
				switch b {
				case c.comma:
					endField()
					c.prevCR = false
					c.col++
					i++
				case '\n', '\r':
					endField()
					c.newline(b)
					c.chunk = chunk[i+1:]
					return startLine, c.checkUTF8()
				case '"':
					quoted = true
					state = inQuoted
					c.prevCR = false
					c.col++
					i++
				default:
					state = inUnquoted
				}
			case inUnquoted:
				// A quote here is kept as data, as Excel and Python's csv
				// module do: "5" tall" is a common hand-made field.
				j := i + fieldEnd(chunk[i:], c.comma)
				c.buf = append(c.buf, chunk[i:j]...)
				c.col += charCount(chunk[i:j])
				c.prevCR, i = false, j
				if j == len(chunk) {
					continue
				}
				endField()
				state = atFieldStart
				if x := chunk[j]; x == c.comma {
					c.col++
					i++
					continue
				}
				c.newline(chunk[j])
				c.chunk = chunk[j+1:]
				return startLine, c.checkUTF8()
			case inQuoted:
				j := len(chunk)
				if k := bytes.IndexByte(chunk[i:], '"'); k >= 0 {
					j = i + k
				}
				c.advance(chunk[i:j])
				c.buf = append(c.buf, chunk[i:j]...)
				i = j
				if j < len(chunk) {
					state = afterQuote
					c.prevCR = false
					c.col++
					i++
				}
			case afterQuote:
				switch b {
				case '"':
					c.buf = append(c.buf, '"')
					state = inQuoted
					c.col++
					i++
				case c.comma:
					endField()
					state = atFieldStart
					c.col++
					i++
				case '\n', '\r':
					endField()
					c.newline(b)
					c.chunk = chunk[i+1:]
					return startLine, c.checkUTF8()
				default:
					c.chunk = nil
					return 0, c.parseError(c.line, c.col, detailf(ErrQuote,
						`text after the closing " of a quoted field; write a " inside a quoted field as ""`))
				}
			}
		}
		c.chunk = nil
	}
	switch {
	case !inRecord:
		return 0, io.EOF
	case state == inQuoted:
		return 0, c.parseError(fLine, fCol, detailf(ErrQuote,
			`quoted field starting here has no closing "; close it, and write any " inside it as ""`))
	case state == atFieldStart: // the record ended with a delimiter
		fLine, fCol, quoted = c.line, c.col, false
	}
	endField() // the last record need not end with a line break
	return startLine, c.checkUTF8()
}

// The scanning below runs over every byte of the input, so it leans on
// bytes.IndexByte, which is vectorised, and counts characters eight bytes
// at a time: on fields of a few KB this reads 380 MB/s where a
// byte-at-a-time loop read 210. Every search is bounded by the field it is
// in, so a line of many fields is still scanned once.

// fieldEnd returns the length of the unquoted field at the start of b: up
// to the first delimiter, '\r' or '\n', or all of b.
func fieldEnd(b []byte, comma byte) int {
	if k := bytes.IndexByte(b, comma); k >= 0 {
		b = b[:k]
	}
	if k := bytes.IndexByte(b, '\r'); k >= 0 {
		b = b[:k]
	}
	if k := bytes.IndexByte(b, '\n'); k >= 0 {
		b = b[:k]
	}
	return len(b)
}

// advance moves the position past text inside a quoted field, where line
// breaks are data but still start new lines.
func (c *CSV) advance(text []byte) {
	for len(text) > 0 {
		k := lineBreak(text)
		if k < 0 {
			k = len(text)
		}
		if k > 0 {
			c.col += charCount(text[:k])
			c.prevCR = false
		}
		if k == len(text) {
			return
		}
		c.newline(text[k])
		text = text[k+1:]
	}
}

// lineBreak returns the index of the first '\r' or '\n' in b, or -1. The
// search for '\n' runs to the end of b only when b has no '\r'; that stays
// linear because b is part of one chunk from bufio.Reader.ReadSlice('\n'),
// which holds at most one '\n', at its end.
func lineBreak(b []byte) int {
	if r := bytes.IndexByte(b, '\r'); r >= 0 {
		if n := bytes.IndexByte(b[:r], '\n'); n >= 0 {
			return n
		}
		return r
	}
	return bytes.IndexByte(b, '\n')
}

// charCount returns the number of characters in b as the position counts
// them: every byte that is not a UTF-8 continuation byte (10xxxxxx), so an
// invalid byte counts as one.
func charCount(b []byte) int {
	n := len(b)
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		// Bit 7 of each byte of w &^ (w << 1) is set when that byte's
		// bit 7 is set and its bit 6 is clear.
		n -= bits.OnesCount64(w &^ (w << 1) & 0x8080808080808080)
		b = b[8:]
	}
	for _, x := range b {
		if x&0xC0 == 0x80 {
			n--
		}
	}
	return n
}

// checkUTF8 validates the whole record at once, which is cheap, and only
// when that fails walks the offending field again to say where.
func (c *CSV) checkUTF8() error {
	if utf8.Valid(c.buf) {
		return nil
	}
	start := 0
	for _, f := range c.fields {
		text := c.buf[start:f.end]
		start = f.end
		if utf8.Valid(text) {
			continue
		}
		line, col, prevCR := f.line, f.col, false
		if f.quoted {
			col++
		}
		for len(text) > 0 {
			r, size := utf8.DecodeRune(text)
			if r == utf8.RuneError && size == 1 {
				return c.parseError(line, col, detailf(ErrUTF8,
					"invalid UTF-8 (byte 0x%02x): the file may use a legacy encoding such as Windows-1252; save it as UTF-8", text[0]))
			}
			switch {
			case r == '\n' && prevCR:
			case r == '\n' || r == '\r':
				line, col = line+1, 1
			case r == '"' && f.quoted:
				col += 2 // written as "" in the input
			default:
				col++
			}
			prevCR = r == '\r'
			text = text[size:]
		}
	}
	return nil
}
