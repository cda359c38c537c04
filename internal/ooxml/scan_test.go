package ooxml

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// tokens scans doc one byte at a time (so every token straddles a buffer
// refill) and describes each token, or the error it ends with.
func tokens(doc string) (out []string, err error) {
	s := NewScanner(iotest.OneByteReader(strings.NewReader(doc)))
	for {
		if err := s.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		switch s.Kind() {
		case StartTag:
			out = append(out, "<"+string(s.Local()))
		case EmptyTag:
			out = append(out, "<"+string(s.Local())+"/")
		case EndTag:
			out = append(out, "/"+string(s.Local()))
		case Text, CData:
			if s.Depth() == 0 {
				continue // whitespace around the root
			}
			t, err := s.AppendText(nil)
			if err != nil {
				return out, err
			}
			out = append(out, "'"+string(t)+"'")
		}
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		doc  string
		want string
		err  string
	}{
		{doc: `<?xml version="1.0"?>` + "\n" + `<a x="1>2"><b/>t&amp;u&#65;&#x42;<![CDATA[<raw>]]></a>` + "\n", want: "<a <b/ 't&uAB' '<raw>' /a"},
		{doc: `<x:a xmlns:x="u"><x:b y='q'>r` + "\r\n" + `s</x:b></x:a>`, want: "<a <b 'r\ns' /b /a"},
		{doc: `<a><b></a>`, err: "XML syntax error on line 1 (byte 6): </a> where </b> was expected"},
		{doc: "<a>\n<b>", err: "XML syntax error on line 2 (byte 7): the document ends inside element <b> (is the part cut short?)"},
		{doc: `<a>&bogus;</a>`, err: `unknown or malformed entity`},
		{doc: `<a b=1/>`, err: "an unquoted attribute value"},
		{doc: `<a></a><b/>`, err: "a second root element <b>"},
		{doc: `<!DOCTYPE a [<!ENTITY x "y">]><a/>`, err: "DOCTYPE"},
		{doc: "<a>\x01</a>", err: "control character U+0001"},
		{doc: "<a>\xff</a>", err: "invalid UTF-8"},
		{doc: `<a><<b/></a>`, err: "'<' inside a tag"},
		{doc: ``, err: "no root element"},
		{doc: `junk<a/>`, err: "text outside the root element"},
	}
	for _, tt := range tests {
		got, err := tokens(tt.doc)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: got error %v, want %q", tt.doc, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.doc, err)
			continue
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%q: got %q, want %q", tt.doc, g, tt.want)
		}
	}
}

func TestEscapes(t *testing.T) {
	for _, s := range []string{"plain", "a\x0bb", "\x00\x01\x1b", "_x0041_", "_x005F_", "a\rb\r\nc", "\uFFFE\uFFFF", "tab\tnl\n", "<&>\"'", "😀", "_x"} {
		enc := string(AppendEscaped(nil, s))
		sc := NewScanner(strings.NewReader("<t>" + enc + "</t>"))
		var text []byte
		for sc.Next() == nil {
			if sc.Kind() == Text {
				var err error
				if text, err = sc.AppendText(text); err != nil {
					t.Fatalf("%q: encoded %q: %v", s, enc, err)
				}
			}
		}
		if got := string(DecodeEscapes(text)); got != s {
			t.Errorf("%q: encoded %q, read back %q", s, enc, got)
		}
	}
	if got := string(DecodeEscapes([]byte("_xD83D__xDE00_ _xD83D_"))); got != "😀 \uFFFD" {
		t.Errorf("surrogates: got %q", got)
	}
}

func TestSetAttr(t *testing.T) {
	tests := []struct{ tag, name, value, want string }{
		{`<col min="2" max="2" width="42"/>`, "min", "3", `<col min="3" max="2" width="42"/>`},
		{`<col min="2" max="2" width="42"/>`, "max", "14", `<col min="2" max="14" width="42"/>`},
		{`<row r="5">`, "spans", "1:9", `<row r="5" spans="1:9">`},
		{`<x:row r='5' spans='1:3'>`, "spans", "1:9", `<x:row r='5' spans='1:9'>`},
		{`<dimension ref="A1"/>`, "ref", "A1:H8", `<dimension ref="A1:H8"/>`},
	}
	for _, tt := range tests {
		if got := string(SetAttr([]byte(tt.tag), tt.name, tt.value)); got != tt.want {
			t.Errorf("SetAttr(%s, %s, %s): got %s, want %s", tt.tag, tt.name, tt.value, got, tt.want)
		}
	}
	if v, ok := AttrOf([]byte(`<c r="B2" s="7"/>`), "s"); !ok || string(v) != "7" {
		t.Errorf("AttrOf: got %q %v", v, ok)
	}
}
