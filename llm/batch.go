package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Batcher is the optional ability of a Client to send many requests
// through the provider's batch API: cheaper, on a separate quota, answered
// within hours instead of seconds. Find it by type assertion:
//
//	if b, ok := client.(llm.Batcher); ok { … }
//
// The caller writes the requests to a file, one BatchLine each, and
// submits the file; it then polls, and reads the results when the batch
// has ended. Results come back in any order: each carries the id its
// line was given, and nothing else ties it to a request. As with
// Complete, every method is one attempt (one HTTP exchange, or the few a
// step needs, like an upload and a create): retries, pacing and what to
// remember are the caller's.
type Batcher interface {
	// BatchLimits is the most one batch may hold.
	BatchLimits() BatchLimits
	// BatchLine encodes one request as a line of a batch input file (no
	// newline), under id: 1 to 64 of [a-zA-Z0-9_-], unique in the batch.
	// The request body is exactly what Complete would send.
	BatchLine(id string, req Request) ([]byte, error)
	// SubmitBatch creates a batch from a file of lines. The returned
	// Batch's ID is what PollBatch, BatchResults and CancelBatch need.
	SubmitBatch(ctx context.Context, in BatchInput) (Batch, error)
	// PollBatch reports where batch id stands.
	PollBatch(ctx context.Context, id string) (Batch, error)
	// BatchResults streams the results of an ended batch, as polled, to
	// fn in the order the provider lists them, stopping at fn's first
	// error. like is any of the batch's requests: its Schema says how an
	// answer is read, as Complete reads it.
	BatchResults(ctx context.Context, b Batch, like Request, fn func(BatchResult) error) error
	// CancelBatch asks the provider to stop batch id. What it finished
	// stays to be read once the batch has ended.
	CancelBatch(ctx context.Context, id string) (Batch, error)
}

// BatchLimits bounds one batch.
type BatchLimits struct {
	Requests int   // lines per batch
	Bytes    int64 // bytes of lines (newlines included) per batch
}

// BatchInput is a batch's input file: Requests lines of BatchLine, each
// ended by a newline, Bytes long in all.
type BatchInput struct {
	Path     string
	Requests int
	Bytes    int64
}

// BatchPhase is where a batch stands, in words common to the providers.
type BatchPhase string

// The phases of a batch. Only BatchEnded is final: the batch's results,
// whatever they hold, can then be read.
const (
	BatchValidating BatchPhase = "validating"
	BatchInProgress BatchPhase = "in progress"
	BatchFinalizing BatchPhase = "finalizing"
	BatchCancelling BatchPhase = "cancelling"
	BatchEnded      BatchPhase = "ended"
)

// Batch is what a provider says about one batch.
type Batch struct {
	ID     string
	File   string     // the uploaded input file, where the provider has one (OpenAI)
	Phase  BatchPhase // where it stands
	Status string     // the provider's own word: "in_progress", "completed", "expired", "ended", …
	Counts BatchCounts
	// Where the results are: OpenAI's output and error files, Anthropic's
	// results_url.
	OutputFile, ErrorFile, ResultsURL string
	// Problems are why a batch failed as a whole: its input did not
	// validate. None of its requests ran.
	Problems []BatchProblem
}

// Failed reports whether the batch ended without running any request
// because its input was refused.
func (b Batch) Failed() bool { return b.Status == "failed" }

// BatchCounts are the provider's request counts.
type BatchCounts struct {
	Total, Succeeded, Failed int
}

// BatchProblem is one reason a batch's input was refused. Line is the
// 1-based line of the input file it is about, 0 when it names none.
type BatchProblem struct {
	Line    int
	Code    string
	Message string
}

func (p BatchProblem) String() string {
	s := p.Message
	if p.Code != "" {
		s += " (" + p.Code + ")"
	}
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, s)
	}
	return s
}

// BatchResult is the outcome of one line of a batch: an answer, or Err.
// Err is an *Error whose Retryable says whether the same request may
// succeed in another batch (a 5xx, an expired or cancelled batch), or not
// (a 400, an invalid request).
type BatchResult struct {
	ID       string
	Response Response
	Err      error
}

// BatchFailedError is a batch that ended without running anything: the
// provider refused its input, for the reasons listed.
type BatchFailedError struct {
	ID       string
	Problems []BatchProblem
}

func (e *BatchFailedError) Error() string {
	if len(e.Problems) == 0 {
		return fmt.Sprintf("batch %s failed: the provider refused its input without saying why", e.ID)
	}
	shown := e.Problems
	more := ""
	if len(shown) > 5 {
		more = fmt.Sprintf("; and %d more", len(shown)-5)
		shown = shown[:5]
	}
	parts := make([]string, len(shown))
	for i, p := range shown {
		parts[i] = p.String()
	}
	return fmt.Sprintf("batch %s failed: the provider refused its input: %s%s", e.ID, strings.Join(parts, "; "), more)
}

// ErrNoBatchAPI is wrapped by the error of a server that does not serve
// the batch endpoints (a 404 on them): a local OpenAI-compatible server,
// or a proxy that passes only chat completions.
var ErrNoBatchAPI = errors.New("the server has no batch API")

// NoBatchAPIError is a 404 on a batch endpoint.
type NoBatchAPIError struct {
	URL string // the endpoint that answered 404
	Err error  // the *Error
}

func (e *NoBatchAPIError) Error() string {
	return fmt.Sprintf("%s answered 404: the server has no batch API (%v)", e.URL, e.Err)
}
func (e *NoBatchAPIError) Is(target error) bool { return target == ErrNoBatchAPI }
func (e *NoBatchAPIError) Unwrap() error        { return e.Err }

// ValidBatchID reports whether id can name a batch line for every
// provider: 1 to 64 of [a-zA-Z0-9_-] (Anthropic's rule; OpenAI's is
// looser).
func ValidBatchID(id string) bool { return validSchemaName(id) }
