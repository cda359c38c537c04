package llm

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The mock's batches are files in a folder of the temporary directory,
// so that a batch submitted by one process can be collected by the next,
// as with a real provider; each ends as soon as it is submitted, and its
// file is removed once its results have been read.

var _ Batcher = Mock{}

// mockBatchDir is where the mock keeps its batches.
func mockBatchDir() string { return filepath.Join(os.TempDir(), "enrich-mock-batches") }

// BatchLimits is OpenAI's, so a run plans the same batches offline.
func (Mock) BatchLimits() BatchLimits {
	return BatchLimits{Requests: OpenAIBatchRequests, Bytes: OpenAIBatchBytes}
}

type mockLine struct {
	CustomID string  `json:"custom_id"`
	Request  Request `json:"request"`
}

// BatchLine records the request as it is.
func (Mock) BatchLine(id string, req Request) ([]byte, error) {
	if !ValidBatchID(id) {
		return nil, fmt.Errorf("batch id %q is not 1 to 64 letters, digits, '_' or '-'", id)
	}
	return json.Marshal(mockLine{id, req})
}

// SubmitBatch copies the input into the mock's folder; the batch has
// ended at once.
func (Mock) SubmitBatch(ctx context.Context, in BatchInput) (Batch, error) {
	if err := ctx.Err(); err != nil {
		return Batch{}, err
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	b := Batch{ID: "mockbatch_" + hex.EncodeToString(id[:]), Phase: BatchEnded, Status: "ended",
		Counts: BatchCounts{Total: in.Requests, Succeeded: in.Requests}}
	if err := os.MkdirAll(mockBatchDir(), 0o700); err != nil {
		return Batch{}, fmt.Errorf("mock batch: %w", err)
	}
	src, err := os.Open(in.Path)
	if err != nil {
		return Batch{}, fmt.Errorf("mock batch: %w", err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(mockBatchDir(), b.ID+".jsonl"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Batch{}, fmt.Errorf("mock batch: %w", err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return Batch{}, fmt.Errorf("mock batch: %w", err)
	}
	if err := dst.Close(); err != nil {
		return Batch{}, fmt.Errorf("mock batch: %w", err)
	}
	return b, nil
}

// PollBatch: every mock batch has ended.
func (Mock) PollBatch(ctx context.Context, id string) (Batch, error) {
	if err := ctx.Err(); err != nil {
		return Batch{}, err
	}
	return Batch{ID: id, Phase: BatchEnded, Status: "ended"}, nil
}

// CancelBatch: a mock batch has always ended already.
func (m Mock) CancelBatch(ctx context.Context, id string) (Batch, error) { return m.PollBatch(ctx, id) }

// BatchResults answers every line as Complete would. A batch whose file
// is gone (its results were read before) has no results left.
func (m Mock) BatchResults(ctx context.Context, b Batch, _ Request, fn func(BatchResult) error) error {
	path := filepath.Join(mockBatchDir(), filepath.Base(b.ID)+".jsonl")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mock batch: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	for {
		line, rerr := readLine(br)
		if len(line) > 1 {
			var l mockLine
			if err := json.Unmarshal(line, &l); err != nil {
				f.Close()
				return fmt.Errorf("mock batch %s: %w", b.ID, err)
			}
			resp, err := m.Complete(ctx, l.Request)
			if err := fn(BatchResult{ID: l.CustomID, Response: resp, Err: err}); err != nil {
				f.Close()
				return err
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			f.Close()
			return fmt.Errorf("mock batch %s: %w", b.ID, rerr)
		}
	}
	f.Close()
	return os.Remove(path)
}
