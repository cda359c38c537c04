package cli

import (
	"fmt"
	"io"
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
// readable), nothing with --quiet. Every run ends with one summary line.
//
// The bar is hand-drawn rather than taken from a progress library: it is
// one line redrawn with \r, and the libraries we tried either write
// frames into non-terminals or need a TUI event loop (see LIBRARIES.md).
type progress struct {
	w       io.Writer
	tty     bool
	quiet   bool
	log     *slog.Logger
	every   time.Duration
	mu      sync.Mutex
	lastLog time.Time
	drawn   bool
	price   *cost.Price // for the summary's cost; nil when unknown
	total   int64       // rows expected, when a first pass counted them; 0 otherwise
}

// snapshot is a run's Stats with the rows expected.
type snapshot struct {
	pipeline.Stats
	Total int64
}

func newProgress(stderr io.Writer, quiet bool, logFormat string) *progress {
	p := &progress{w: stderr, quiet: quiet, every: 5 * time.Second, lastLog: time.Now()}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if logFormat == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	}
	p.log = slog.New(h)
	return p
}

func (p *progress) update(st pipeline.Stats) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := snapshot{st, p.total}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", bar(s))
		p.drawn = true
		return
	}
	if time.Since(p.lastLog) >= p.every {
		p.lastLog = time.Now()
		p.log.Info("progress", "rows", s.Rows, "total", s.Total, "rows_per_s", round1(rate(s)),
			"eta", eta(s).String(), "retries", s.Retries, "failed", s.Failed,
			"tokens_in", s.TokensIn, "tokens_out", s.TokensOut)
	}
}

// finish clears the bar and prints the summary line, which --quiet keeps:
// it is the run's result, not its progress.
func (p *progress) finish(s pipeline.Stats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
	if p.tty || p.log == nil || !p.jsonLog() {
		costNote := ""
		if p.price != nil {
			costNote = ", cost " + dollars(p.price.Cost(s.TokensIn, s.TokensOut))
		}
		fmt.Fprintf(p.w, "enrich: %d rows, %d answered, %d failed, %d requests, %d retries, %d rate-limited (429), %d from the journal, %d shared, tokens %d in / %d out%s, %s\n",
			s.Rows, s.Answered, s.Failed, s.Requests, s.Retries, s.RateLimited, s.Cached, s.Shared, s.TokensIn, s.TokensOut, costNote, s.Elapsed.Round(time.Millisecond))
	} else {
		p.log.Info("summary", "rows", s.Rows, "answered", s.Answered, "failed", s.Failed, "requests", s.Requests,
			"retries", s.Retries, "rate_limited", s.RateLimited, "from_journal", s.Cached, "shared", s.Shared, "tokens_in", s.TokensIn, "tokens_out", s.TokensOut,
			"cost_usd", p.costUSD(s), "elapsed_s", round1(s.Elapsed.Seconds()))
	}
	if s.Failed > 0 && s.FirstError != "" {
		fmt.Fprintf(p.w, "enrich: %d rows failed; their errors are in the error column; the first: %s\n", s.Failed, s.FirstError)
	}
}

// costUSD is the run's cost, or -1 when the model's price is unknown.
func (p *progress) costUSD(s pipeline.Stats) float64 {
	if p.price == nil {
		return -1
	}
	return p.price.Cost(s.TokensIn, s.TokensOut)
}

func (p *progress) jsonLog() bool {
	_, ok := p.log.Handler().(*slog.JSONHandler)
	return ok
}

func bar(s snapshot) string {
	var b strings.Builder
	b.WriteString("enrich: ")
	if s.Total > 0 {
		const width = 20
		done := min(int(float64(width)*float64(s.Rows)/float64(s.Total)), width)
		fmt.Fprintf(&b, "%d/%d %3.0f%% [%s%s] ", s.Rows, s.Total, 100*float64(s.Rows)/float64(s.Total),
			strings.Repeat("=", done), strings.Repeat(" ", width-done))
	} else {
		fmt.Fprintf(&b, "%d rows ", s.Rows)
	}
	fmt.Fprintf(&b, "%.1f rows/s", rate(s))
	if d := eta(s); d > 0 {
		fmt.Fprintf(&b, " eta %s", d)
	}
	fmt.Fprintf(&b, " | retries %d | failed %d | tokens %d/%d", s.Retries, s.Failed, s.TokensIn, s.TokensOut)
	return b.String()
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
