package ooxml

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// appendChars decodes raw character data (entities when entities is set)
// onto dst, normalising "\r\n" and a lone "\r" to "\n" as XML requires,
// and checks that it is UTF-8 made of characters XML allows.
func appendChars(dst, raw []byte, entities bool, s *Scanner, at int64) ([]byte, error) {
	for len(raw) > 0 {
		// The common case: a run of plain ASCII.
		i := 0
		for i < len(raw) {
			c := raw[i]
			if c < 0x20 || c >= 0x80 || c == '&' {
				break
			}
			i++
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if len(raw) == 0 {
			break
		}
		switch c := raw[0]; {
		case c == '&' && entities:
			r, n, ok := entity(raw)
			if !ok {
				end := min(len(raw), 12)
				return dst, s.syntax(at, fmt.Sprintf("unknown or malformed entity %q", raw[:end]))
			}
			if !isXMLChar(r) {
				return dst, s.syntax(at, fmt.Sprintf("character reference to U+%04X, which XML does not allow", r))
			}
			dst = utf8.AppendRune(dst, r)
			raw = raw[n:]
		case c == '&':
			dst = append(dst, c)
			raw = raw[1:]
		case c == '\r':
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
		case c == '\t' || c == '\n':
			dst = append(dst, c)
			raw = raw[1:]
		case c < 0x20:
			return dst, s.syntax(at, fmt.Sprintf("control character U+%04X, which XML does not allow", c))
		default:
			r, n := utf8.DecodeRune(raw)
			if r == utf8.RuneError && n <= 1 {
				return dst, s.syntax(at, "invalid UTF-8")
			}
			if !isXMLChar(r) {
				return dst, s.syntax(at, fmt.Sprintf("character U+%04X, which XML does not allow", r))
			}
			dst = append(dst, raw[:n]...)
			raw = raw[n:]
		}
	}
	return dst, nil
}

// entity decodes the entity or character reference at the start of b.
func entity(b []byte) (r rune, n int, ok bool) {
	semi := bytes.IndexByte(b[:min(len(b), 12)], ';')
	if semi < 2 {
		return 0, 0, false
	}
	name := string(b[1:semi])
	switch name {
	case "amp":
		return '&', semi + 1, true
	case "lt":
		return '<', semi + 1, true
	case "gt":
		return '>', semi + 1, true
	case "quot":
		return '"', semi + 1, true
	case "apos":
		return '\'', semi + 1, true
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0, false
	}
	var v uint64
	var err error
	if name[1] == 'x' {
		v, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || v > utf8.MaxRune {
		return 0, 0, false
	}
	return rune(v), semi + 1, true
}

// isXMLChar reports whether XML 1.0 allows r in a document.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x09 || r == 0x0A || r == 0x0D:
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= utf8.MaxRune:
		return true
	}
	return false
}

// DecodeEscapes turns OOXML's _xHHHH_ escapes (ST_Xstring) back into the
// characters they stand for: the way a workbook stores what XML cannot
// hold, such as control characters. _x005F_ is an escaped underscore, so
// _x005F_x0001_ is the literal text _x0001_. A UTF-16 surrogate pair is
// two escapes in a row; a lone surrogate becomes U+FFFD.
func DecodeEscapes(b []byte) []byte {
	i := bytes.Index(b, []byte("_x"))
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i >= 0 {
		u, ok := escapeAt(b[i:])
		if !ok {
			out = append(out, b[:i+2]...)
			b = b[i+2:]
			i = bytes.Index(b, []byte("_x"))
			continue
		}
		out = append(out, b[:i]...)
		b = b[i+7:]
		r := rune(u)
		if utf16.IsSurrogate(r) {
			if lo, ok := escapeAt(b); ok && u < 0xDC00 && lo >= 0xDC00 && lo <= 0xDFFF {
				r = utf16.DecodeRune(r, rune(lo))
				b = b[7:]
			} else {
				r = utf8.RuneError
			}
		}
		out = utf8.AppendRune(out, r)
		i = bytes.Index(b, []byte("_x"))
	}
	return append(out, b...)
}

// escapeAt parses _xHHHH_ at the start of b.
func escapeAt(b []byte) (uint16, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return uint16(v), err == nil
}

// AppendEscaped appends s as element text for a SpreadsheetML string: XML
// escaped, carriage returns as character references (a raw one would
// read back as "\n"), characters XML cannot hold at all as _xHHHH_, and
// any text that would read as such an escape with its underscore escaped
// (_x005F_), so that every string reads back exactly as it was. Invalid
// UTF-8 becomes U+FFFD, the only thing it can become.
func AppendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '_' {
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x80 && s[j] != '&' && s[j] != '<' && s[j] != '>' && s[j] != '_' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		switch c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '\t', '\n':
			dst = append(dst, c)
		case '\r':
			dst = append(dst, "&#13;"...)
		case '_':
			if _, ok := escapeAt([]byte(s[i:min(len(s), i+7)])); ok {
				dst = append(dst, "_x005F_"...)
			} else {
				dst = append(dst, '_')
			}
		default:
			if c < 0x20 {
				dst = fmt.Appendf(dst, "_x%04X_", c)
				break
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				dst = append(dst, "\uFFFD"...)
			case !isXMLChar(r):
				dst = fmt.Appendf(dst, "_x%04X_", r)
			default:
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
	}
	return dst
}

// NeedsSpacePreserve reports whether text begins or ends with whitespace,
// which a <t> element keeps only with xml:space="preserve".
func NeedsSpacePreserve(s string) bool {
	if s == "" {
		return false
	}
	return isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1])
}
