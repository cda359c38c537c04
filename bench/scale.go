//go:build unix

package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// flatMB is the memory target at any row count.
const flatMB = 150

// firstWall remembers each journaled first run's wall time, so that its
// rerun is compared with it.
var firstWall = map[string]result{}

var (
	scaleProvider *fakeprovider.Provider
	scaleSrv      *httptest.Server
)

// scaleScenarios: one machine, a million rows over HTTP and ten million
// through the offline mock, each journaled, then rerun with everything
// in the journal. The rerun must stay in the same memory bound and be at
// least as fast as the first run.
func scaleScenarios() []scenario {
	flat := func(res result) string {
		if res.maxRSSMB >= flatMB {
			return fmt.Sprintf("TOO BIG (%.0f MB, target < %d MB)", res.maxRSSMB, flatMB)
		}
		return ""
	}
	return []scenario{
		{name: "scale/1m", rows: 1_000_000, args: []string{"-j", "64"}, check: flat, custom: journaled(false, false)},
		{name: "scale/1m-rerun", rows: 1_000_000, args: []string{"-j", "64"}, check: flat, custom: journaled(false, true), maxRatio: 1},
		{name: "scale/10m-mock", rows: 10_000_000, args: []string{"-j", "64"}, check: flat, custom: journaled(true, false)},
		{name: "scale/10m-mock-rerun", rows: 10_000_000, args: []string{"-j", "64"}, check: flat, custom: journaled(true, true), maxRatio: 1},
	}
}

// journaled runs enrich with a journal of its own in dir: the first run
// starts it afresh; the rerun (making the first run itself when it has not
// been made) finds every answer there.
func journaled(mock, rerun bool) func(bin, dir string, sc scenario) result {
	return func(bin, dir string, sc scenario) result {
		in := filepath.Join(dir, fmt.Sprintf("in-%d.csv", sc.rows))
		if _, err := os.Stat(in); err != nil {
			writeInput(in, sc.rows)
		}
		cache := filepath.Join(dir, fmt.Sprintf("cache-%d-%v", sc.rows, mock))
		// One server for the first run and its rerun: its URL is part of
		// every request's journal key.
		if scaleSrv == nil {
			scaleProvider = fakeprovider.New(fakeprovider.Options{})
			scaleSrv = httptest.NewServer(scaleProvider)
		}
		p, srv := scaleProvider, scaleSrv
		before := p.Requests()
		args := append([]string{in, "-o", filepath.Join(dir, "out.csv"), "-p", "Summarise: {{.title}} {{.body}}", "--quiet", "--cache", cache}, sc.args...)
		if mock {
			args = append(args, "--provider", "mock")
		} else {
			args = append(args, "--base-url", srv.URL+"/v1")
		}
		first, made := firstWall[cache]
		if !made {
			os.RemoveAll(cache)
			first = runChild(bin, args)
			first.rowsPerS = float64(sc.rows) / first.wall.Seconds()
			firstWall[cache] = first
			if !rerun {
				first.requests = p.Requests() - before
				return first
			}
		}
		res := runChild(bin, args)
		res.rowsPerS = float64(sc.rows) / res.wall.Seconds()
		res.requests = p.Requests() - before
		if res.requests > 0 && res.exitCode == 0 {
			res.exitCode, res.stderrEnd = -1, fmt.Sprintf("the rerun sent %d requests; everything should come from the journal", res.requests)
		}
		// Everything comes from the journal: the rerun's ideal is the first
		// run's wall time.
		res.ideal = first.wall
		os.RemoveAll(cache)
		return res
	}
}
