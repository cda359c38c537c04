package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// safe makes text from outside (a provider's message, cells quoted in an
// error, a rendered prompt, a file name) harmless on a terminal: every
// control character but tab, line feed and "\r\n" is shown as an escape
// instead of being obeyed, so a server cannot set the window title, clear the
// screen, colour the text or move the cursor back over a line ("\r"). C1
// controls (U+0080 to U+009F: U+009B is a one-byte CSI for some
// terminals), the bidirectional overrides and isolates that reorder what
// is shown, and bytes that are not UTF-8 are escaped too.
func safe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r' && strings.HasPrefix(s[i:], "\r\n"):
			b.WriteByte('\r') // a line break, as Windows writes it
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (unsafeRune(r) && !strings.HasPrefix(s[i:], "\r\n")) {
			return true
		}
		i += size
	}
	return false
}

func unsafeRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
