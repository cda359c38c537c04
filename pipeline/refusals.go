package pipeline

import (
	"sync"

	"github.com/enrich-dev/enrich/llm"
)

// stopAfter is how many requests in a row the provider may refuse for a
// reason no other row will escape (a bad key, no access, an unknown model
// or endpoint, no credit) before the run stops instead of failing every
// remaining row the same way.
const stopAfter = 10

// refusals counts such refusals since the last answer.
type refusals struct {
	mu     sync.Mutex
	n      int
	first  error
	warned bool // the run's first refusal has been told
}

func refusesEveryRow(err error) bool { return llm.Diagnose(err).RefusesEveryRow() }

// note records a failed request. It returns the error that stops the run
// once stopAfter refusals came in a row, and whether this is the run's
// first refusal, which the caller tells at once: on a small run no row
// may get far enough for the stop.
func (r *refusals) note(err error) (stop error, first bool) {
	if !refusesEveryRow(err) {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	first = !r.warned
	r.warned = true
	if r.n == 0 {
		r.first = err
	}
	r.n++
	if r.n < stopAfter {
		return nil, first
	}
	return &RefusedError{N: r.n, First: r.first}, first
}

func (r *refusals) reset() {
	r.mu.Lock()
	r.n = 0
	r.mu.Unlock()
}
