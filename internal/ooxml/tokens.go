package ooxml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// The tokenizer's internals: filling the buffer, and reading text,
// markup, tags and attributes with the checks XML asks for.

// noEOF turns io.EOF inside an element into the syntax error it is.
func (s *Scanner) noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		s.err = s.syntax(s.base+int64(s.pos), "the document ends inside an element")
		return s.err
	}
	return err
}

func (s *Scanner) next() error {
	for {
		if s.pos == s.end {
			if err := s.fill(); err != nil {
				return err
			}
			if s.pos == s.end {
				return s.atEOF()
			}
		}
		s.start = s.base + int64(s.pos)
		if s.buf[s.pos] != '<' {
			if err := s.text(); err != nil {
				return err
			}
			if len(s.stack) == 0 && !isSpace(s.raw) {
				return s.syntax(s.start, "text outside the root element")
			}
			// Whitespace around the root is returned too (a caller that
			// copies the document keeps it), as are the declaration and
			// comments, as Other.
			return nil
		}
		return s.markup()
	}
}

func (s *Scanner) atEOF() error {
	if s.rerr != nil && !errors.Is(s.rerr, io.EOF) {
		return s.rerr
	}
	switch {
	case len(s.stack) > 0:
		return s.syntax(s.base+int64(s.end), fmt.Sprintf("the document ends inside element <%s> (is the part cut short?)", s.openName(len(s.stack)-1)))
	case !s.rooted:
		return s.syntax(s.base+int64(s.end), "no root element")
	}
	return io.EOF
}

func (s *Scanner) openName(i int) []byte {
	end := len(s.names)
	if i+1 < len(s.stack) {
		end = s.stack[i+1]
	}
	return s.names[s.stack[i]:end]
}

