package cli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/enrich-dev/enrich/cost"
	"github.com/enrich-dev/enrich/pipeline"
)

// progress shows a run on stderr: a live one-line bar on a terminal, a
// log line every few seconds otherwise (so cron and CI logs stay
// readable), nothing with --quiet. Every run ends with a summary.
//
// The bar is hand-drawn rather than taken from a progress library: it is
// one line redrawn with \r, and the libraries we tried either write
// frames into non-terminals or need a TUI event loop (see LIBRARIES.md).
// It is cut to the terminal's width, dropping the least useful fields
// first, so it never wraps (a wrapped line cannot be redrawn in place).
type progress struct {
	con       *console
	tty       bool
	width     func() int // the terminal's columns
	quiet     bool
	every     time.Duration
	lastLog   time.Time
	lastStage string // of batches, for batchUpdate
	drawn     bool
	last      snapshot    // the latest update, for notes between updates
	price     *cost.Price // for the summary's cost; nil when unknown
	total     int64       // rows expected, when a first pass counted them; 0 otherwise
	mu        sync.Mutex
}

// snapshot is a run's Stats with the rows expected.
type snapshot struct {
	pipeline.Stats
	Total int64
}

func newProgress(con *console, quiet bool) *progress {
	p := &progress{con: con, quiet: quiet, every: 5 * time.Second, lastLog: time.Now(), width: func() int { return 80 }}
	if f, ok := con.w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && con.json == nil {
		p.tty = true
		p.width = func() int {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				return w
			}
			return 80
		}
	}
	con.clear = p.clearBar
	return p
}

// clearBar wipes the live bar; the console calls it, holding its lock,
// before it prints a line.
func (p *progress) clearBar() {
	if p.drawn {
		fmt.Fprint(p.con.w, "\r\033[K")
		p.drawn = false
	}
}

func (p *progress) update(st pipeline.Stats) {
	p.mu.Lock()
	p.last = snapshot{st, p.total}
	s := p.last
	p.mu.Unlock()
	if p.quiet {
		return
	}
	if p.tty {
		p.con.mu.Lock()
		fmt.Fprintf(p.con.w, "\r\033[K%s", bar(s, p.width()))
		p.drawn = true
		p.con.mu.Unlock()
		return
	}
	if time.Since(p.lastLog) < p.every {
		return
	}
	p.lastLog = time.Now()
	attrs := []any{"rows", s.Rows, "total", s.Total, "rows_per_s", round1(rate(s)),
		"eta", eta(s).String(), "retries", s.Retries, "failed", s.Failed,
		"tokens_in", s.TokensIn, "tokens_out", s.TokensOut,
		"in_flight", s.InFlight, "oldest_s", round1(s.Oldest.Seconds()), "pacing", s.Pacing}
	if p.con.json != nil {
		p.con.mu.Lock()
		p.con.json.Info("progress", attrs...)
		p.con.mu.Unlock()
		return
	}
	p.con.mu.Lock()
	slog.New(slog.NewTextHandler(p.con.w, nil)).Info("progress", attrs...)
	p.con.mu.Unlock()
}

// interrupted says at once that the run is finishing what it has sent.
func (p *progress) interrupted(grace time.Duration) {
	p.mu.Lock()
	n := p.last.InFlight
	p.mu.Unlock()
	if n == 0 {
		p.con.notef("interrupted: stopping")
		return
	}
	p.con.notef("interrupted: finishing the %d requests in flight (up to %s) so their answers are kept; Ctrl-C again stops at once", n, grace)
}

// outcome is what a run left behind, for the summary.
type outcome struct {
	written bool   // OUTPUT is complete
	output  string // its name for people
}

// finish clears the bar and prints the summary, which --quiet keeps: it
// is the run's result, not its progress. It says only what is true of
// what was written: a run that wrote nothing does not point at an error
// column, and a run that did names OUTPUT on its last line.
func (p *progress) finish(s pipeline.Stats, out outcome) {
	cost := ""
	if p.price != nil {
		cost = "cost " + dollars(p.price.Cost(s.TokensIn, s.TokensOut))
	}
	if p.con.json != nil {
		p.con.say(slog.LevelInfo, "", "summary", "", "rows", s.Rows, "answered", s.Answered, "failed", s.Failed, "requests", s.Requests,
			"retries", s.Retries, "rate_limited", s.RateLimited, "from_journal", s.Cached, "shared", s.Shared, "tokens_in", s.TokensIn, "tokens_out", s.TokensOut,
			"cost_usd", p.costUSD(s), "elapsed_s", round1(s.Elapsed.Seconds()), "written", out.written, "output", out.output)
	} else {
		for _, line := range summary(s, out, cost) {
			p.con.notef("%s", line)
		}
	}
	switch {
	case !out.written:
	case s.Failed > 0 && s.FirstError != "":
		p.con.notef("%d rows failed; their errors are in the error column of %s; the first: %s", s.Failed, out.output, s.FirstError)
	default:
		p.con.notef("done: %d rows written to %s", s.Rows, out.output)
	}
}

