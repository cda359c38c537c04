package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/pipeline"
)

func TestProgressOffATerminal(t *testing.T) {
	s := pipeline.Stats{Rows: 40, Answered: 39, Failed: 1, Requests: 42, Retries: 2, TokensIn: 1000, TokensOut: 500, Elapsed: 4 * time.Second}
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, false, "json")
		p.every, p.total = 0, 100
		p.price = &cost.Price{Input: 1, Output: 2}
		p.update(s)
		p.finish(s)
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) < 2 {
			t.Fatalf("got %q, want a progress line and a summary", buf.String())
		}
		var prog, sum map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &prog); err != nil || prog["msg"] != "progress" || prog["rows"] != 40.0 || prog["eta"] != "6s" {
			t.Errorf("progress line %s (%v)", lines[0], err)
		}
		if err := json.Unmarshal([]byte(lines[1]), &sum); err != nil || sum["msg"] != "summary" || sum["failed"] != 1.0 || sum["cost_usd"] != 0.002 {
			t.Errorf("summary line %s (%v)", lines[1], err)
		}
	})
	t.Run("text and quiet", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(&buf, true, "text")
		p.every = 0
		p.update(s)
		p.finish(s)
		out := buf.String()
		if strings.Contains(out, "progress") || strings.Contains(out, "\r") {
			t.Errorf("--quiet still shows progress: %q", out)
		}
		if !strings.HasPrefix(out, "enrich: 40 rows, 39 answered, 1 failed, 42 requests, 2 retries") {
			t.Errorf("summary %q", out)
		}
	})
}
