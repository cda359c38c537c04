//go:build unix

// Command bench measures enrich against a local fake provider and prints
// wall time beside the ideal for each scenario of the speed targets:
//
//	go run ./bench              # every scenario
//	go run ./bench -only latency,memory
//	go run ./bench -only parquet,sqlite   # the ETL formats (formats.go)
//
// It builds the enrich binary, serves internal/fakeprovider on loopback in
// this process, and runs enrich as a child process, so the figures include
// start-up, reading, writing and the real HTTP client. Peak memory is the
// child's maximum resident set size.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

type scenario struct {
	name     string
	rows     int
	provider fakeprovider.Options
	args     []string
	ideal    time.Duration // 0: no time target
	// idealOf computes the ideal after the run, from what the provider
	// counted (token budgets depend on the prompts' sizes).
	idealOf  func(p *fakeprovider.Provider) time.Duration
	maxRatio float64
	check    func(res result) string // extra pass/fail note
	// compare is a note from this run against others run before it.
	compare func(res result, ran map[string]result) string
	// in is the input: "" the CSV of writeInput, "xlsx" the workbook of
	// writeWorkbook, "table" the same table as CSV; out is OUTPUT's
	// extension, "" for .csv.
	in, out string
	// python, when set, runs this openpyxl script instead of enrich, on
	// the same workbook (argv: input, output).
	python string
	// journal keeps a journal (in the bench's folder) instead of
	// --no-cache, which batch mode refuses.
	journal bool
	// custom, when set, runs the scenario instead of runScenario: several
	// processes, a rerun, a provider of its own.
	custom func(bin, dir string, sc scenario) result
}

type result struct {
	ideal     time.Duration
	wall      time.Duration
	maxRSSMB  float64
	requests  int64
	limited   int64
	rowsPerS  float64
	exitCode  int
	stderrEnd string
	batches   int64  // batches the provider created
	polls     int64  // batch status polls it answered
	note      string // a custom scenario's verdict note
}

