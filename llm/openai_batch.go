package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
)

// OpenAI's batch limits: 50,000 requests or 200 MB per input file.
const (
	OpenAIBatchRequests = 50_000
	OpenAIBatchBytes    = 200 << 20
)

// openAIBatchEndpoint is the endpoint every line of a batch is for.
const openAIBatchEndpoint = "/v1/chat/completions"

var _ Batcher = (*OpenAI)(nil)

// BatchLimits is OpenAI's: 50,000 requests or 200 MB.
func (c *OpenAI) BatchLimits() BatchLimits {
	return BatchLimits{Requests: OpenAIBatchRequests, Bytes: OpenAIBatchBytes}
}

// BatchLine is {"custom_id", "method": "POST", "url": "/v1/chat/completions",
// "body"}, the body being what Complete would post.
func (c *OpenAI) BatchLine(id string, req Request) ([]byte, error) {
	if !ValidBatchID(id) {
		return nil, fmt.Errorf("batch id %q is not 1 to 64 letters, digits, '_' or '-'", id)
	}
	body, err := c.encode(req)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		CustomID string          `json:"custom_id"`
		Method   string          `json:"method"`
		URL      string          `json:"url"`
		Body     json.RawMessage `json:"body"`
	}{id, http.MethodPost, openAIBatchEndpoint, body})
}

// openAIBatch is the Batch object of the files and batches API.
type openAIBatch struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	InputFileID  string  `json:"input_file_id"`
	OutputFileID *string `json:"output_file_id"`
	ErrorFileID  *string `json:"error_file_id"`
	Errors       *struct {
		Data []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Line    *int   `json:"line"`
		} `json:"data"`
	} `json:"errors"`
	RequestCounts *struct {
		Total     int `json:"total"`
		Completed int `json:"completed"`
		Failed    int `json:"failed"`
	} `json:"request_counts"`
}

