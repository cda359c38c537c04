package pipeline

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/enrich-dev/enrich/llm"
)

// BatchTooLargeError is a request too large for any batch: its line alone
// is more than the provider takes in one.
type BatchTooLargeError struct {
	Bytes, Limit int64
}

func (e *BatchTooLargeError) Error() string {
	return fmt.Sprintf("this request is %d bytes, more than the %d a batch holds", e.Bytes, e.Limit)
}

// spool is a batch input file being built: the lines and their keys.
type spool struct {
	f     *os.File
	w     *bufio.Writer
	keys  []llm.Key
	bytes int64
}

func (bt *batchRun) newSpool() (*spool, error) {
	f, err := os.CreateTemp(bt.bo.SpoolDir, "enrich-batch-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("batch input: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (s *spool) add(k llm.Key, line []byte) error {
	s.keys = append(s.keys, k)
	s.bytes += int64(len(line)) + 1
	if _, err := s.w.Write(line); err != nil {
		return err
	}
	return s.w.WriteByte('\n')
}

// reset empties the spool for the next batch.
func (s *spool) reset() error {
	s.keys, s.bytes = s.keys[:0], 0
	s.w.Reset(s.f)
	if err := s.f.Truncate(0); err != nil {
		return err
	}
	_, err := s.f.Seek(0, io.SeekStart)
	return err
}

func (s *spool) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// submitMissing reads the input and submits, in batches, every request
// that is neither answered in the cache, nor held by a live batch, nor
// settled (failed for good, or out of attempts), each once.
func (bt *batchRun) submitMissing(ctx context.Context, open func() (Rows, error)) error {
	o := bt.p.opts
	cache := o.Resume.Cache
	rows, err := open()
	if err != nil {
		return err
	}
	defer rows.Close()
	sp, err := bt.newSpool()
	if err != nil {
		return err
	}
	defer sp.remove()
	bt.report("submitting")

	queued := make(map[llm.Key]struct{})
	var fromJournal int64
	limit := int64(o.Limit)
	for seq := int64(0); limit == 0 || seq < limit; seq++ {
		row, err := rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		prompt, err := o.Prompt.Template.Render(row.Cells)
		if err != nil {
			continue // the writing run fails the row, as online
		}
		req := o.request(prompt)
		key := o.rowKey(req, seq)
		if cache.Has(key) {
			fromJournal++
			continue
		}
		if _, dup := queued[key]; dup || bt.st.live[key] || bt.st.settled(key, bt.rounds) {
			continue
		}
		queued[key] = struct{}{}
		line, err := bt.b.BatchLine(key.String(), req)
		if err != nil {
			return fmt.Errorf("row %d: %w", row.Num, err)
		}
		size := int64(len(line)) + 1
		if size > bt.limits.Bytes {
			bt.st.failed[key] = &llm.Error{Message: (&BatchTooLargeError{Bytes: size, Limit: bt.limits.Bytes}).Error()}
			continue
		}
		if len(sp.keys) >= bt.bo.Size || sp.bytes+size > bt.limits.Bytes {
			if err := bt.submit(ctx, sp); err != nil {
				return err
			}
		}
		if err := sp.add(key, line); err != nil {
			return fmt.Errorf("batch input: %w", err)
		}
	}
	if !bt.scanned {
		bt.stats.FromJournal, bt.scanned = fromJournal, true
	}
	if len(sp.keys) > 0 {
		return bt.submit(ctx, sp)
	}
	return nil
}

// submit creates a batch of what sp holds and records it before anything
// else happens. The submission is not cut short by ctx: a batch the
// provider created and this run did not record would be paid for again.
func (bt *batchRun) submit(ctx context.Context, sp *spool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := sp.w.Flush(); err != nil {
		return fmt.Errorf("batch input: %w", err)
	}
	in := llm.BatchInput{Path: sp.f.Name(), Requests: len(sp.keys), Bytes: sp.bytes}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bt.bo.SubmitTimeout)
	defer cancel()
	var b llm.Batch
	err := bt.try(sctx, func(actx context.Context) (err error) {
		b, err = bt.b.SubmitBatch(actx, in)
		return err
	})
	if err != nil {
		return &SubmitError{Requests: in.Requests, Err: err}
	}
	round := 0
	for _, k := range sp.keys {
		if n := bt.st.attempts[k]; n > round {
			round = n
		}
	}
	sb := &sentBatch{id: b.ID, file: b.File, round: round, n: in.Requests, keys: append([]llm.Key(nil), sp.keys...), last: b}
	rec := batchRecord{T: "batch", ID: b.ID, File: b.File, Round: round, N: in.Requests, Keys: keyBytes(sp.keys)}
	if err := bt.bo.Log.Append(rec); err != nil {
		return fmt.Errorf("batch %s was created but could not be recorded, so a rerun would submit its requests again; cancel it at the provider: %w", b.ID, err)
	}
	if round > 0 {
		bt.stats.Retried += int64(in.Requests)
	}
	bt.st.add(sb)
	bt.stats.Submitted++
	bt.stats.Requests += int64(in.Requests)
	bt.report("submitting")
	return sp.reset()
}

// SubmitError is a batch the provider would not take.
type SubmitError struct {
	Requests int
	Err      error
}

func (e *SubmitError) Error() string {
	return fmt.Sprintf("submitting a batch of %d requests: %v", e.Requests, e.Err)
}
func (e *SubmitError) Unwrap() error { return e.Err }
