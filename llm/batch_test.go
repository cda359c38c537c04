package llm_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
)

// batchInput writes the requests' lines, ids "r0", "r1", …, to a file.
func batchInput(t *testing.T, b llm.Batcher, prompts ...string) llm.BatchInput {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	var buf []byte
	for i, p := range prompts {
		line, err := b.BatchLine("r"+string(rune('0'+i)), llm.Request{Model: "m", Prompt: p, MaxTokens: 10})
		if err != nil {
			t.Fatal(err)
		}
		buf = append(append(buf, line...), '\n')
	}
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	return llm.BatchInput{Path: path, Requests: len(prompts), Bytes: int64(len(buf))}
}

func newBatcher(t *testing.T, provider string, fp *fakeprovider.Provider) llm.Batcher {
	t.Helper()
	srv := httptest.NewServer(fp)
	t.Cleanup(srv.Close)
	base := srv.URL + "/v1"
	if provider == "anthropic" {
		base = srv.URL
	}
	c, err := llm.New(llm.Options{Provider: provider, BaseURL: base, APIKey: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c.(llm.Batcher)
}

// waitEnded polls until the batch has ended.
func waitEnded(t *testing.T, b llm.Batcher, id string) llm.Batch {
	t.Helper()
	for range 200 {
		st, err := b.PollBatch(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Phase == llm.BatchEnded {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("batch %s never ended", id)
	return llm.Batch{}
}

func results(t *testing.T, b llm.Batcher, st llm.Batch) map[string]llm.BatchResult {
	t.Helper()
	got := map[string]llm.BatchResult{}
	err := b.BatchResults(context.Background(), st, llm.Request{}, func(r llm.BatchResult) error {
		if _, dup := got[r.ID]; dup {
			t.Errorf("result %s twice", r.ID)
		}
		got[r.ID] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestBatchRoundTrip(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider, func(t *testing.T) {
			fp := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{
				Processing: 50 * time.Millisecond,
				LineFault: func(prompt string) fakeprovider.Fault {
					switch prompt {
					case "bad":
						return fakeprovider.Status400
					case "flaky":
						return fakeprovider.Status500
					}
					return fakeprovider.OK
				},
			}})
			b := newBatcher(t, provider, fp)
			st, err := b.SubmitBatch(context.Background(), batchInput(t, b, "apples", "bad", "flaky", "pears"))
			if err != nil {
				t.Fatal(err)
			}
			if st.ID == "" || st.Phase == llm.BatchEnded {
				t.Fatalf("submitted batch %+v", st)
			}
			st = waitEnded(t, b, st.ID)
			got := results(t, b, st)
			if len(got) != 4 {
				t.Fatalf("got %d results, want 4: %+v", len(got), got)
			}
			for id, want := range map[string]string{"r0": "echo: apples", "r3": "echo: pears"} {
				if r := got[id]; r.Err != nil || r.Response.Text != want {
					t.Errorf("%s: got %q, %v; want %q", id, r.Response.Text, r.Err, want)
				}
			}
			if r := got["r1"]; r.Err == nil || llm.Retryable(r.Err) {
				t.Errorf("a refused line: got %v (retryable %v), want a final error", r.Err, llm.Retryable(r.Err))
			}
			if r := got["r2"]; r.Err == nil || !llm.Retryable(r.Err) {
				t.Errorf("a server error: got %v, want a retryable error", r.Err)
			}
		})
	}
}

func TestBatchExpiredAndCancelled(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		t.Run(provider+"/expired", func(t *testing.T) {
			fp := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Expire: func(int64) bool { return true }}})
			b := newBatcher(t, provider, fp)
			st, err := b.SubmitBatch(context.Background(), batchInput(t, b, "a", "b", "c", "d"))
			if err != nil {
				t.Fatal(err)
			}
			got := results(t, b, waitEnded(t, b, st.ID))
			expired := 0
			for _, r := range got {
				if r.Err != nil && llm.Retryable(r.Err) {
					expired++
				}
			}
			if len(got) != 4 || expired != 2 {
				t.Errorf("got %d results, %d expired; want 4 and 2", len(got), expired)
			}
		})
		t.Run(provider+"/cancelled", func(t *testing.T) {
			fp := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Processing: time.Hour}})
			b := newBatcher(t, provider, fp)
			st, err := b.SubmitBatch(context.Background(), batchInput(t, b, "a", "b"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.CancelBatch(context.Background(), st.ID); err != nil {
				t.Fatal(err)
			}
			got := results(t, b, waitEnded(t, b, st.ID))
			for id, r := range got {
				if r.Err == nil || !llm.Retryable(r.Err) || !strings.Contains(r.Err.Error(), "cancel") {
					t.Errorf("%s: got %v, want a retryable cancellation", id, r.Err)
				}
			}
		})
	}
}

func TestBatchWithoutTheAPI(t *testing.T) {
	for _, provider := range []string{"openai", "anthropic"} {
		fp := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Disabled: true}})
		b := newBatcher(t, provider, fp)
		_, err := b.SubmitBatch(context.Background(), batchInput(t, b, "a"))
		if !errors.Is(err, llm.ErrNoBatchAPI) {
			t.Errorf("%s: got %v, want ErrNoBatchAPI", provider, err)
		}
	}
}

func TestBatchValidationFailure(t *testing.T) {
	fp := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Invalid: func(int64) bool { return true }}})
	b := newBatcher(t, "openai", fp)
	st, err := b.SubmitBatch(context.Background(), batchInput(t, b, "a"))
	if err != nil {
		t.Fatal(err)
	}
	st = waitEnded(t, b, st.ID)
	if !st.Failed() || len(st.Problems) == 0 || st.Problems[0].Line != 1 {
		t.Fatalf("got %+v, want a failed batch with a line-numbered problem", st)
	}
	if msg := (&llm.BatchFailedError{ID: st.ID, Problems: st.Problems}).Error(); !strings.Contains(msg, "line 1:") {
		t.Errorf("error %q does not name the line", msg)
	}
}

func TestMockBatch(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	m := llm.Mock{}
	st, err := m.SubmitBatch(context.Background(), batchInput(t, m, "apples", "pears"))
	if err != nil {
		t.Fatal(err)
	}
	got := results(t, m, waitEnded(t, m, st.ID))
	want, _ := m.Complete(context.Background(), llm.Request{Model: "m", Prompt: "pears", MaxTokens: 10})
	if got["r1"].Response != want {
		t.Errorf("got %+v, want what Complete answers: %+v", got["r1"].Response, want)
	}
	if again := results(t, m, st); len(again) != 0 {
		t.Errorf("a collected mock batch answered again: %v", again)
	}
}
