package llm

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// KeyLeakLen is how many leading characters of an API key count as leaking
// it: any run of the key's first KeyLeakLen or more characters is redacted
// from what a server sends back, wherever it stands (in an answer, an
// error message, a snippet of a body), so that a message cut short inside
// an echoed key does not give its beginning away.
//
// Eight is the length the shortest common key prefixes ("sk-proj-",
// "sk-ant-a") reach, so those are redacted too; anything shorter says too
// little of a key to be worth mangling text for. Keys shorter than
// KeyLeakLen are placeholders that local servers ignore ("ollama", "x"):
// they are redacted, exactly, from error messages only, since taking every
// "x" out of an answer would be absurd.
const KeyLeakLen = 8

// redactor takes an API key out of text that came from the server, which
// may echo it (OpenAI masks it; not every local server or proxy does).
type redactor struct {
	key    string
	needle string // the shortest run that counts: key[:KeyLeakLen], or a short key
	marker string // what stands in its place
}

func newRedactor(key string) redactor {
	if key == "" {
		return redactor{}
	}
	needle := key
	if len(key) > KeyLeakLen {
		needle = key[:KeyLeakLen]
	}
	return redactor{key: key, needle: needle, marker: markerFor(needle)}
}

// secret reports whether the key is long enough to be redacted from
// answers and raw bodies, not just from error messages.
func (r redactor) secret() bool { return len(r.key) >= KeyLeakLen }

// markerFor picks what replaces a key: "[redacted]", unless that could
// combine with the text around it into the key's first characters again.
// A marker whose first and last characters the needle lacks, and which
// does not hold the needle, cannot: an occurrence of the needle that
// overlaps the marker would hold one of those characters or lie within
// it. The single characters at the end of the list are more than
// KeyLeakLen, so one of them always qualifies.
func markerFor(needle string) string {
	for _, m := range [...]string{"[redacted]", "<redacted>", "(redacted)", "{redacted}",
		"*", "#", "~", "^", "|", "!", "%", "=", "+"} {
		first, _ := utf8.DecodeRuneInString(m)
		last, _ := utf8.DecodeLastRuneInString(m)
		if !strings.ContainsRune(needle, first) && !strings.ContainsRune(needle, last) && !strings.Contains(m, needle) {
			return m
		}
	}
	return "" // unreachable: see above
}

// text redacts every run of the key's leading characters at least
// KeyLeakLen long (the whole key for a shorter one). Each run found is
// taken as far as it goes on matching the key, then replaced, and the
// search goes on after it.
func (r redactor) text(s string) string {
	if r.needle == "" {
		return s
	}
	i := strings.Index(s, r.needle)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		j := i + len(r.needle)
		for j < len(s) && j-i < len(r.key) && s[j] == r.key[j-i] {
			j++
		}
		b.WriteString(s[:i])
		b.WriteString(r.marker)
		s = s[j:]
		i = strings.Index(s, r.needle)
	}
	b.WriteString(s)
	return b.String()
}

// answer redacts text the model is said to have written; a short key is
// left in it (see KeyLeakLen).
func (r redactor) answer(s string) string {
	if !r.secret() {
		return s
	}
	return r.text(s)
}

// body redacts a raw response body before anything reads, cuts or quotes
// it, so that a cut never falls inside the key.
func (r redactor) body(b []byte) []byte {
	if !r.secret() || !bytes.Contains(b, []byte(r.needle)) {
		return b
	}
	return []byte(r.text(string(b)))
}

// err redacts a transport error's text, keeping the error itself for
// errors.Is and errors.As.
func (r redactor) err(err error) error {
	if err == nil || r.needle == "" || !strings.Contains(err.Error(), r.needle) {
		return err
	}
	return &redactedError{msg: r.text(err.Error()), err: err}
}

// redactedError is an error whose text had the key in it.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
