package readers

import (
	"bufio"
	"bytes"
	"errors"
)

// More kinds of bad input (see errors.go).
var (
	// ErrUTF16: text that looks like UTF-16: a UTF-16 byte order mark, or
	// a NUL byte in the first kilobyte. UTF-16 without a byte order mark
	// is valid UTF-8 (ASCII with a NUL after every character), so it would
	// otherwise be read as garbage rows instead of refused.
	ErrUTF16 = errors.New("looks like UTF-16")
	// ErrSurrogate: a JSON string escape for half of a UTF-16 surrogate
	// pair (\ud800 with no low half after it, or a low half alone), which
	// stands for no character; decoding would silently put U+FFFD in its
	// place.
	ErrSurrogate = errors.New("unpaired surrogate escape")
)

// sniffLen is how much of the start of a text input is checked for NULs.
const sniffLen = 1024

// checkNotUTF16 refuses input that br starts with and that looks like
// UTF-16. It looks at what one read brings (up to sniffLen bytes), and
// never waits for more, so that a pipe's first rows are not held back.
func checkNotUTF16(br *bufio.Reader, name string) error {
	if _, err := br.Peek(1); err != nil {
		return nil // empty, or the read error comes next
	}
	b, _ := br.Peek(min(br.Buffered(), sniffLen))
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}), bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return utf16Error(name, "it starts with a UTF-16 byte order mark")
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return utf16Error(name, "it has NUL bytes in its first kilobyte")
	}
	return nil
}

func utf16Error(name, why string) error {
	return &ParseError{File: name, Err: detailf(ErrUTF16, "this looks like UTF-16, not UTF-8 (%s): save the file as UTF-8", why)}
}

// loneSurrogate returns the offset of the first \u escape in line's
// strings that is half a surrogate pair without its other half, or -1.
// line is valid UTF-8; if it is not valid JSON, what is found does not
// matter, as the decoder refuses it.
func loneSurrogate(line []byte) int {
	if !bytes.Contains(line, []byte(`\u`)) {
		return -1
	}
	inString := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch {
		case c == '"':
			inString = false
		case c == '\\' && i+1 >= len(line):
			return -1 // a backslash that ends the line: not JSON
		case c == '\\' && line[i+1] != 'u':
			i++ // a one-letter escape: \" \\ \n …
		case c == '\\':
			u, ok := hex4(line[i+2:])
			if !ok {
				return -1
			}
			switch {
			case u >= 0xd800 && u < 0xdc00: // a high half: a low one must follow
				if lowHalf(line[i+6:]) {
					i += 11
					continue
				}
				return i
			case u >= 0xdc00 && u < 0xe000:
				return i
			}
			i += 5
		}
	}
	return -1
}

// lowHalf reports whether b starts with a \u escape of a low surrogate.
func lowHalf(b []byte) bool {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return false
	}
	u, ok := hex4(b[2:])
	return ok && u >= 0xdc00 && u < 0xe000
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