// summary is the run's figures as lines of at most 80 columns.
func summary(s pipeline.Stats, out outcome, cost string) []string {
	var parts []string
	if out.written {
		parts = append(parts, fmt.Sprintf("%d rows", s.Rows), fmt.Sprintf("%d answered", s.Answered), fmt.Sprintf("%d failed", s.Failed))
	} else {
		parts = append(parts, "no OUTPUT was written", fmt.Sprintf("%d answers received", s.Answered))
	}
	parts = append(parts, fmt.Sprintf("%d requests", s.Requests), fmt.Sprintf("%d retries", s.Retries),
		fmt.Sprintf("%d rate-limited (429)", s.RateLimited), fmt.Sprintf("%d from the journal", s.Cached),
		fmt.Sprintf("%d shared", s.Shared), fmt.Sprintf("tokens %d in / %d out", s.TokensIn, s.TokensOut))
	if cost != "" {
		parts = append(parts, cost)
	}
	parts = append(parts, s.Elapsed.Round(time.Millisecond).String())
	return pack(parts, 80-len("enrich: "))
}

// pack joins parts with ", " into lines no wider than width.
func pack(parts []string, width int) []string {
	var lines []string
	line := ""
	for _, part := range parts {
		switch {
		case line == "":
			line = part
		case len(line)+2+len(part) <= width:
			line += ", " + part
		default:
			lines = append(lines, line+",")
			line = part
		}
	}
	return append(lines, line)
}

// costUSD is the run's cost, or -1 when the model's price is unknown.
func (p *progress) costUSD(s pipeline.Stats) float64 {
	if p.price == nil {
		return -1
	}
	return p.price.Cost(s.TokensIn, s.TokensOut)
}

// bar is the live line, at most width-1 columns: the fields that fit, in
// order of use: where the run is, whether anything is happening, how fast,
// how long, then the counts.
func bar(s snapshot, width int) string {
	head := "enrich: " + position(s)
	type field struct {
		text     string
		priority int // lower is kept first
	}
	fields := []field{}
	if s.Total > 0 {
		const cells = 20
		done := min(int(float64(cells)*float64(s.Rows)/float64(s.Total)), cells)
		fields = append(fields, field{"[" + strings.Repeat("=", done) + strings.Repeat(" ", cells-done) + "]", 6})
	}
	if s.InFlight > 0 && s.Oldest >= 2*time.Second {
		fields = append(fields, field{fmt.Sprintf("%d in flight, oldest %s", s.InFlight, s.Oldest.Round(time.Second)), 1})
	} else if s.Pacing > 0 && s.InFlight == 0 {
		fields = append(fields, field{"waiting for the rate limit", 1})
	}
	fields = append(fields, field{fmt.Sprintf("%.1f rows/s", rate(s)), 2})
	if d := eta(s); d > 0 {
		fields = append(fields, field{"eta " + d.String(), 3})
	}
	fields = append(fields, field{fmt.Sprintf("failed %d", s.Failed), 4}, field{fmt.Sprintf("retries %d", s.Retries), 5},
		field{fmt.Sprintf("tokens %d/%d", s.TokensIn, s.TokensOut), 7})
	room := width - 1 - len(head)
	keep := make([]bool, len(fields))
	for pri := 0; pri <= 7; pri++ {
		for i, f := range fields {
			if f.priority == pri && len(f.text)+3 <= room {
				keep[i], room = true, room-len(f.text)-3
			}
		}
	}
	var b strings.Builder
	b.WriteString(head)
	for i, f := range fields {
		if keep[i] {
			b.WriteString(" | ")
			b.WriteString(f.text)
		}
	}
	line := b.String()
	if len(line) > width-1 && width > 1 {
		line = line[:width-1] // a terminal narrower than the head itself
	}
	return line
}

func position(s snapshot) string {
	if s.Total > 0 {
		return fmt.Sprintf("%d/%d %3.0f%%", s.Rows, s.Total, 100*float64(s.Rows)/float64(s.Total))
	}
	return fmt.Sprintf("%d rows", s.Rows)
}

func rate(s snapshot) float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Elapsed.Seconds()
}

func eta(s snapshot) time.Duration {
	r := rate(s)
	if s.Total <= 0 || r <= 0 || s.Rows >= s.Total {
		return 0
	}
	return time.Duration(float64(s.Total-s.Rows) / r * float64(time.Second)).Round(time.Second)
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
