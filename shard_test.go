package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/internal/redistest"
)

// writeRepeating writes n rows whose text repeats every distinct rows.
func writeRepeating(t *testing.T, path string, n, distinct int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,\"topic %d, \"\"quoted\"\"\nover two lines\"\n", i, i%distinct)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

type shardJob struct {
	t   *testing.T
	dir string
	in  string
	url string
	ext string // of the parts and outputs: ".csv" when ""
}

func (s shardJob) cmd(out string, extra ...string) *exec.Cmd {
	return (enrichCmd(s.t, append([]string{s.in, "-o", out, "-p", "{{.text}}", "-j", "8", "--quiet",
		"--base-url", s.url + "/v1", "--cache", filepath.Join(s.dir, "cache")}, extra...)...))
}

func (s shardJob) part(i int) string {
	return filepath.Join(s.dir, fmt.Sprintf("part%d%s", i, s.extension()))
}

func (s shardJob) extension() string {
	if s.ext == "" {
		return ".csv"
	}
	return s.ext
}

// merge runs enrich merge on the parts, in the order given.
func (s shardJob) merge(out string, order ...int) {
	s.t.Helper()
	args := []string{"merge", "-o", out}
	for _, i := range order {
		args = append(args, s.part(i))
	}
	if b, err := enrichCmd(s.t, args...).CombinedOutput(); err != nil {
		s.t.Fatalf("merge: %v\n%s", err, b)
	}
}

// reference is one unsharded run's output, from a provider of its own.
func (s shardJob) reference() []byte {
	s.t.Helper()
	p := fakeprovider.New(fakeprovider.Options{})
	srv := httptest.NewServer(p)
	defer srv.Close()
	want := filepath.Join(s.dir, "want"+s.extension())
	if b, err := enrichCmd(s.t, s.in, "-o", want, "-p", "{{.text}}", "--quiet", "--base-url", srv.URL+"/v1", "--no-cache").CombinedOutput(); err != nil {
		s.t.Fatalf("reference run: %v\n%s", err, b)
	}
	b, _ := os.ReadFile(want)
	return b
}

func sameFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from an unsharded run's output (%d bytes, want %d):\ngot:\n%.400s\nwant:\n%.400s", path, len(got), len(want), got, want)
	}
}

// Three shards at once, then merge in any order: one run's bytes, each
// distinct request sent once; for a CSV file, and for a workbook enriched
// in place.
func TestShardsMergeToOneRun(t *testing.T) {
	const rows, distinct = 900, 600
	for _, ext := range []string{".csv", ".xlsx"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			p := fakeprovider.New(fakeprovider.Options{Latency: 2 * time.Millisecond})
			srv := httptest.NewServer(p)
			defer srv.Close()
			s := shardJob{t: t, dir: dir, in: filepath.Join(dir, "in"+ext), url: srv.URL, ext: ext}
			if ext == ".xlsx" {
				writeRepeatingBook(t, s.in, rows, distinct)
			} else {
				writeRepeating(t, s.in, rows, distinct)
			}
			var wg sync.WaitGroup
			for i := range 3 {
				wg.Go(func() {
					if b, err := s.cmd(s.part(i), "--shard", fmt.Sprintf("%d/3", i)).CombinedOutput(); err != nil {
						t.Errorf("shard %d: %v\n%s", i, err, b)
					}
				})
			}
			wg.Wait()
			if p.Requests() != distinct {
				t.Errorf("the provider saw %d requests for %d distinct prompts", p.Requests(), distinct)
			}
			want := s.reference()
			for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}} {
				out := filepath.Join(dir, fmt.Sprintf("merged-%d%s", order[0], ext))
				s.merge(out, order...)
				sameFile(t, out, want)
			}
		})
	}
}