func (b openAIBatch) batch() Batch {
	out := Batch{ID: b.ID, File: b.InputFileID, Status: b.Status, Phase: openAIPhase(b.Status)}
	if b.OutputFileID != nil {
		out.OutputFile = *b.OutputFileID
	}
	if b.ErrorFileID != nil {
		out.ErrorFile = *b.ErrorFileID
	}
	if c := b.RequestCounts; c != nil {
		out.Counts = BatchCounts{Total: c.Total, Succeeded: c.Completed, Failed: c.Failed}
	}
	if b.Errors != nil {
		for _, e := range b.Errors.Data {
			p := BatchProblem{Code: e.Code, Message: e.Message}
			if e.Line != nil {
				p.Line = *e.Line
			}
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

// openAIPhase: validating, in_progress, finalizing, cancelling, and the
// four ends (completed, failed, expired, cancelled).
func openAIPhase(status string) BatchPhase {
	switch status {
	case "validating":
		return BatchValidating
	case "in_progress":
		return BatchInProgress
	case "finalizing":
		return BatchFinalizing
	case "cancelling":
		return BatchCancelling
	case "completed", "failed", "expired", "cancelled":
		return BatchEnded
	}
	return BatchInProgress // a status this client does not know yet: keep polling
}

// SubmitBatch uploads in as a file with purpose "batch" (multipart, to
// BASE/files), then creates a batch of it (BASE/batches) for
// /v1/chat/completions with a 24h completion window. A 404 on either is a
// *NoBatchAPIError.
func (c *OpenAI) SubmitBatch(ctx context.Context, in BatchInput) (Batch, error) {
	fileID, err := c.upload(ctx, in)
	if err != nil {
		return Batch{}, err
	}
	body, _ := json.Marshal(map[string]any{
		"input_file_id":     fileID,
		"endpoint":          openAIBatchEndpoint,
		"completion_window": "24h",
		"metadata":          map[string]string{"created_by": "enrich"},
	})
	target := c.under(openAIPath, "batches")
	var b openAIBatch
	if err := c.exchange(ctx, http.MethodPost, target, body, &b); err != nil {
		return Batch{File: fileID}, submitError(target, err)
	}
	if b.ID == "" {
		return Batch{File: fileID}, &Error{Message: "the batch was created without an id", Provider: c.provider}
	}
	out := b.batch()
	if out.File == "" {
		out.File = fileID
	}
	return out, nil
}

// upload posts the file as multipart/form-data with a known length, read
// from disk as it goes, so a 200 MB file never sits in memory.
func (c *OpenAI) upload(ctx context.Context, in BatchInput) (string, error) {
	f, err := os.Open(in.Path)
	if err != nil {
		return "", fmt.Errorf("batch input: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("batch input: %w", err)
	}
	var head, tail bytes.Buffer
	mw := multipart.NewWriter(&head)
	if err := mw.WriteField("purpose", "batch"); err != nil {
		return "", err
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="file"; filename="enrich-batch.jsonl"`)
	h.Set("Content-Type", "application/jsonl")
	if _, err := mw.CreatePart(h); err != nil {
		return "", err
	}
	ctype := mw.FormDataContentType()
	// Close writes the closing boundary; it goes after the file.
	headLen := head.Len()
	if err := mw.Close(); err != nil {
		return "", err
	}
	tail.Write(head.Bytes()[headLen:])
	head.Truncate(headLen)

	target := c.under(openAIPath, "files")
	body := io.MultiReader(&head, f, &tail)
	resp, err := c.send(ctx, http.MethodPost, target, ctype, body, int64(head.Len())+fi.Size()+int64(tail.Len()))
	if err != nil {
		return "", submitError(target, err)
	}
	defer closeBody(resp.Body)
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return "", fmt.Errorf("read response body: %w", err)
	}
	var file struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &file); err != nil || file.ID == "" {
		return "", c.bodyError(&Error{Message: fmt.Sprintf("the upload's answer names no file (body starts %q)", snippet(raw, 60))}, resp.Header, Limits{})
	}
	return file.ID, nil
}

// PollBatch reads BASE/batches/{id}.
func (c *OpenAI) PollBatch(ctx context.Context, id string) (Batch, error) {
	var b openAIBatch
	if err := c.exchange(ctx, http.MethodGet, c.under(openAIPath, "batches/"+url.PathEscape(id)), nil, &b); err != nil {
		return Batch{}, err
	}
	return b.batch(), nil
}

// CancelBatch posts BASE/batches/{id}/cancel.
func (c *OpenAI) CancelBatch(ctx context.Context, id string) (Batch, error) {
	var b openAIBatch
	if err := c.exchange(ctx, http.MethodPost, c.under(openAIPath, "batches/"+url.PathEscape(id)+"/cancel"), nil, &b); err != nil {
		return Batch{}, err
	}
	return b.batch(), nil
}

// openAIResultLine is a line of a batch's output or error file.
type openAIResultLine struct {
	CustomID string `json:"custom_id"`
	Response *struct {
		StatusCode int             `json:"status_code"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// BatchResults reads the output file, then the error file. Every line is
// checked: a response whose status_code is not 200 is a failure wherever
// it is (a 400 can sit in the output file).
func (c *OpenAI) BatchResults(ctx context.Context, b Batch, _ Request, fn func(BatchResult) error) error {
	for _, file := range []string{b.OutputFile, b.ErrorFile} {
		if file == "" {
			continue
		}
		err := c.lines(ctx, c.under(openAIPath, "files/"+url.PathEscape(file)+"/content"), func(line []byte) error {
			return fn(c.result(line))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// result reads one line of a results file.
func (c *OpenAI) result(line []byte) BatchResult {
	line = c.red.body(line) // the key out before anything reads, cuts or quotes the line
	var l openAIResultLine
	if err := json.Unmarshal(line, &l); err != nil {
		return BatchResult{Err: &Error{Message: fmt.Sprintf("unreadable result line: %v (starts %q)", err, snippet(line, 60)), Provider: c.provider}}
	}
	out := BatchResult{ID: l.CustomID}
	switch {
	case l.Response != nil && l.Response.StatusCode == http.StatusOK:
		resp, e := decodeChat(l.Response.Body)
		if e != nil {
			e.Provider = c.provider
			e.Message = c.red.text(e.Message)
			out.Err = e
		} else {
			resp.Text, resp.FinishReason = c.red.answer(resp.Text), c.red.answer(resp.FinishReason)
			out.Response = resp
		}
	case l.Response != nil && l.Response.StatusCode != 0:
		msg, code := errorMessage(l.Response.Body)
		if msg == "" {
			msg = http.StatusText(l.Response.StatusCode)
		}
		out.Err = &Error{Status: l.Response.StatusCode, Message: c.red.text(msg), Code: code,
			Retryable: retryableStatus(l.Response.StatusCode) && code != "insufficient_quota", Provider: c.provider}
	case l.Error != nil:
		out.Err = &Error{Message: c.red.text(l.Error.Message), Code: l.Error.Code, Retryable: retryableBatchCode(l.Error.Code), Provider: c.provider}
	default:
		out.Err = &Error{Message: "the result line holds neither a response nor an error", Provider: c.provider}
	}
	return out
}

// retryableBatchCode sorts the codes of a line that failed without a
// response: the batch ran out of time or was stopped, or the server
// failed; another batch may do better. Anything else is about the request.
func retryableBatchCode(code string) bool {
	switch code {
	case "batch_expired", "batch_cancelled", "server_error", "internal_error", "rate_limit_exceeded", "timeout":
		return true
	}
	return false
}
