package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Anthropic's Message Batches limits: 100,000 requests or 256 MB.
const (
	AnthropicBatchRequests = 100_000
	AnthropicBatchBytes    = 256 << 20
)

// anthropicBatchesPath is where batches live under the base URL.
const anthropicBatchesPath = "v1/messages/batches"

var _ Batcher = (*Anthropic)(nil)

// BatchLimits is Anthropic's: 100,000 requests or 256 MB.
func (c *Anthropic) BatchLimits() BatchLimits {
	// A little is kept for the envelope around the lines.
	return BatchLimits{Requests: AnthropicBatchRequests, Bytes: AnthropicBatchBytes - 1024}
}

// BatchLine is {"custom_id", "params"}, params being what Complete would
// post.
func (c *Anthropic) BatchLine(id string, req Request) ([]byte, error) {
	if !ValidBatchID(id) {
		return nil, fmt.Errorf("batch id %q is not 1 to 64 letters, digits, '_' or '-'", id)
	}
	body, _, err := encodeMessages(req)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		CustomID string          `json:"custom_id"`
		Params   json.RawMessage `json:"params"`
	}{id, body})
}

// anthropicBatch is the Message Batch object.
type anthropicBatch struct {
	ID               string `json:"id"`
	ProcessingStatus string `json:"processing_status"`
	RequestCounts    *struct {
		Processing int `json:"processing"`
		Succeeded  int `json:"succeeded"`
		Errored    int `json:"errored"`
		Canceled   int `json:"canceled"`
		Expired    int `json:"expired"`
	} `json:"request_counts"`
	ResultsURL *string `json:"results_url"`
}

func (b anthropicBatch) batch() Batch {
	out := Batch{ID: b.ID, Status: b.ProcessingStatus}
	switch b.ProcessingStatus {
	case "ended":
		out.Phase = BatchEnded
	case "canceling":
		out.Phase = BatchCancelling
	default:
		out.Phase = BatchInProgress
	}
	if c := b.RequestCounts; c != nil {
		failed := c.Errored + c.Canceled + c.Expired
		out.Counts = BatchCounts{Total: c.Processing + c.Succeeded + failed, Succeeded: c.Succeeded, Failed: failed}
	}
	if b.ResultsURL != nil {
		out.ResultsURL = *b.ResultsURL
	}
	return out
}

// SubmitBatch posts {"requests": [lines…]} to BASE/v1/messages/batches,
// streamed from the file. A 404 is a *NoBatchAPIError; a refused request
// (400, with the index of the request at fault in its message) is an
// *Error.
func (c *Anthropic) SubmitBatch(ctx context.Context, in BatchInput) (Batch, error) {
	f, err := os.Open(in.Path)
	if err != nil {
		return Batch{}, fmt.Errorf("batch input: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return Batch{}, fmt.Errorf("batch input %s: empty or unreadable (%v)", in.Path, err)
	}
	const head, tail = `{"requests":[`, `]}`
	// The lines become the array's elements: each newline but the last is a
	// comma, and the last is left out.
	lines := &newlinesToCommas{r: io.LimitReader(f, fi.Size()-1)}
	body := io.MultiReader(strings.NewReader(head), lines, strings.NewReader(tail))
	target := c.under(anthropicPath, anthropicBatchesPath)
	resp, err := c.send(ctx, http.MethodPost, target, "application/json", body, int64(len(head))+fi.Size()-1+int64(len(tail)))
	if err != nil {
		return Batch{}, submitError(target, err)
	}
	defer closeBody(resp.Body)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return Batch{}, fmt.Errorf("read response body: %w", err)
	}
	var b anthropicBatch
	if err := json.Unmarshal(raw, &b); err != nil || b.ID == "" {
		return Batch{}, c.bodyError(&Error{Message: fmt.Sprintf("the batch was created without an id (body starts %q)", snippet(raw, 60))}, resp.Header, Limits{})
	}
	return b.batch(), nil
}

// newlinesToCommas turns the newlines between JSON Lines into commas.
type newlinesToCommas struct{ r io.Reader }

