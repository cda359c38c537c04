package main

import (
	"bytes"
	"fmt"
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

// asMain, set in a child's environment, makes the test binary run main
// instead of the tests: the signal tests need a real enrich process, and
// re-running this binary gives one without a go build.
const asMain = "ENRICH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// enrichCmd is a command that runs enrich as its own process, killed at
// the end of the test if it is still running then.
func enrichCmd(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asMain+"=1", "OPENAI_API_KEY=sk-test")
	t.Cleanup(func() {
		if cmd.Process != nil && cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// waitFor polls cond until it holds, failing the test after a deadline
// rather than hanging when the thing it waits for never happens.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func writeRows(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,\"row %d, with \"\"quotes\"\"\"\n", i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// interruptAndResume starts a run, stops it with sig once some answers are
// in, reruns the same command, and checks the result against a run that
// was never interrupted.
func interruptAndResume(t *testing.T, sig syscall.Signal, wantCode int) {
	const rows, concurrency = 120, 4
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	writeRows(t, in, rows)
	p := fakeprovider.New(fakeprovider.Options{Latency: 25 * time.Millisecond})
	srv := httptest.NewServer(p)
	defer srv.Close()
	command := func(out string, extra ...string) *exec.Cmd {
		return enrichCmd(t, append([]string{in, "-o", out, "-p", "{{.text}}", "-j", fmt.Sprint(concurrency),
			"--base-url", srv.URL + "/v1", "--cache", filepath.Join(dir, "cache")}, extra...)...)
	}

	out := filepath.Join(dir, "out.csv")
	cmd := command(out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a third of the answers", func() bool { return p.Answered() >= rows/3 })
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if sig == syscall.SIGKILL {
		code = -1 // killed: no status of its own
	}
	if code != wantCode {
		t.Fatalf("exit %d (%v), want %d; stderr:\n%s", code, err, wantCode, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("an interrupted run left OUTPUT behind")
	}
	if sig != syscall.SIGKILL {
		for _, w := range []string{"interrupted", "run the same command again to resume"} {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
			}
		}
	}
	sentBefore := p.Requests()
	if sentBefore >= rows {
		t.Fatalf("the run finished (%d requests) before it was interrupted; the test proves nothing", sentBefore)
	}

	stderr.Reset()
	rerun := command(out)
	rerun.Stderr = &stderr
	if err := rerun.Run(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "enrich: resuming: ") {
		t.Errorf("the rerun does not say it resumes:\n%s", stderr.String())
	}
	if total := p.Requests(); total > rows+concurrency {
		t.Errorf("%d requests across both runs, want at most rows + concurrency = %d", total, rows+concurrency)
	}

	want := filepath.Join(dir, "want.csv")
	if b, err := command(want, "--no-cache").CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(out)
	ref, _ := os.ReadFile(want)
	if !bytes.Equal(got, ref) {
		t.Errorf("resumed output differs from an uninterrupted run's:\ngot:\n%.500s\nwant:\n%.500s", got, ref)
	}
}

func TestKillAndResume(t *testing.T)      { interruptAndResume(t, syscall.SIGKILL, -1) }
func TestInterruptAndResume(t *testing.T) { interruptAndResume(t, syscall.SIGINT, 130) }
func TestTerminateAndResume(t *testing.T) { interruptAndResume(t, syscall.SIGTERM, 143) }

// A second Ctrl-C does not wait for the grace period.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	writeRows(t, in, 20)
	p := fakeprovider.New(fakeprovider.Options{Fault: func(int64, string) fakeprovider.Fault { return fakeprovider.Hang }})
	srv := httptest.NewServer(p)
	defer srv.Close()
	cmd := enrichCmd(t, in, "-o", filepath.Join(dir, "out.csv"), "-p", "{{.text}}", "--base-url", srv.URL, "--cache", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first request", func() bool { return p.Requests() > 0 })
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("the second Ctrl-C took %s to stop the run", d)
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "stopped at once") {
		t.Errorf("exit %d, stderr %q; want 130 and a note", code, stderr.String())
	}
}

// Ctrl-C ends a run whose input is a pipe with nothing more coming.
func TestInterruptWhileStdinIsIdle(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	srv := httptest.NewServer(p)
	defer srv.Close()
	cmd := enrichCmd(t, "-", "-o", "-", "-p", "{{.a}}", "--base-url", srv.URL, "--no-cache")
	stdin, _ := cmd.StdinPipe()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdin.Write([]byte("a\nx\n"))
	waitFor(t, "the first request", func() bool { return p.Requests() > 0 })
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s to stop after Ctrl-C while reading a pipe", d)
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, stderr.String())
	}
}

// Item 14 of issue 13: SIGTERM while enrich waits for the header on
// standard input took effect only when the pipe closed. Ctrl-C on a
// terminal also ends the process writing the pipe; SIGTERM reaches enrich
// alone, so enrich must stop waiting itself.
func TestTerminateWhileWaitingForTheHeader(t *testing.T) {
	cmd := enrichCmd(t, "-", "-o", "-", "-p", "{{.a}}", "--provider", "mock", "--no-cache")
	stdin, _ := cmd.StdinPipe() // open, and nothing written to it
	defer stdin.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // started, and reading standard input
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		stdin.Close() // what used to end it
		<-done
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s to stop after SIGTERM while waiting for the header", d)
	}
	if code := cmd.ProcessState.ExitCode(); code != 143 || !strings.Contains(stderr.String(), "enrich: interrupted") {
		t.Errorf("exit %d, stderr %q; want 143 and the interrupted note", code, stderr.String())
	}
}
