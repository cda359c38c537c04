package fakeprovider

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Anthropic's Message Batches, as the fake provider serves them.

func (p *Provider) serveAnthropicBatches(w http.ResponseWriter, r *http.Request, s *batchStore, parts []string) {
	if r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "" {
		var req struct {
			Requests []json.RawMessage `json:"requests"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Requests) == 0 {
			anthropicError(w, http.StatusBadRequest, "invalid_request_error", "requests: a non-empty list is required")
			return
		}
		seen := map[string]bool{}
		for i, raw := range req.Requests {
			id, model, _, maxTokens := lineRequest(raw, true)
			switch {
			case !anthropicID.MatchString(id):
				anthropicError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("requests.%d.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", i))
				return
			case seen[id]:
				anthropicError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("requests.%d.custom_id: duplicate custom_id %q", i, id))
				return
			case model == "" || maxTokens <= 0:
				anthropicError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("requests.%d.params: model and max_tokens are required", i))
				return
			}
			seen[id] = true
		}
		lines := make([][]byte, len(req.Requests))
		for i, raw := range req.Requests {
			lines[i] = raw
		}
		n := s.created.Add(1)
		b := &fakeBatch{n: n, id: fmt.Sprintf("msgbatch_%d", n), anthropic: true, lines: lines, created: time.Now()}
		p.admit(s, b)
		if b.problems != nil {
			anthropicError(w, http.StatusBadRequest, "invalid_request_error", "requests.0: this batch was refused by the fake")
			return
		}
		writeJSON(w, p.anthropicBatch(b, r))
		return
	}
	s.mu.Lock()
	b := s.batches[parts[0]]
	s.mu.Unlock()
	switch {
	case b == nil || !b.anthropic:
		anthropicError(w, http.StatusNotFound, "not_found_error", "batch not found: "+parts[0])
	case r.Method == http.MethodGet && len(parts) == 1:
		s.polls.Add(1)
		writeJSON(w, p.anthropicBatch(b, r))
	case r.Method == http.MethodGet && len(parts) == 2 && parts[1] == "results":
		w.Header().Set("Content-Type", "application/binary")
		bw := bufio.NewWriterSize(w, 1<<16)
		p.anthropicResults(bw, b)
		bw.Flush()
	case r.Method == http.MethodPost && len(parts) == 2 && parts[1] == "cancel":
		p.cancel(s, b)
		writeJSON(w, p.anthropicBatch(b, r))
	default:
		anthropicError(w, http.StatusNotFound, "not_found_error", "Invalid URL")
	}
}

func (p *Provider) anthropicBatch(b *fakeBatch, r *http.Request) map[string]any {
	status, done := p.progress(b)
	counts := map[string]int{"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
	for i := range b.lines {
		switch {
		case i >= done && status == "cancelled":
			counts["canceled"]++
		case i >= done && status == "expired":
			counts["expired"]++
		case i >= done:
			counts["processing"]++
		case p.lineFault(b, i) != OK:
			counts["errored"]++
		default:
			counts["succeeded"]++
		}
	}
	obj := map[string]any{"id": b.id, "type": "message_batch", "processing_status": "in_progress", "request_counts": counts,
		"created_at": b.created.UTC().Format(time.RFC3339), "results_url": nil}
	switch status {
	case "completed", "expired", "cancelled":
		obj["processing_status"] = "ended"
		obj["results_url"] = "http://" + r.Host + strings.SplitAfter(r.URL.Path, "/messages/batches")[0] + "/" + b.id + "/results"
	default:
		if !b.cancelAt.IsZero() {
			obj["processing_status"] = "canceling"
		}
	}
	return obj
}

func (p *Provider) anthropicResults(w io.Writer, b *fakeBatch) {
	status, done := p.progress(b)
	for i, line := range b.lines {
		id, model, prompt, _ := lineRequest(line, true)
		var result map[string]any
		switch {
		case i >= done && status == "cancelled":
			result = map[string]any{"type": "canceled"}
		case i >= done:
			result = map[string]any{"type": "expired"}
		case p.lineFault(b, i) == Status400:
			result = map[string]any{"type": "errored", "error": map[string]any{"type": "error", "error": map[string]string{"type": "invalid_request_error", "message": "prompt is too long"}}}
		case p.lineFault(b, i) == Status500:
			result = map[string]any{"type": "errored", "error": map[string]any{"type": "error", "error": map[string]string{"type": "api_error", "message": "Internal server error"}}}
		default:
			text := "echo: " + prompt
			result = map[string]any{"type": "succeeded", "message": map[string]any{
				"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
				"content":     []map[string]string{{"type": "text", "text": text}},
				"stop_reason": "end_turn",
				"usage":       map[string]int{"input_tokens": (len(prompt) + 3) / 4, "output_tokens": (len(text) + 3) / 4},
			}}
		}
		b, _ := json.Marshal(map[string]any{"custom_id": id, "result": result})
		w.Write(append(b, '\n'))
	}
}

func anthropicError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": typ, "message": msg}})
	w.Write(b)
}
