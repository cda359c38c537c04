package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"github.com/enrich-dev/enrich/llm"
)

// Cache keeps answers across runs (package journal is the one enrich uses).
// Put must be durable when it returns: the pipeline counts on it to never
// pay twice for an answer.
type Cache interface {
	Get(key llm.Key) (llm.Response, bool, error)
	Has(key llm.Key) bool
	Put(key llm.Key, resp llm.Response) error
}

// OwnCache is a Cache that also knows which answers were put since it was
// opened (package journal's Journal is one). With it a run counts an
// identical request's reuse as shared, not as from an earlier run, without
// remembering every key it recorded: a run of ten million rows would
// otherwise hold ten million keys in memory.
type OwnCache interface {
	Cache
	GetOwn(key llm.Key) (resp llm.Response, ok, own bool, err error)
}

// maxFailed bounds the failed requests a run remembers, so that a run in
// which most rows fail still has flat memory: beyond it the oldest failure
// is forgotten, and a later row repeating that request asks again.
const maxFailed = 1 << 14

// request is the request for one rendered prompt.
func (o Options) request(prompt string) llm.Request {
	return llm.Request{
		Model:       o.Prompt.Model,
		System:      o.Prompt.System,
		Prompt:      prompt,
		MaxTokens:   o.Prompt.MaxTokens,
		Temperature: o.Prompt.Temperature,
		Schema:      o.Prompt.Schema.request(),
	}
}

// rowKey is the request's key, made unique to the row when identical
// requests are not to be shared (sampling at temperature > 0 may want
// each row to get its own answer).
func (o Options) rowKey(req llm.Request, seq int64) llm.Key {
	k := llm.KeyOf(o.Resume.Scope, req)
	if o.Resume.NoDedupe {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(seq))
		sum := sha256.Sum256(append(k[:], n[:]...))
		copy(k[:], sum[:])
	}
	return k
}

// flight is one request that several rows are waiting for.
type flight struct {
	done chan struct{}
	a    answer
	err  error
}

// source says where a row's answer came from.
type source int

const (
	asked       source = iota // this row's own request
	fromJournal               // recorded by an earlier run
	fromRun                   // an identical request of this run
)

// shared makes identical requests within a run cost one: the first row to
// ask sends the request, the others wait for its outcome and reuse it.
// A request's failure is this run's outcome for its key too, so a prompt
// that fails is not paid for again on every row that repeats it; an
// answer stays here only when there is no cache to hold it.
//
// Memory is flat in the number of rows when the cache is an OwnCache:
// flights holds the requests under way (at most one per worker) and the
// last maxFailed failures, and the cache, not this, holds the answers.
type shared struct {
	mu      sync.Mutex
	flights map[llm.Key]*flight
	failed  []llm.Key        // ring of the failed keys kept in flights
	next    int              // the ring's oldest entry once it is full
	mine    map[llm.Key]bool // keys this run recorded, for a cache that is not an OwnCache
	cache   Cache
	own     OwnCache // cache, when it is one
}

func newShared(c Cache) *shared {
	s := &shared{flights: make(map[llm.Key]*flight), cache: c}
	if oc, ok := c.(OwnCache); ok {
		s.own = oc
	} else {
		s.mine = make(map[llm.Key]bool)
	}
	return s
}

// lookup is the cache's answer for key, and whether this run recorded it.
func (s *shared) lookup(key llm.Key) (llm.Response, bool, bool, error) {
	if s.own != nil {
		return s.own.GetOwn(key)
	}
	resp, ok, err := s.cache.Get(key)
	return resp, ok, s.mine[key], err
}

// keepFailed remembers a failed key in flights, forgetting the oldest
// failure once maxFailed are kept.
func (s *shared) keepFailed(key llm.Key) {
	if len(s.failed) < maxFailed {
		s.failed = append(s.failed, key)
		return
	}
	delete(s.flights, s.failed[s.next])
	s.failed[s.next] = key
	s.next = (s.next + 1) % maxFailed
}

// do returns the outcome for key: from a flight under way or done, from
// the cache, or by calling fn. Looking in the cache under the same lock
// that starts flights means no two rows ever both miss and both ask.
func (s *shared) do(ctx context.Context, key llm.Key, fn func() (answer, error)) (answer, source, error) {
	s.mu.Lock()
	if f, ok := s.flights[key]; ok {
		s.mu.Unlock()
		select {
		case <-f.done:
			return f.a, fromRun, f.err
		case <-ctx.Done():
			return answer{}, fromRun, ctx.Err()
		}
	}
	if s.cache != nil {
		resp, ok, own, err := s.lookup(key)
		if err != nil || ok {
			src := fromJournal
			if own {
				src = fromRun
			}
			s.mu.Unlock()
			return answer{resp: resp}, src, err
		}
	}
	f := &flight{done: make(chan struct{})}
	s.flights[key] = f
	s.mu.Unlock()

	f.a, f.err = fn()
	s.mu.Lock()
	switch {
	case f.err != nil && ctx.Err() != nil:
		delete(s.flights, key) // cancelled: no outcome to share
	case f.err == nil && s.cache != nil:
		if s.mine != nil {
			s.mine[key] = true
		}
		delete(s.flights, key) // the cache holds it now
	case f.err != nil:
		s.keepFailed(key)
	}
	s.mu.Unlock()
	close(f.done)
	return f.a, asked, f.err
}
