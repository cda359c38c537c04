package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// batchCommand is enrich --batch over rows against srv, journals in dir.
func batchCommand(t *testing.T, dir, srvURL, out string, extra ...string) *exec.Cmd {
	args := append([]string{filepath.Join(dir, "in.csv"), "-o", out, "-p", "{{.text}}", "--base-url", srvURL + "/v1",
		"--cache", filepath.Join(dir, "cache"), "--batch", "--batch-poll", "200ms", "--batch-size", "20"}, extra...)
	return enrichCmd(t, args...)
}

// kill -9 while a run waits on its batches, then the same command: no
// batch is created twice, and OUTPUT is what an online run writes.
func TestBatchKillWhileWaitingThenRerun(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "in.csv"), 50)
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Processing: 1500 * time.Millisecond}})
	srv := httptest.NewServer(p)
	defer srv.Close()
	out := filepath.Join(dir, "out.csv")

	cmd := batchCommand(t, dir, srv.URL, out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the batches to be polled", func() bool { return p.BatchesCreated() == 3 && p.Polls() >= 3 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a killed run left OUTPUT behind")
	}

	stderr.Reset()
	rerun := batchCommand(t, dir, srv.URL, out)
	rerun.Stderr = &stderr
	if err := rerun.Run(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, stderr.String())
	}
	if got := p.BatchesCreated(); got != 3 {
		t.Errorf("%d batches created across both runs, want 3 (50 rows, 20 a batch): the rerun submitted again", got)
	}
	if !strings.Contains(stderr.String(), "resuming: collecting the batches") {
		t.Errorf("the rerun does not say it resumes:\n%s", stderr.String())
	}

	online := fakeprovider.New(fakeprovider.Options{})
	osrv := httptest.NewServer(online)
	defer osrv.Close()
	want := filepath.Join(dir, "want.csv")
	ref := enrichCmd(t, filepath.Join(dir, "in.csv"), "-o", want, "-p", "{{.text}}", "--base-url", osrv.URL+"/v1", "--no-cache")
	if b, err := ref.CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(out)
	wantB, _ := os.ReadFile(want)
	if !bytes.Equal(got, wantB) {
		t.Errorf("OUTPUT after kill -9 and rerun differs from an online run's:\ngot:\n%.400s\nwant:\n%.400s", got, wantB)
	}
}

// --detach exits 75 at once; the same command exits 75 while the batches
// run, submitting nothing, then 0 with OUTPUT written.
func TestBatchDetachThenRerunAsAProcess(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "in.csv"), 30)
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Processing: 800 * time.Millisecond}})
	srv := httptest.NewServer(p)
	defer srv.Close()
	out := filepath.Join(dir, "out.csv")
	status := func() (int, string) {
		var stderr bytes.Buffer
		cmd := batchCommand(t, dir, srv.URL, out, "--detach")
		cmd.Stderr = &stderr
		cmd.Run()
		return cmd.ProcessState.ExitCode(), stderr.String()
	}
	if code, stderr := status(); code != 75 || !strings.Contains(stderr, "run the same command again to collect") {
		t.Fatalf("first run: exit %d, want 75 and how to collect; stderr:\n%s", code, stderr)
	}
	if code, stderr := status(); code != 75 || !strings.Contains(stderr, "nothing new was submitted") {
		t.Fatalf("second run: exit %d, want 75; stderr:\n%s", code, stderr)
	}
	time.Sleep(900 * time.Millisecond)
	if code, stderr := status(); code != 0 {
		t.Fatalf("third run: exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if got := p.BatchesCreated(); got != 2 {
		t.Errorf("%d batches, want 2 (30 rows, 20 a batch)", got)
	}
	if b, _ := os.ReadFile(out); strings.Count(string(b), "echo: ") != 30 {
		t.Errorf("OUTPUT lacks answers:\n%.400s", b)
	}
}

// Ctrl-C while waiting leaves the batches running and says so.
func TestBatchInterruptWhileWaiting(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "in.csv"), 10)
	p := fakeprovider.New(fakeprovider.Options{Batch: fakeprovider.BatchOptions{Processing: time.Hour}})
	srv := httptest.NewServer(p)
	defer srv.Close()
	cmd := batchCommand(t, dir, srv.URL, filepath.Join(dir, "out.csv"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a poll", func() bool { return p.Polls() >= 1 })
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "keep running at the provider") {
		t.Errorf("exit %d, want 130 and a note that the batches keep running; stderr:\n%s", code, stderr.String())
	}
}
