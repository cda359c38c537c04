package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// prismBinary is Prism's command (npm @stoplight/prism-cli): $ENRICH_PRISM,
// or prism on the PATH; "" when neither is there.
func prismBinary() string {
	if p := os.Getenv("ENRICH_PRISM"); p != "" {
		return p
	}
	p, _ := exec.LookPath("prism")
	return p
}

// A submission goes through Prism serving the trimmed spec with request
// validation, which answers 422 to a body the spec does not allow. It is
// skipped where Prism is not installed (npm install -g
// @stoplight/prism-cli, or ENRICH_PRISM=path/to/prism).
func TestBatchSubmissionThroughPrism(t *testing.T) {
	bin := prismBinary()
	if bin == "" {
		t.Skip("Prism not found: npm install -g @stoplight/prism-cli, or set ENRICH_PRISM, to run this test")
	}
	spec := filepath.Join(specDir, batchSpec)
	if _, err := os.Stat(spec); err != nil {
		t.Skipf("OpenAI spec not found at %s", spec)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "mock", "-h", "127.0.0.1", "-p", fmt.Sprint(port), spec)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	base := fmt.Sprintf("http://127.0.0.1:%d/v1", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(base + "/batches/batch_x")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prism did not start: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	c, err := NewOpenAI(OpenAIOptions{BaseURL: base, APIKey: "sk-test", HTTPClient: &http.Client{Timeout: 20 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "in.jsonl")
	line, _ := c.BatchLine("k1", Request{Model: "gpt-4o-mini", Prompt: "hi"})
	os.WriteFile(path, append(line, '\n'), 0o600)
	if _, err := c.SubmitBatch(context.Background(), BatchInput{Path: path, Requests: 1, Bytes: int64(len(line) + 1)}); err != nil {
		t.Fatalf("Prism refused the submission: %v", err)
	}
	if _, err := c.PollBatch(context.Background(), "batch_x"); err != nil {
		t.Errorf("poll: %v", err)
	}

	// The validation must be able to fail, and its message be read.
	err = c.exchange(context.Background(), http.MethodPost, base+"/batches", []byte(`{"input_file_id":"f","endpoint":"/v1/nope","completion_window":"48h"}`), &struct{}{})
	var e *Error
	if !errors.As(err, &e) || e.Status != 422 || !strings.Contains(e.Message, "completion_window") {
		t.Errorf("a bad create: got %v, want a 422 naming completion_window", err)
	}
}