// fill reads more input, keeping the unread bytes. It grows the buffer
// only when a token does not fit, up to MaxToken.
func (s *Scanner) fill() error {
	if s.eof {
		return nil
	}
	if s.pos > 0 {
		s.baseLine += bytes.Count(s.buf[:s.pos], []byte{'\n'})
		n := copy(s.buf[:cap(s.buf)], s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.end, s.pos = n, 0
	}
	if s.end == cap(s.buf) {
		if s.end >= MaxToken {
			return s.syntax(s.base, fmt.Sprintf("one token is longer than %d MB", MaxToken>>20))
		}
		grown := make([]byte, s.end, 2*cap(s.buf))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	n, err := s.r.Read(s.buf[s.end:cap(s.buf)])
	s.end += n
	s.buf = s.buf[:s.end]
	if err != nil {
		s.eof, s.rerr = true, err
		if !errors.Is(err, io.EOF) {
			return err
		}
	}
	return nil
}

func (s *Scanner) syntax(off int64, msg string) error {
	line := s.baseLine + 1
	if rel := int(off - s.base); rel >= 0 && rel <= s.end {
		line += bytes.Count(s.buf[:rel], []byte{'\n'})
	}
	return &SyntaxError{Offset: off, Line: line, Msg: msg}
}

// more reads until buf[pos:] holds at least n bytes past pos or the input
// ends; it reports whether it does.
func (s *Scanner) more(n int) (bool, error) {
	for s.end-s.pos < n && !s.eof {
		if err := s.fill(); err != nil {
			return false, err
		}
	}
	return s.end-s.pos >= n, nil
}

func (s *Scanner) text() error {
	from := 0
	for {
		if i := bytes.IndexByte(s.buf[s.pos+from:s.end], '<'); i >= 0 {
			s.setToken(Text, from+i)
			return nil
		}
		from = s.end - s.pos
		if s.eof {
			s.setToken(Text, from)
			return nil
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
}

func (s *Scanner) setToken(k Kind, n int) {
	s.kind = k
	s.raw = s.buf[s.pos : s.pos+n]
	s.pos += n
	s.name, s.attrs = nil, nil
}

// until finds the end of a token that ends with term, searching from
// skip bytes past its start, and makes it current.
func (s *Scanner) until(k Kind, skip int, term string, what string) error {
	from := skip
	for {
		if i := bytes.Index(s.buf[s.pos+from:s.end], []byte(term)); i >= 0 {
			s.setToken(k, from+i+len(term))
			return nil
		}
		if s.eof {
			return s.syntax(s.start, "unterminated "+what)
		}
		from = max(skip, s.end-s.pos-len(term)+1)
		if err := s.fill(); err != nil {
			return err
		}
	}
}

func (s *Scanner) markup() error {
	if _, err := s.more(2); err != nil {
		return err
	}
	rest := s.buf[s.pos:s.end]
	switch {
	case len(rest) < 2:
		return s.syntax(s.start, "the document ends with '<'")
	case rest[1] == '?':
		return s.until(Other, 2, "?>", "processing instruction")
	case rest[1] == '!':
		if _, err := s.more(9); err != nil {
			return err
		}
		rest = s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			return s.until(Other, 4, "-->", "comment")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			if len(s.stack) == 0 {
				return s.syntax(s.start, "CDATA outside the root element")
			}
			return s.until(CData, 9, "]]>", "CDATA section")
		case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
			return s.syntax(s.start, "a DOCTYPE, which a workbook's parts may not have")
		}
		return s.syntax(s.start, "unknown markup after '<!'")
	case rest[1] == '/':
		return s.endTag()
	}
	return s.startTag()
}

// tagEnd finds the '>' closing a start tag, skipping quoted attribute
// values, which may hold '>'. It returns its index in buf[pos:] or -1
// when more input is needed.
func tagEnd(b []byte) int {
	var quote byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if j := bytes.IndexByte(b[i:], quote); j >= 0 {
				i += j
				quote = 0
			} else {
				return -1
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i
		case c == '<':
			return -2
		}
	}
	return -1
}

func (s *Scanner) startTag() error {
	var n int
	for {
		n = tagEnd(s.buf[s.pos:s.end])
		if n == -2 {
			return s.syntax(s.start, "'<' inside a tag")
		}
		if n >= 0 {
			break
		}
		if s.eof {
			return s.syntax(s.start, "unterminated start tag")
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
	tag := s.buf[s.pos : s.pos+n+1]
	kind := StartTag
	inner := tag[1:n]
	if n > 1 && tag[n-1] == '/' {
		kind = EmptyTag
		inner = tag[1 : n-1]
	}
	i := nameEnd(inner)
	if i == 0 {
		return s.syntax(s.start, "a tag without a name")
	}
	name, attrs := inner[:i], inner[i:]
	if err := checkAttrs(attrs); err != "" {
		return s.syntax(s.start, fmt.Sprintf("in <%s>: %s", name, err))
	}
	if len(s.stack) == 0 {
		if s.rooted {
			return s.syntax(s.start, fmt.Sprintf("a second root element <%s>", name))
		}
		s.rooted = true
	}
	s.setToken(kind, n+1)
	s.name, s.attrs = name, attrs
	if kind == StartTag {
		s.stack = append(s.stack, len(s.names))
		s.names = append(s.names, name...)
	}
	return nil
}

func (s *Scanner) endTag() error {
	var n int
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '>'); i >= 0 {
			n = i
			break
		}
		if s.eof {
			return s.syntax(s.start, "unterminated end tag")
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
	inner := s.buf[s.pos+2 : s.pos+n]
	name := bytes.TrimRight(inner, " \t\r\n")
	if len(s.stack) == 0 {
		return s.syntax(s.start, fmt.Sprintf("</%s> closes no element", name))
	}
	top := len(s.stack) - 1
	if open := s.openName(top); !bytes.Equal(open, name) {
		return s.syntax(s.start, fmt.Sprintf("</%s> where </%s> was expected", name, open))
	}
	s.setToken(EndTag, n+1)
	s.name = s.buf[s.pos-n-1+2 : s.pos-n-1+2+len(name)]
	s.names = s.names[:s.stack[top]]
	s.stack = s.stack[:top]
	return nil
}

// nameEnd is the length of the XML name at the start of b.
func nameEnd(b []byte) int {
	for i, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '=', '"', '\'', '/', '>', '<':
			return i
		}
	}
	return len(b)
}

// checkAttrs checks that b is a run of name="value" pairs.
func checkAttrs(b []byte) string {
	for {
		i := 0
		for i < len(b) && isSpaceByte(b[i]) {
			i++
		}
		if i == len(b) {
			return ""
		}
		if i == 0 {
			return "no space before an attribute"
		}
		b = b[i:]
		n := nameEnd(b)
		if n == 0 {
			return fmt.Sprintf("unexpected %q", b[0])
		}
		b = b[n:]
		for len(b) > 0 && isSpaceByte(b[0]) {
			b = b[1:]
		}
		if len(b) == 0 || b[0] != '=' {
			return "an attribute without a value"
		}
		b = b[1:]
		for len(b) > 0 && isSpaceByte(b[0]) {
			b = b[1:]
		}
		if len(b) == 0 || (b[0] != '"' && b[0] != '\'') {
			return "an unquoted attribute value"
		}
		j := bytes.IndexByte(b[1:], b[0])
		if j < 0 {
			return "an unterminated attribute value"
		}
		if bytes.IndexByte(b[1:1+j], '<') >= 0 {
			return "'<' in an attribute value"
		}
		b = b[j+2:]
	}
}

// findAttr finds attribute name in a tag's attribute section, returning
// its raw value and the value's offset within attrs.
func findAttr(attrs []byte, name string) ([]byte, int, bool) {
	b, off := attrs, 0
	for {
		i := 0
		for i < len(b) && isSpaceByte(b[i]) {
			i++
		}
		if i == len(b) {
			return nil, 0, false
		}
		b, off = b[i:], off+i
		n := nameEnd(b)
		key := b[:n]
		j := n
		for j < len(b) && b[j] != '"' && b[j] != '\'' {
			j++
		}
		if j == len(b) {
			return nil, 0, false
		}
		q := b[j]
		k := bytes.IndexByte(b[j+1:], q)
		if k < 0 {
			return nil, 0, false
		}
		if string(key) == name {
			return b[j+1 : j+1+k], off + j + 1, true
		}
		b, off = b[j+2+k:], off+j+2+k
	}
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

// SkipUnchecked advances past the end tag of the current element by
// searching for it, without checking the XML in between: for a caller
// that wants only what follows a large element, such as a sheet's merged
// ranges after its rows. A pass that reads the element checks it.
func (s *Scanner) SkipUnchecked() error {
	if s.err != nil || s.kind != StartTag {
		return s.err
	}
	closing := append([]byte("</"), s.name...)
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], closing); i >= 0 {
			j := s.pos + i + len(closing)
			k := j
			for k < s.end && isSpaceByte(s.buf[k]) {
				k++
			}
			if k < s.end && s.buf[k] == '>' {
				s.pos = j - len(closing)
				s.start = s.base + int64(s.pos)
				s.err = s.endTag()
				return s.err
			}
			if k < s.end {
				s.pos = j // a longer name that starts alike
				continue
			}
		} else {
			s.pos = max(s.pos, s.end-len(closing)-64)
		}
		if s.eof {
			s.err = s.syntax(s.base+int64(s.end), fmt.Sprintf("the document ends inside element <%s> (is the part cut short?)", closing[2:]))
			return s.err
		}
		if err := s.fill(); err != nil {
			s.err = err
			return err
		}
	}
}
