package pipeline

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/enrich-dev/enrich/llm"
)

// The batch log's lines. A batch is recorded when the provider has
// created it, with the keys of its requests (16 bytes each), before
// anything waits on it; when its results are in the cache, the failures
// among them are recorded with a line saying it was collected, in one
// synced write. Replaying the lines tells a rerun which batches still
// live (poll them, submit none of their keys), how many batches each key
// has been in (its attempts), and how each failed key failed last.
type batchRecord struct {
	T     string `json:"t"` // "batch", "collected" or "failed"
	ID    string `json:"id,omitempty"`
	File  string `json:"file,omitempty"`
	Round int    `json:"round,omitempty"`
	N     int    `json:"n,omitempty"`
	Keys  []byte `json:"keys,omitempty"` // base64 in the file

	// A failed request ("failed"), with its key and error.
	K         string `json:"k,omitempty"`
	Status    int    `json:"status,omitempty"`
	Code      string `json:"code,omitempty"`
	Msg       string `json:"msg,omitempty"`
	Retryable bool   `json:"retry,omitempty"`
	Provider  string `json:"provider,omitempty"`
}

// sentBatch is one batch the log records.
type sentBatch struct {
	id, file  string
	round     int
	keys      []llm.Key // nil once collected
	n         int
	collected bool
	last      llm.Batch // as last polled
}

// batchState is what the log says, kept up to date as the run goes.
type batchState struct {
	batches  []*sentBatch
	attempts map[llm.Key]int        // batches each key has been in
	live     map[llm.Key]bool       // keys of batches not yet collected
	failed   map[llm.Key]*llm.Error // how each failed key failed last
}

func newBatchState() *batchState {
	return &batchState{attempts: map[llm.Key]int{}, live: map[llm.Key]bool{}, failed: map[llm.Key]*llm.Error{}}
}

// loadBatchState replays log.
func loadBatchState(log BatchLog) (*batchState, error) {
	st := newBatchState()
	byID := map[string]*sentBatch{}
	err := log.Replay(func(line []byte) error {
		var r batchRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return nil // not a line of ours: a newer version's, say
		}
		switch r.T {
		case "batch":
			if len(r.Keys)%len(llm.Key{}) != 0 {
				return fmt.Errorf("batch %s: its recorded keys are cut short", r.ID)
			}
			sb := &sentBatch{id: r.ID, file: r.File, round: r.Round, n: r.N, last: llm.Batch{ID: r.ID, Phase: llm.BatchValidating}}
			for i := 0; i < len(r.Keys); i += len(llm.Key{}) {
				var k llm.Key
				copy(k[:], r.Keys[i:])
				sb.keys = append(sb.keys, k)
			}
			st.add(sb)
			byID[r.ID] = sb
		case "failed":
			k, ok := parseKey(r.K)
			if ok {
				st.failed[k] = &llm.Error{Status: r.Status, Code: r.Code, Message: r.Msg, Retryable: r.Retryable, Provider: r.Provider}
			}
		case "collected":
			if sb := byID[r.ID]; sb != nil {
				st.collect(sb)
			}
		}
		return nil
	})
	return st, err
}

// add notes a batch just created (or replayed).
func (st *batchState) add(sb *sentBatch) {
	st.batches = append(st.batches, sb)
	for _, k := range sb.keys {
		st.attempts[k]++
		st.live[k] = true
		delete(st.failed, k) // its outcome is this batch's now
	}
}

// collect notes that sb's results are in.
func (st *batchState) collect(sb *sentBatch) {
	for _, k := range sb.keys {
		delete(st.live, k)
	}
	sb.keys, sb.collected = nil, true
}

// liveBatches are the batches not yet collected.
func (st *batchState) liveBatches() []*sentBatch {
	var out []*sentBatch
	for _, sb := range st.batches {
		if !sb.collected {
			out = append(out, sb)
		}
	}
	return out
}

// settled says whether a failed key is done with: its failure is final,
// or it has been in rounds batches already.
func (st *batchState) settled(k llm.Key, rounds int) bool {
	e, ok := st.failed[k]
	return ok && (!e.Retryable || st.attempts[k] >= rounds)
}

func failureRecord(k llm.Key, e *llm.Error) batchRecord {
	return batchRecord{T: "failed", K: k.String(), Status: e.Status, Code: e.Code, Msg: e.Message, Retryable: e.Retryable, Provider: e.Provider}
}

func keyBytes(keys []llm.Key) []byte {
	b := make([]byte, 0, len(keys)*len(llm.Key{}))
	for _, k := range keys {
		b = append(b, k[:]...)
	}
	return b
}

func parseKey(s string) (llm.Key, bool) {
	var k llm.Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, false
	}
	copy(k[:], b)
	return k, true
}
