package fakeprovider

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The fake serves both batch APIs beside chat completions:
//
//   - OpenAI's files and batches: POST …/files (multipart, purpose=batch),
//     POST …/batches, GET …/batches/{id}, POST …/batches/{id}/cancel,
//     GET …/files/{id}/content.
//   - Anthropic's Message Batches: POST …/v1/messages/batches,
//     GET …/v1/messages/batches/{id}, GET …/v1/messages/batches/{id}/results,
//     POST …/v1/messages/batches/{id}/cancel.
//
// A batch runs for BatchOptions.Processing after it is created (validating
// for its first tenth, finalizing for its last), then ends; its lines are
// answered as chat completions would be ("echo: " + the prompt), unless
// LineFault says otherwise. Uploaded files and batches live in memory;
// output files are made when they are read.

// BatchOptions configures the batch APIs; the zero value serves them with
// no processing delay and no faults.
type BatchOptions struct {
	Disabled   bool          // answer 404 on every batch endpoint, as a server without them does
	Processing time.Duration // from creation to the end of a batch
	// LineFault decides what happens to one line, from its prompt: OK,
	// Status400 (a response with status_code 400 in the output file;
	// Anthropic: errored, invalid_request_error) or Status500 (a 500 in the
	// error file; Anthropic: errored, api_error). nil answers every line.
	LineFault func(prompt string) Fault
	// Expire says whether the n-th batch created (from 1) expires: it ends
	// with half its lines done and the rest expired.
	Expire func(n int64) bool
	// Invalid says whether the n-th batch fails validation as a whole.
	Invalid func(n int64) bool
}

// BatchesCreated counts batches created (both APIs); Uploads the files
// uploaded; Polls the status requests.
func (p *Provider) BatchesCreated() int64 { return p.batchStore().created.Load() }
func (p *Provider) Uploads() int64        { return p.batchStore().uploads.Load() }
func (p *Provider) Polls() int64          { return p.batchStore().polls.Load() }

// BatchIDs lists the batches created, oldest first.
func (p *Provider) BatchIDs() []string {
	s := p.batchStore()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}

type batchStore struct {
	mu                                sync.Mutex
	files                             map[string][]byte
	batches                           map[string]*fakeBatch
	order                             []string
	created, uploads, polls, nextFile atomic.Int64
}

type fakeBatch struct {
	n         int64
	id        string
	anthropic bool
	inputFile string
	lines     [][]byte // OpenAI: the input lines; Anthropic: each request object
	created   time.Time
	cancelAt  time.Time // zero unless cancelled
	expire    bool
	problems  []map[string]any // validation errors: the batch failed
}

func (p *Provider) batchStore() *batchStore {
	p.batchOnce.Do(func() {
		p.batches = &batchStore{files: map[string][]byte{}, batches: map[string]*fakeBatch{}}
	})
	return p.batches
}

// serveBatch answers the batch endpoints; false means the request is not
// for one.
func (p *Provider) serveBatch(w http.ResponseWriter, r *http.Request) bool {
	path := r.URL.Path
	var rest string
	var anthropic bool
	switch {
	case strings.Contains(path, "/messages/batches"):
		rest, anthropic = path[strings.Index(path, "/messages/batches")+len("/messages/batches"):], true
	case strings.Contains(path, "/batches"):
		rest = path[strings.Index(path, "/batches")+len("/batches"):]
	case strings.Contains(path, "/files"):
		rest = path[strings.Index(path, "/files"):]
	default:
		return false
	}
	if p.opts.Batch.Disabled {
		writeError(w, http.StatusNotFound, "Invalid URL ("+r.Method+" "+path+")")
		return true
	}
	s := p.batchStore()
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case strings.HasPrefix(rest, "/files"):
		p.serveFiles(w, r, s, parts[1:])
	case anthropic:
		p.serveAnthropicBatches(w, r, s, parts)
	default:
		p.serveOpenAIBatches(w, r, s, parts)
	}
	return true
}

func (p *Provider) serveFiles(w http.ResponseWriter, r *http.Request, s *batchStore, parts []string) {
	switch {
	case r.Method == http.MethodPost && len(parts) == 0:
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			writeError(w, http.StatusBadRequest, "expected multipart/form-data: "+err.Error())
			return
		}
		if got := r.FormValue("purpose"); got != "batch" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid value for purpose: %q", got))
			return
		}
		f, _, err := r.FormFile("file")
		if err != nil {
			writeError(w, http.StatusBadRequest, "missing file")
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		s.uploads.Add(1)
		id := fmt.Sprintf("file-in%d", s.nextFile.Add(1))
		s.mu.Lock()
		s.files[id] = b
		s.mu.Unlock()
		writeJSON(w, map[string]any{"id": id, "object": "file", "bytes": len(b), "created_at": time.Now().Unix(),
			"filename": "batch.jsonl", "purpose": "batch", "status": "processed"})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[1] == "content":
		s.mu.Lock()
		content, ok := s.files[parts[0]]
		var b *fakeBatch
		kind := ""
		for _, prefix := range []string{"file-out-", "file-err-"} {
			if id, found := strings.CutPrefix(parts[0], prefix); found {
				b, kind = s.batches[id], prefix
			}
		}
		s.mu.Unlock()
		switch {
		case ok:
			w.Write(content)
		case b != nil:
			w.Header().Set("Content-Type", "application/jsonl")
			bw := bufio.NewWriterSize(w, 1<<16)
			p.openAIResults(bw, b, kind == "file-out-")
			bw.Flush()
		default:
			writeError(w, http.StatusNotFound, "No such File object: "+parts[0])
		}
	default:
		writeError(w, http.StatusNotFound, "Invalid URL")
	}
}

