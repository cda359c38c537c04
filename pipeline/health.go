package pipeline

import (
	"fmt"
	"sync"
	"time"

	"github.com/enrich-dev/enrich/llm"
)

// How long a run goes on while no request reaches the server at all.
const (
	// DefaultUnreachableAtStart: before any request has reached the
	// server, a server that refuses connections for this long is not
	// there; a host that does not resolve, a TLS failure or another
	// protocol stop the run at once, since no retry can fix them.
	DefaultUnreachableAtStart = 10 * time.Second
	// DefaultUnreachableMidRun: once the server has answered, rows whose
	// requests cannot reach it keep their errors and the run goes on,
	// until nothing has reached it for this long.
	DefaultUnreachableMidRun = time.Minute
)

// UnreachableError stops a run whose requests could not reach the server
// for For (0 when the first failure already says no retry can help). Err
// is the last such failure; its text names the URL.
type UnreachableError struct {
	For time.Duration
	Err error
}

func (e *UnreachableError) Error() string {
	if e.For == 0 {
		return fmt.Sprintf("cannot reach the server: %v", e.Err)
	}
	return fmt.Sprintf("no request reached the server for %s: %v", e.For.Round(time.Second), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// health watches whether requests reach the server: any HTTP answer does,
// even an error status; a refused connection, a name that does not
// resolve, or a failed TLS handshake does not.
type health struct {
	atStart, midRun time.Duration

	mu      sync.Mutex
	reached bool      // some attempt of this run got an HTTP answer
	last    time.Time // when one last did, or when the run started
}

func newHealth(atStart, midRun time.Duration) *health {
	return &health{atStart: atStart, midRun: midRun, last: time.Now()}
}

// observe notes an attempt's outcome and returns the error that stops the
// run, or nil.
func (h *health) observe(err error) error {
	p := llm.Diagnose(err)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil || !p.CannotReach() {
		if err == nil || isHTTPAnswer(err) {
			h.reached, h.last = true, time.Now()
		}
		return nil
	}
	since := time.Since(h.last)
	switch {
	case !h.reached && !llm.Retryable(err):
		return &UnreachableError{Err: err}
	case !h.reached && since >= h.atStart:
		return &UnreachableError{For: since, Err: err}
	case h.reached && since >= h.midRun:
		return &UnreachableError{For: since, Err: err}
	}
	return nil
}

// isHTTPAnswer reports whether err came with an HTTP status: the server
// was reached, whatever it said.
func isHTTPAnswer(err error) bool {
	var e *llm.Error
	return asError(err, &e) && e.Status > 0
}
