package ooxml

import (
	"bytes"
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
