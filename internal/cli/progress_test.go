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
	s := pipeline.Stats{Rows: 40, Answered: 39, Failed: 1, Requests: 42, Retries: 2, TokensIn: 1000, TokensOut: 500, Elapsed: 4 * time.Second, FirstError: "row 7: status 500"}
	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(newConsole(&buf, "json"), false)
		p.every, p.total = 0, 100
		p.price = &cost.Price{Input: 1, Output: 2}
		p.update(s)
		p.finish(s, outcome{written: true, output: "out.csv"})
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) < 3 {
			t.Fatalf("got %q, want a progress line, a summary and the failed rows", buf.String())
		}
		var prog, sum, failed map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &prog); err != nil || prog["msg"] != "progress" || prog["rows"] != 40.0 || prog["eta"] != "6s" {
			t.Errorf("progress line %s (%v)", lines[0], err)
		}
		if err := json.Unmarshal([]byte(lines[1]), &sum); err != nil || sum["msg"] != "summary" || sum["failed"] != 1.0 || sum["cost_usd"] != 0.002 || sum["output"] != "out.csv" {
			t.Errorf("summary line %s (%v)", lines[1], err)
		}
		if err := json.Unmarshal([]byte(lines[2]), &failed); err != nil || !strings.Contains(failed["msg"].(string), "error column of out.csv") {
			t.Errorf("last line %s (%v)", lines[2], err)
		}
	})
	t.Run("text and quiet", func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgress(newConsole(&buf, "text"), true)
		p.every = 0
		p.update(s)
		p.finish(s, outcome{written: true, output: "out.csv"})
		out := buf.String()
		if strings.Contains(out, "progress") || strings.Contains(out, "\r") {
			t.Errorf("--quiet still shows progress: %q", out)
		}
		if !strings.HasPrefix(out, "enrich: 40 rows, 39 answered, 1 failed, 42 requests, 2 retries") {
			t.Errorf("summary %q", out)
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n")[:2] {
			if len(line) > 80 {
				t.Errorf("summary line of %d columns: %q", len(line), line)
			}
		}
	})
}

// The summary says only what is true of what was written.
func TestSummaryAgreesWithOutput(t *testing.T) {
	s := pipeline.Stats{Answered: 0, Failed: 9, Requests: 17, FirstError: "row 2: status 401"}
	var buf bytes.Buffer
	newProgress(newConsole(&buf, "text"), false).finish(s, outcome{written: false, output: "out.csv"})
	out := buf.String()
	if !strings.Contains(out, "no OUTPUT was written") || strings.Contains(out, "error column") || strings.Contains(out, "0 rows") {
		t.Errorf("a run that wrote nothing says:\n%s", out)
	}
	buf.Reset()
	newProgress(newConsole(&buf, "text"), false).finish(pipeline.Stats{Rows: 8, Answered: 8, Requests: 8}, outcome{written: true, output: "out.csv"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if last := lines[len(lines)-1]; last != "enrich: done: 8 rows written to out.csv" {
		t.Errorf("a successful run's last line is %q, want it to name OUTPUT", last)
	}
}

// The live line fits the terminal, whatever the figures, dropping the
// least useful fields first, and shows a sign of life while requests wait.
func TestBarFitsTheTerminal(t *testing.T) {
	busy := snapshot{Stats: pipeline.Stats{Rows: 123456, Failed: 12, Retries: 345, TokensIn: 98765432, TokensOut: 1234567,
		Elapsed: 90 * time.Second, InFlight: 64, Oldest: 47 * time.Second}, Total: 1000000}
	for _, width := range []int{40, 60, 80, 120, 200} {
		line := bar(busy, width)
		if len(line) >= width {
			t.Errorf("width %d: a line of %d columns would wrap: %q", width, len(line), line)
		}
		if width >= 60 && !strings.Contains(line, "64 in flight, oldest 47s") {
			t.Errorf("width %d: no sign of the waiting requests: %q", width, line)
		}
	}
	if line := bar(busy, 200); !strings.Contains(line, "tokens 98765432/1234567") || !strings.Contains(line, "[==") {
		t.Errorf("a wide terminal drops fields: %q", line)
	}
	hung := snapshot{Stats: pipeline.Stats{Elapsed: 30 * time.Second, InFlight: 8, Oldest: 30 * time.Second}}
	if line := bar(hung, 80); !strings.Contains(line, "8 in flight, oldest 30s") {
		t.Errorf("a hung server shows %q", line)
	}
	paced := snapshot{Stats: pipeline.Stats{Elapsed: time.Second, Pacing: 8}}
	if line := bar(paced, 80); !strings.Contains(line, "waiting for the rate limit") {
		t.Errorf("pacing shows %q", line)
	}
}