// writeRepeatingBook writes writeRepeating's rows as a workbook, with
// excelize.
func writeRepeatingBook(t *testing.T, path string, n, distinct int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"id", "text"})
	for i := range n {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{i, fmt.Sprintf("topic %d, \"quoted\"\nover two lines", i%distinct)})
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// kill -9 of one shard, that shard rerun alone, then merge: the same
// bytes, and what the killed shard had paid for is not paid again.
func TestShardKilledAndRerun(t *testing.T) {
	const rows = 300
	dir := t.TempDir()
	p := fakeprovider.New(fakeprovider.Options{Latency: 20 * time.Millisecond})
	srv := httptest.NewServer(p)
	defer srv.Close()
	s := shardJob{t: t, dir: dir, in: filepath.Join(dir, "in.csv"), url: srv.URL}
	writeRepeating(t, s.in, rows, rows)
	victim := s.cmd(s.part(1), "--shard", "1/3")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a third of shard 1's answers", func() bool { return p.Answered() >= rows/9 })
	victim.Process.Signal(syscall.SIGKILL)
	victim.Wait()
	if _, err := os.Stat(s.part(1) + ".shard"); err == nil {
		t.Fatal("a killed shard left its record behind")
	}
	before := p.Requests()
	for _, i := range []int{0, 2, 1} {
		if b, err := s.cmd(s.part(i), "--shard", fmt.Sprintf("%d/3", i)).CombinedOutput(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, b)
		}
	}
	if total := p.Requests(); total > rows+8 || total-before >= rows {
		t.Errorf("%d requests in all (%d after the kill), want at most rows + -j", total, total-before)
	}
	out := filepath.Join(dir, "merged.csv")
	s.merge(out, 1, 0, 2)
	sameFile(t, out, s.reference())
}

// Three processes sharing one budget in a real Redis keep, together, to
// the provider's limit.
func TestSharedLimitAcrossProcesses(t *testing.T) {
	redis := redistest.Start(t)
	const rows, rpm = 300, 3000 // 50 a second: 6s for all three
	dir := t.TempDir()
	p := fakeprovider.New(fakeprovider.Options{RPM: rpm, Burst: 2})
	srv := httptest.NewServer(p)
	defer srv.Close()
	s := shardJob{t: t, dir: dir, in: filepath.Join(dir, "in.csv"), url: srv.URL}
	writeRepeating(t, s.in, rows, rows)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			if b, err := s.cmd(s.part(i), "--shard", fmt.Sprintf("%d/3", i), "--rpm", fmt.Sprint(rpm), "--limit-store", redis.URL).CombinedOutput(); err != nil {
				t.Errorf("shard %d: %v\n%s", i, err, b)
			}
		})
	}
	wg.Wait()
	wall, ideal := time.Since(start), time.Duration(rows)*time.Minute/rpm
	// Loose bounds: this runs under the race detector on a busy machine;
	// go run ./bench -only shared measures the real figures.
	if wall > 2*ideal {
		t.Errorf("three processes sharing %d a minute took %s, want about %s", rpm, wall, ideal)
	}
	if p.RateLimited() > rows/10 {
		t.Errorf("%d of %d requests were answered 429; one shared budget should meet few", p.RateLimited(), p.Requests())
	}
	out := filepath.Join(dir, "merged.csv")
	s.merge(out, 0, 1, 2)
	sameFile(t, out, s.reference())
}

// An unreachable store stops the run at once with the address.
func TestLimitStoreUnreachable(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	writeRows(t, in, 3)
	b, err := enrichCmd(t, in, "-o", filepath.Join(dir, "o.csv"), "-p", "{{.text}}", "--provider", "mock", "--rpm", "60",
		"--limit-store", "redis://:pw@127.0.0.1:1/0").CombinedOutput()
	if err == nil || !strings.Contains(string(b), "127.0.0.1:1") || strings.Contains(string(b), ":pw@") {
		t.Errorf("err %v, output %s; want a failure naming the store, its password hidden", err, b)
	}
}