func (n *newlinesToCommas) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	for i := range p[:k] {
		if p[i] == '\n' {
			p[i] = ','
		}
	}
	return k, err
}

// PollBatch reads BASE/v1/messages/batches/{id}.
func (c *Anthropic) PollBatch(ctx context.Context, id string) (Batch, error) {
	var b anthropicBatch
	if err := c.exchange(ctx, http.MethodGet, c.under(anthropicPath, anthropicBatchesPath+"/"+url.PathEscape(id)), nil, &b); err != nil {
		return Batch{}, err
	}
	return b.batch(), nil
}

// CancelBatch posts BASE/v1/messages/batches/{id}/cancel.
func (c *Anthropic) CancelBatch(ctx context.Context, id string) (Batch, error) {
	var b anthropicBatch
	if err := c.exchange(ctx, http.MethodPost, c.under(anthropicPath, anthropicBatchesPath+"/"+url.PathEscape(id)+"/cancel"), nil, &b); err != nil {
		return Batch{}, err
	}
	return b.batch(), nil
}

// anthropicResultLine is a line of a batch's results.
type anthropicResultLine struct {
	CustomID string `json:"custom_id"`
	Result   struct {
		Type    string          `json:"type"` // succeeded, errored, canceled, expired
		Message json.RawMessage `json:"message"`
		Error   json.RawMessage `json:"error"`
	} `json:"result"`
}

// BatchResults streams the JSONL at the batch's results_url. succeeded is
// read as Complete reads an answer; errored is retryable unless its type
// is invalid_request_error; canceled and expired are retryable.
func (c *Anthropic) BatchResults(ctx context.Context, b Batch, like Request, fn func(BatchResult) error) error {
	if b.ResultsURL == "" {
		return &Error{Message: fmt.Sprintf("batch %s has ended but names no results_url", b.ID), Provider: c.provider}
	}
	target := b.ResultsURL
	if u, err := url.Parse(b.ResultsURL); err == nil && !u.IsAbs() {
		base, _ := url.Parse(c.endpoint)
		target = base.ResolveReference(u).String()
	}
	tool := ""
	if like.Schema != nil {
		name, _, err := like.Schema.parts()
		if err != nil {
			return err
		}
		tool = name
	}
	return c.lines(ctx, target, func(line []byte) error {
		return fn(c.result(line, tool))
	})
}

func (c *Anthropic) result(line []byte, tool string) BatchResult {
	line = c.red.body(line) // the key out before anything reads, cuts or quotes the line
	var l anthropicResultLine
	if err := json.Unmarshal(line, &l); err != nil {
		return BatchResult{Err: &Error{Message: fmt.Sprintf("unreadable result line: %v (starts %q)", err, snippet(line, 60)), Provider: c.provider}}
	}
	out := BatchResult{ID: l.CustomID}
	switch l.Result.Type {
	case "succeeded":
		resp, e := decodeMessages(l.Result.Message, tool)
		if e != nil {
			e.Provider = c.provider
			e.Message = c.red.text(e.Message)
			out.Err = e
		} else {
			resp.Text, resp.FinishReason = c.red.answer(resp.Text), c.red.answer(resp.FinishReason)
			out.Response = resp
		}
	case "errored":
		msg, code := errorMessage(l.Result.Error)
		if code == "error" { // {"type":"error","error":{"type":…}}: errorMessage found the outer type
			var inner struct {
				Error struct {
					Type string `json:"type"`
				} `json:"error"`
			}
			if json.Unmarshal(l.Result.Error, &inner) == nil && inner.Error.Type != "" {
				code = inner.Error.Type
			}
		}
		out.Err = &Error{Message: c.red.text(msg), Code: code, Retryable: code != "invalid_request_error", Provider: c.provider}
	case "canceled", "expired":
		out.Err = &Error{Message: "the batch was " + l.Result.Type + " before this request ran", Code: "batch_" + l.Result.Type, Retryable: true, Provider: c.provider}
	default:
		out.Err = &Error{Message: fmt.Sprintf("unknown result type %q", l.Result.Type), Provider: c.provider}
	}
	return out
}
