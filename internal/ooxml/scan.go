package ooxml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Kind is the kind of an XML token.
type Kind uint8

// The tokens a Scanner returns. Comments, processing instructions and the
// XML declaration are Other; a caller that copies the document writes
// their Raw bytes like any other token's.
const (
	StartTag Kind = iota + 1 // <a x="1">
	EmptyTag                 // <a x="1"/>
	EndTag                   // </a>
	Text                     // character data, entities not yet decoded
	CData                    // <![CDATA[ … ]]>
	Other                    // <?…?>, <!-- … -->
)

// MaxToken bounds one token (a tag, or a run of text between tags). No
// workbook written by a spreadsheet comes near it: Excel's longest cell,
// 32,767 characters escaped, is under 700 KB. Without a bound, a part
// holding one huge text node would have to be held whole.
const MaxToken = 32 << 20

// chunk is how much a Scanner reads at a time.
const chunk = 64 << 10

// SyntaxError is malformed XML, located by byte offset and line in the
// part's inflated text.
type SyntaxError struct {
	Offset int64 // byte offset of the token at fault
	Line   int   // 1-based line of that offset
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("XML syntax error on line %d (byte %d): %s", e.Line, e.Offset, e.Msg)
}

// Scanner splits an XML document into tokens without building a tree or
// allocating per token: each token's bytes are a window into the
// scanner's buffer, valid until the next call to Next. It checks what it
// must to never mistake a damaged part for a good one: tags nest and
// close, attributes are quoted, entities are known, the document ends
// where its root element does, and nothing but whitespace, comments and
// processing instructions lies outside it. Namespace prefixes are kept
// (Name) and stripped (Local); resolving them is left to the caller,
// because SpreadsheetML documents put every element they care about in
// one namespace. A DOCTYPE is an error: the Open Packaging Conventions
// forbid DTDs in a package, and refusing them rules out entity
// expansion bombs.
type Scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // start of the unread bytes in buf
	end  int   // end of the bytes read into buf
	base int64 // offset in the document of buf[0]
	eof  bool
	rerr error

	baseLine int   // newlines before buf[0]
	stack    []int // start offsets into names of the open elements
	names    []byte
	rooted   bool // the root element has been opened

	kind  Kind
	raw   []byte
	name  []byte
	attrs []byte
	start int64
	err   error
}

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r, buf: make([]byte, 0, chunk)}
}

// Next advances to the next token. It returns io.EOF after the root
// element has closed and only whitespace, comments or processing
// instructions followed it; any other error is final and, for bad XML, a
// *SyntaxError. Whitespace outside the root element comes as Text, the
// declaration as Other: a caller that copies a document copies them too.
func (s *Scanner) Next() error {
	if s.err != nil {
		return s.err
	}
	s.err = s.next()
	return s.err
}

// Kind, Raw, Name and Local describe the current token. Raw is the token's
// bytes as written; Name is an element's qualified name, Local the part
// after any prefix.
func (s *Scanner) Kind() Kind    { return s.kind }
func (s *Scanner) Raw() []byte   { return s.raw }
func (s *Scanner) Name() []byte  { return s.name }
func (s *Scanner) Offset() int64 { return s.start }

// Local is the current element's name without its namespace prefix.
func (s *Scanner) Local() []byte {
	if i := bytes.IndexByte(s.name, ':'); i >= 0 {
		return s.name[i+1:]
	}
	return s.name
}

// Prefix is the current element's namespace prefix with its colon ("x:"),
// or "" when it has none.
func (s *Scanner) Prefix() []byte {
	if i := bytes.IndexByte(s.name, ':'); i >= 0 {
		return s.name[:i+1]
	}
	return nil
}

// Depth is the number of elements open, counting the current start tag
// and not the current end tag: the root element's start tag is at depth 1.
func (s *Scanner) Depth() int {
	if s.kind == EndTag || s.kind == EmptyTag {
		return len(s.stack) + 1
	}
	return len(s.stack)
}

// Attr returns the raw value of the current tag's attribute whose name,
// with any prefix, is name, and whether it is there. Values are returned
// as written; Unescape decodes their entities.
func (s *Scanner) Attr(name string) ([]byte, bool) {
	v, _, ok := findAttr(s.attrs, name)
	return v, ok
}

// AttrSpan is Attr plus the value's position within Raw, for a caller
// that rewrites one attribute and copies the rest of the tag.
func (s *Scanner) AttrSpan(name string) (start, end int, ok bool) {
	v, at, ok := findAttr(s.attrs, name)
	if !ok {
		return 0, 0, false
	}
	off := 1 + len(s.name) + at
	return off, off + len(v), true
}

// Errorf returns a *SyntaxError at the current token, for a caller that
// finds the structure wrong where the XML itself is fine.
func (s *Scanner) Errorf(format string, args ...any) error {
	return s.syntax(s.start, fmt.Sprintf(format, args...))
}

// AppendText appends the current Text or CData token's characters to dst,
// entities decoded and line ends normalised to "\n" as XML requires. It
// checks that they are UTF-8 and characters XML allows.
func (s *Scanner) AppendText(dst []byte) ([]byte, error) {
	switch s.kind {
	case CData:
		inner := s.raw[len("<![CDATA[") : len(s.raw)-len("]]>")]
		return appendChars(dst, inner, false, s, s.start)
	case Text:
		return appendChars(dst, s.raw, true, s, s.start)
	}
	return dst, nil
}

// Unescape decodes an attribute value's entities.
func (s *Scanner) Unescape(dst, v []byte) ([]byte, error) {
	return appendChars(dst, v, true, s, s.start)
}

// SkipElement advances past the end of the element whose start tag is
// current (at once for an EmptyTag), checking the XML between.
func (s *Scanner) SkipElement() error {
	if s.kind == EmptyTag {
		return nil
	}
	if s.kind != StartTag {
		return nil
	}
	depth := len(s.stack)
	for {
		if err := s.Next(); err != nil {
			return s.noEOF(err)
		}
		if s.kind == EndTag && len(s.stack) < depth {
			return nil
		}
	}
}

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