func main() {
	only := flag.String("only", "", "comma-separated scenarios to run (default all)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "enrich-bench-")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "enrich")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	check(build.Run())

	failed := false
	fmt.Printf("%-28s %8s %9s %9s %7s %9s %8s %6s  %s\n", "scenario", "rows", "wall", "ideal", "ratio", "rows/s", "rss MB", "429s", "verdict")
	var rss20k float64
	ran := map[string]result{}
	for _, sc := range scenarios() {
		if *only != "" && !strings.Contains(","+*only+",", ","+strings.SplitN(sc.name, "/", 2)[0]+",") {
			continue
		}
		if sc.python != "" && !haveOpenpyxl() {
			fmt.Printf("%-28s %8d  skipped: /usr/bin/python3 with openpyxl not found (apt-get install python3-openpyxl)\n", sc.name, sc.rows)
			continue
		}
		var res result
		if sc.custom != nil {
			res = sc.custom(bin, dir, sc)
		} else {
			res = runScenario(bin, dir, sc)
		}
		ran[sc.name] = res
		verdict := "ok"
		ratio := 0.0
		if res.ideal > 0 {
			sc.ideal = res.ideal
		}
		if sc.ideal > 0 {
			ratio = res.wall.Seconds() / sc.ideal.Seconds()
			if ratio > sc.maxRatio {
				verdict = fmt.Sprintf("SLOW (target ≤ %.2f×)", sc.maxRatio)
			}
		}
		if sc.check != nil {
			if note := sc.check(res); note != "" {
				verdict = note
			}
		}
		if sc.compare != nil {
			if note := sc.compare(res, ran); note != "" {
				verdict = note
			}
		}
		if sc.name == "memory/20k" {
			rss20k = res.maxRSSMB
		}
		if sc.name == "memory/100k" && rss20k > 0 {
			if res.maxRSSMB > 1.5*rss20k || res.maxRSSMB >= 100 {
				verdict = fmt.Sprintf("TOO BIG (%.1f MB vs %.1f MB at 20k)", res.maxRSSMB, rss20k)
			} else {
				verdict = fmt.Sprintf("ok (%.2f× the 20k peak)", res.maxRSSMB/rss20k)
			}
		}
		if res.exitCode != 0 {
			verdict = fmt.Sprintf("EXIT %d: %s", res.exitCode, res.stderrEnd)
		}
		if !strings.HasPrefix(verdict, "ok") {
			failed = true
		}
		idealS, ratioS := "-", "-"
		if sc.ideal > 0 {
			idealS, ratioS = fmt.Sprintf("%.2fs", sc.ideal.Seconds()), fmt.Sprintf("%.3f×", ratio)
		}
		fmt.Printf("%-28s %8d %8.2fs %9s %7s %9.0f %8.1f %6d  %s\n", sc.name, sc.rows, res.wall.Seconds(), idealS, ratioS, res.rowsPerS, res.maxRSSMB, res.limited, verdict)
	}
	selected := func(name string) bool {
		return *only == "" || strings.Contains(","+*only+",", ","+strings.SplitN(name, "/", 2)[0]+",")
	}
	if !runFormats(bin, dir, selected) {
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

func scenarios() []scenario {
	const rpm = 1200
	// Real providers let a minute's worth of requests burst; one second's
	// worth is the stingy end of that.
	limited := fakeprovider.Options{RPM: rpm, Burst: rpm / 60}
	withHeaders := limited
	withHeaders.LimitHeaders = true
	few429 := func(res result) string {
		if float64(res.limited) >= 0.02*float64(res.requests) {
			return fmt.Sprintf("TOO MANY 429s (%d of %d requests)", res.limited, res.requests)
		}
		return ""
	}
	all := []scenario{
		{name: "latency/250ms-j40", rows: 400, provider: fakeprovider.Options{Latency: 250 * time.Millisecond},
			args: []string{"-j", "40"}, ideal: 400 * 250 * time.Millisecond / 40, maxRatio: 1.05},
		{name: "rpm/1200-given", rows: 200, provider: limited,
			args: []string{"-j", "16", "--rpm", "1200"}, ideal: 200 * time.Minute / rpm, maxRatio: 1.10, check: few429},
		{name: "adaptive/1200-headers", rows: 200, provider: withHeaders,
			args: []string{"-j", "16"}, ideal: 200 * time.Minute / rpm, maxRatio: 1.5},
		{name: "adaptive/1200-429s-only", rows: 200, provider: limited,
			args: []string{"-j", "16"}, ideal: 200 * time.Minute / rpm, maxRatio: 1.5},
		{name: "tpm/60000-given", rows: 200, provider: fakeprovider.Options{TPM: 60000},
			args: []string{"-j", "16", "--tpm", "60000", "--max-tokens", "50", "-m", "bench-model"}, maxRatio: 1.15, check: few429,
			idealOf: func(p *fakeprovider.Provider) time.Duration {
				// What the provider charged, less the second's worth its
				// bucket starts with, at its rate.
				return time.Duration(float64(p.TokensCharged()-1000) / 1000 * float64(time.Second))
			}},
		{name: "throughput/zero-latency-j64", rows: 10000, provider: fakeprovider.Options{},
			args: []string{"-j", "64"}, check: func(res result) string {
				if res.rowsPerS < 7000 {
					return fmt.Sprintf("SLOW (target ≥ 7000 rows/s, 10× the Python recipe's ~700)")
				}
				return fmt.Sprintf("ok (%.0f× the Python recipe's ~700 rows/s)", res.rowsPerS/700)
			}},
		{name: "memory/20k", rows: 20000, provider: fakeprovider.Options{}, args: []string{"-j", "64"}},
		{name: "memory/100k", rows: 100000, provider: fakeprovider.Options{}, args: []string{"-j", "64"}},
		// Batch mode: 200,000 rows through the provider's batch API with no
		// processing delay. HTTP calls grow with batches and polls, not rows.
		{name: "batch/200k", rows: 200000, provider: fakeprovider.Options{}, journal: true,
			args: []string{"--batch", "--batch-poll", "200ms"}, check: func(res result) string {
				calls := fmt.Sprintf("%d HTTP calls: %d batches, %d polls", res.requests, res.batches, res.polls)
				switch {
				case res.maxRSSMB >= 100:
					return fmt.Sprintf("TOO BIG (%.1f MB, target < 100 MB; %s)", res.maxRSSMB, calls)
				case res.requests > 20*res.batches+10:
					return "TOO MANY CALLS (" + calls + ")"
				}
				return "ok (" + calls + ")"
			}},
	}
	all = append(all, xlsxScenarios()...)
	all = append(all, scaleScenarios()...)
	all = append(all, pacingScenarios()...)
	return append(all, sharedScenarios()...)
}

func runScenario(bin, dir string, sc scenario) result {
	in := inputFor(dir, sc)
	ext := sc.out
	if ext == "" {
		ext = "csv"
	}
	out := filepath.Join(dir, "out."+ext)
	defer os.Remove(out)
	var cmd *exec.Cmd
	var p *fakeprovider.Provider
	switch {
	case sc.python != "":
		cmd = exec.Command(python, "-c", sc.python, in, out)
	case sc.in != "":
		cmd = exec.Command(bin, append([]string{in, "-o", out, "-p", "Summarise: {{.customer}} {{.note}}", "--provider", "mock", "--quiet", "--no-cache"}, sc.args...)...)
	default:
		p = fakeprovider.New(sc.provider)
		srv := httptest.NewServer(p)
		defer srv.Close()
		keep := "--no-cache"
		if sc.journal {
			cache := filepath.Join(dir, "cache")
			defer os.RemoveAll(cache)
			keep = "--cache=" + cache
		}
		args := append([]string{in, "-o", out, "-p", "Summarise: {{.title}} {{.body}}", "--base-url", srv.URL + "/v1", "--quiet", keep}, sc.args...)
		cmd = exec.Command(bin, args...)
	}
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=bench-key")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	res := result{wall: wall, rowsPerS: float64(sc.rows) / wall.Seconds()}
	if p != nil {
		res.requests, res.limited = p.Requests(), p.RateLimited()
		res.batches, res.polls = p.BatchesCreated(), p.Polls()
	}
	if err != nil {
		res.exitCode = -1
		if cmd.ProcessState != nil {
			res.exitCode = cmd.ProcessState.ExitCode()
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()+" "+err.Error()), "\n")
		res.stderrEnd = lines[len(lines)-1]
	}
	if sc.idealOf != nil && p != nil {
		res.ideal = sc.idealOf(p)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.maxRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	return res
}

// inputFor makes (once) the input file a scenario reads.
func inputFor(dir string, sc scenario) string {
	var in string
	var write func(string, int)
	switch sc.in {
	case "xlsx":
		in, write = filepath.Join(dir, fmt.Sprintf("in-%d.xlsx", sc.rows)), writeWorkbook
	case "table":
		in, write = filepath.Join(dir, fmt.Sprintf("table-%d.csv", sc.rows)), writeBenchCSV
	default:
		in, write = filepath.Join(dir, fmt.Sprintf("in-%d.csv", sc.rows)), writeInput
	}
	if _, err := os.Stat(in); err != nil {
		write(in, sc.rows)
	}
	return in
}

func writeInput(path string, rows int) {
	f, err := os.Create(path)
	check(err)
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id,title,body")
	for i := range rows {
		fmt.Fprintf(w, "%d,Ticket %d,\"The printer on floor %d, again, says \"\"PC LOAD LETTER\"\".\"\n", i, i, i%9)
	}
	check(w.Flush())
	check(f.Close())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runChild runs enrich once with args and measures it.
func runChild(bin string, args []string) result {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=bench-key")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	res := result{wall: time.Since(start)}
	if err != nil {
		res.exitCode = -1
		if cmd.ProcessState != nil {
			res.exitCode = cmd.ProcessState.ExitCode()
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()+" "+err.Error()), "\n")
		res.stderrEnd = lines[len(lines)-1]
	}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.maxRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
	}
	return res
}