func (p *Provider) serveOpenAIBatches(w http.ResponseWriter, r *http.Request, s *batchStore, parts []string) {
	if r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "" {
		var req struct {
			InputFileID      string `json:"input_file_id"`
			Endpoint         string `json:"endpoint"`
			CompletionWindow string `json:"completion_window"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "invalid JSON body")
			return
		}
		if req.Endpoint != "/v1/chat/completions" || req.CompletionWindow != "24h" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid endpoint %q or completion_window %q", req.Endpoint, req.CompletionWindow))
			return
		}
		s.mu.Lock()
		content, ok := s.files[req.InputFileID]
		s.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, "No such File object: "+req.InputFileID)
			return
		}
		n := s.created.Add(1)
		b := &fakeBatch{n: n, id: fmt.Sprintf("batch_%d", n), inputFile: req.InputFileID, created: time.Now()}
		b.lines, b.problems = validateOpenAILines(content)
		p.admit(s, b)
		writeJSON(w, p.openAIBatch(b))
		return
	}
	s.mu.Lock()
	b := s.batches[parts[0]]
	s.mu.Unlock()
	switch {
	case b == nil || b.anthropic:
		writeError(w, http.StatusNotFound, "No batch found with id '"+parts[0]+"'")
	case r.Method == http.MethodGet && len(parts) == 1:
		s.polls.Add(1)
		writeJSON(w, p.openAIBatch(b))
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "cancel":
		p.cancel(s, b)
		obj := p.openAIBatch(b)
		if obj["status"] != "cancelled" && obj["status"] != "completed" {
			obj["status"] = "cancelling"
		}
		writeJSON(w, obj)
	default:
		writeError(w, http.StatusNotFound, "Invalid URL")
	}
}

// admit records a new batch, marking it to expire or fail as configured.
func (p *Provider) admit(s *batchStore, b *fakeBatch) {
	bo := p.opts.Batch
	if bo.Expire != nil && bo.Expire(b.n) {
		b.expire = true
	}
	if bo.Invalid != nil && bo.Invalid(b.n) && b.problems == nil {
		b.problems = []map[string]any{{"code": "invalid_request", "message": "this batch was refused by the fake", "line": 1}}
	}
	s.mu.Lock()
	s.batches[b.id] = b
	s.order = append(s.order, b.id)
	s.mu.Unlock()
}

func (p *Provider) cancel(s *batchStore, b *fakeBatch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.cancelAt.IsZero() {
		b.cancelAt = time.Now()
	}
}

// progress is where b stands: its status in OpenAI's words and how many
// of its lines have been done.
func (p *Provider) progress(b *fakeBatch) (status string, done int) {
	now := time.Now()
	if !b.cancelAt.IsZero() {
		now = b.cancelAt
	}
	frac := 1.0
	if d := p.opts.Batch.Processing; d > 0 {
		frac = min(float64(now.Sub(b.created))/float64(d), 1)
	}
	n := len(b.lines)
	switch {
	case b.problems != nil:
		return "failed", 0
	case !b.cancelAt.IsZero() && frac < 1:
		return "cancelled", int(frac * float64(n))
	case frac < 0.1:
		return "validating", 0
	case frac < 0.9:
		return "in_progress", int(frac * float64(n))
	case frac < 1:
		return "finalizing", n
	case b.expire:
		return "expired", n / 2
	}
	return "completed", n
}

func (p *Provider) openAIBatch(b *fakeBatch) map[string]any {
	status, done := p.progress(b)
	obj := map[string]any{"id": b.id, "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": b.inputFile,
		"completion_window": "24h", "status": status, "created_at": b.created.Unix(), "output_file_id": nil, "error_file_id": nil}
	failed := 0
	for i := range done {
		if p.lineFault(b, i) != OK {
			failed++
		}
	}
	obj["request_counts"] = map[string]int{"total": len(b.lines), "completed": done - failed, "failed": failed}
	switch status {
	case "failed":
		obj["errors"] = map[string]any{"object": "list", "data": b.problems}
		obj["request_counts"] = map[string]int{"total": 0, "completed": 0, "failed": 0}
	case "completed", "expired", "cancelled":
		obj["output_file_id"] = "file-out-" + b.id
		obj["error_file_id"] = "file-err-" + b.id
	}
	return obj
}

// validateOpenAILines splits an input file into lines and checks each as
// OpenAI does: JSON, a unique custom_id, POST to /v1/chat/completions, a
// body with a model (one model per file) and messages.
func validateOpenAILines(content []byte) ([][]byte, []map[string]any) {
	var lines [][]byte
	var problems []map[string]any
	seen := map[string]bool{}
	model := ""
	for i, line := range bytes.Split(content, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		lines = append(lines, line)
		var l struct {
			CustomID string `json:"custom_id"`
			Method   string `json:"method"`
			URL      string `json:"url"`
			Body     struct {
				Model    string            `json:"model"`
				Messages []json.RawMessage `json:"messages"`
			} `json:"body"`
		}
		bad := func(code, msg string) {
			problems = append(problems, map[string]any{"code": code, "message": msg, "line": i + 1})
		}
		switch err := json.Unmarshal(line, &l); {
		case err != nil:
			bad("invalid_json", "This line is not parseable as valid JSON.")
		case l.CustomID == "" || seen[l.CustomID]:
			bad("duplicate_custom_id", "The custom_id for this request is missing or a duplicate of another request.")
		case l.Method != "POST" || l.URL != "/v1/chat/completions":
			bad("invalid_url", "The URL provided for this request does not match the batch endpoint.")
		case l.Body.Model == "" || len(l.Body.Messages) == 0:
			bad("missing_required_parameter", "The request body lacks model or messages.")
		case model != "" && l.Body.Model != model:
			bad("mismatched_model", "The provided model does not match the model of the other requests in the file.")
		}
		seen[l.CustomID] = true
		if model == "" {
			model = l.Body.Model
		}
	}
	return lines, problems
}

// lineFault is what happens to line i of b.
func (p *Provider) lineFault(b *fakeBatch, i int) Fault {
	if p.opts.Batch.LineFault == nil {
		return OK
	}
	return p.opts.Batch.LineFault(linePrompt(b.lines[i], b.anthropic))
}

// lineRequest reads what a line asks: its id, model and last message.
func lineRequest(line []byte, anthropic bool) (id, model, prompt string, maxTokens int) {
	var l struct {
		CustomID string `json:"custom_id"`
		Body     *body  `json:"body"`
		Params   *body  `json:"params"`
	}
	_ = json.Unmarshal(line, &l)
	bd := l.Body
	if anthropic {
		bd = l.Params
	}
	if bd == nil || len(bd.Messages) == 0 {
		return l.CustomID, "", "", 0
	}
	return l.CustomID, bd.Model, bd.Messages[len(bd.Messages)-1].Content, bd.MaxTokens
}

type body struct {
	Model     string `json:"model"`
	MaxTokens int    `json:"max_tokens"`
	Messages  []struct {
		Content string `json:"content"`
	} `json:"messages"`
}

func linePrompt(line []byte, anthropic bool) string {
	_, _, prompt, _ := lineRequest(line, anthropic)
	return prompt
}

// openAIResults writes b's output file (ok) or its error file.
func (p *Provider) openAIResults(w io.Writer, b *fakeBatch, ok bool) {
	status, done := p.progress(b)
	for i, line := range b.lines {
		id, model, prompt, _ := lineRequest(line, false)
		var out map[string]any
		switch {
		case i >= done:
			if ok {
				continue
			}
			code, msg := "batch_expired", "This request could not be executed before the completion window expired."
			if status == "cancelled" {
				code, msg = "batch_cancelled", "This request was not executed because the batch was cancelled."
			}
			out = map[string]any{"id": "batch_req_" + strconv.Itoa(i), "custom_id": id, "response": nil,
				"error": map[string]string{"code": code, "message": msg}}
		case p.lineFault(b, i) == Status400:
			if !ok {
				continue
			}
			out = map[string]any{"id": "batch_req_" + strconv.Itoa(i), "custom_id": id, "error": nil,
				"response": map[string]any{"status_code": 400, "request_id": "req", "body": map[string]any{"error": map[string]string{"message": "Invalid value for 'model'", "type": "invalid_request_error"}}}}
		case p.lineFault(b, i) == Status500:
			if ok {
				continue
			}
			out = map[string]any{"id": "batch_req_" + strconv.Itoa(i), "custom_id": id, "error": nil,
				"response": map[string]any{"status_code": 500, "request_id": "req", "body": map[string]any{"error": map[string]string{"message": "The server had an error while processing your request", "type": "server_error"}}}}
		default:
			if !ok {
				continue
			}
			out = map[string]any{"id": "batch_req_" + strconv.Itoa(i), "custom_id": id, "error": nil,
				"response": map[string]any{"status_code": 200, "request_id": "req", "body": json.RawMessage(completion(model, "echo: "+prompt, len(prompt)))}}
		}
		b, _ := json.Marshal(out)
		w.Write(append(b, '\n'))
	}
}

var anthropicID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
