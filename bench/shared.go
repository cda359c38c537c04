//go:build unix

package main

import (
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// sharedScenarios: three processes, each a shard of one 900-row input at
// --rpm 1200, against a provider limited to 1200 a minute in all (burst 5):
// with one budget in Redis, and without (each paces itself alone, so
// together they go at three times the limit).
func sharedScenarios() []scenario {
	const rows, rpm = 900, 1200
	few := func(res result) string {
		if float64(res.limited) >= 0.02*float64(res.requests) {
			return fmt.Sprintf("TOO MANY 429s (%d of %d requests)", res.limited, res.requests)
		}
		return ""
	}
	ideal := rows * time.Minute / rpm
	return []scenario{
		{name: "shared/3proc-redis", rows: rows, ideal: ideal, maxRatio: 1.10, check: few, custom: threeProcesses(true)},
		// Reported, not a target: this is what the shared store fixes.
		{name: "shared/3proc-alone", rows: rows, ideal: ideal, maxRatio: 100, custom: threeProcesses(false),
			check: func(res result) string { return res.note }},
	}
}

func threeProcesses(redis bool) func(bin, dir string, sc scenario) result {
	return func(bin, dir string, sc scenario) result {
		in := filepath.Join(dir, fmt.Sprintf("in-%d.csv", sc.rows))
		if _, err := os.Stat(in); err != nil {
			writeInput(in, sc.rows)
		}
		p := fakeprovider.New(fakeprovider.Options{RPM: 1200, Burst: 5})
		srv := httptest.NewServer(p)
		defer srv.Close()
		var extra []string
		if redis {
			url, stop, err := startRedis(dir)
			if err != nil {
				return result{exitCode: -1, stderrEnd: err.Error()}
			}
			defer stop()
			extra = []string{"--limit-store", url}
		}
		results := make([]result, 3)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() {
				args := append([]string{in, "-o", filepath.Join(dir, fmt.Sprintf("part%d.csv", i)), "-p", "Summarise: {{.title}} {{.body}}",
					"--base-url", srv.URL + "/v1", "--quiet", "--no-cache", "-j", "16", "--rpm", "1200", "--shard", fmt.Sprintf("%d/3", i)}, extra...)
				results[i] = runChild(bin, args)
			})
		}
		wg.Wait()
		res := result{wall: time.Since(start), requests: p.Requests(), limited: p.RateLimited()}
		res.rowsPerS = float64(sc.rows) / res.wall.Seconds()
		for _, r := range results {
			if !redis && r.exitCode == exitRowsFailed {
				r.exitCode = 0 // expected: rows that met 429s on every attempt
				res.note = "ok (reported: rows failed after every retry met a 429)"
			}
			res.maxRSSMB = max(res.maxRSSMB, r.maxRSSMB)
			if r.exitCode != 0 && res.exitCode == 0 {
				res.exitCode, res.stderrEnd = r.exitCode, r.stderrEnd
			}
		}
		return res
	}
}

// exitRowsFailed is enrich's status for a complete OUTPUT with failed rows.
const exitRowsFailed = 3

// startRedis runs a redis-server on a free loopback port.
func startRedis(dir string) (string, func(), error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, fmt.Errorf("redis-server is not installed (apt-get install -y redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	rdir, _ := os.MkdirTemp(dir, "redis-")
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--dir", rdir, "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	for range 500 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "redis://" + addr + "/0", stop, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("redis-server did not start on %s", addr)
}
