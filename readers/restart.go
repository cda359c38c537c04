package readers

import (
	"fmt"
	"io"
)

// restart is how a text reader starts over: the input, when it can be
// sought (a file, compressed or not), and where it began. CSV and TSV
// embed it; JSON Lines keeps its own, as its first pass already seeks.
type restart struct {
	seeker io.ReadSeeker // nil when the input can be read only once
	start  int64
}

// mark remembers r's position when r can seek.
func (s *restart) mark(r io.Reader) {
	if rs, ok := r.(io.ReadSeeker); ok {
		if pos, err := rs.Seek(0, io.SeekCurrent); err == nil {
			s.seeker, s.start = rs, pos
		}
	}
}

// rewind seeks back to the start and calls begin on the input, which
// reads the header again; name is the input's, for messages.
func (s *restart) rewind(name string, begin func(io.Reader) error) error {
	if s.seeker == nil {
		return fmt.Errorf("%s: %w", displayName(name), ErrNotRewindable)
	}
	if _, err := s.seeker.Seek(s.start, io.SeekStart); err != nil {
		return readError(name, err)
	}
	return begin(s.seeker)
}
