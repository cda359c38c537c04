package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// Item 7 of issue 13: --prompt-file /dev/zero read 4.9 GB and ignored
// SIGTERM. Template and schema files are read up to their limit.
func TestPromptAndSchemaFilesAreCapped(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 2<<20), 0o644)
	files := []string{big}
	if _, err := os.Stat("/dev/zero"); err == nil {
		files = append(files, "/dev/zero")
	}
	for _, f := range files {
		for _, tt := range []struct {
			flag, want string
		}{
			{"--prompt-file", "is larger than 1 MiB, the most a template may be"},
			{"--schema", "is larger than 1 MiB, the most a schema may be"},
		} {
			t.Run(tt.flag+" "+filepath.Base(f), func(t *testing.T) {
				p := fakeprovider.New(fakeprovider.Options{})
				args := []string{"examples/products.csv", "-o", filepath.Join(dir, "out.csv"), tt.flag, f}
				if tt.flag == "--schema" {
					args = append(args, "-p", "{{.name}}")
				}
				start := time.Now()
				r := enrich(t, p, "", args...)
				if r.code != exitFatal {
					t.Errorf("exit %d, want %d; stderr:\n%s", r.code, exitFatal, r.stderr)
				}
				failedCleanly(t, r, p, dir, []string{tt.flag + " " + f, tt.want})
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("took %s", d)
				}
			})
		}
	}
}

// Item 7 of issue 13: reading a template that never comes (a FIFO with
// no writer) stops at Ctrl-C.
func TestPromptFileReadStopsWhenInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	fifo := filepath.Join(t.TempDir(), "prompt.tmpl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(100*time.Millisecond, func() { cancel(Interrupted{syscall.SIGINT}) })
	defer func() { // let a reader that is still waiting go
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	}()
	r := runInterrupted(t, ctx, "", "examples/products.csv", "-o", filepath.Join(t.TempDir(), "out.csv"), "--prompt-file", fifo, "--provider", "mock")
	interruptedCleanly(t, r, 130)
}

// runInterrupted is Run, as main calls it, with ctx for the signals.
func runInterrupted(t *testing.T, ctx context.Context, stdin string, args ...string) cli {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, strings.NewReader(stdin), &out, &errb) }()
	select {
	case code := <-done:
		return cli{code, out.String(), errb.String()}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not stop when interrupted")
	}
	return cli{}
}

func interruptedCleanly(t *testing.T, r cli, code int) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, "enrich: interrupted") || strings.Contains(r.stderr, "context canceled") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit %d and the interrupted note", r.code, r.stderr, code)
	}
}

// Item 15 of issue 13: Ctrl-C during the first pass printed "enrich:
// error: context canceled" instead of the interrupted note.
func TestInterruptBeforeAnyRequestSaysSo(t *testing.T) {
	t.Run("already interrupted", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{syscall.SIGINT})
		r := runInterrupted(t, ctx, "", "examples/products.csv", "-o", filepath.Join(dir, "out.csv"), "-p", "{{.name}}", "--provider", "mock")
		interruptedCleanly(t, r, 130)
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("left behind: %v", entries)
		}
	})
	t.Run("while the first pass waits for a row", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no FIFOs")
		}
		dir := t.TempDir()
		fifo := filepath.Join(dir, "in.csv")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip(err)
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0) // until enrich opens it
			if err != nil {
				return
			}
			defer f.Close()
			f.WriteString("a\n1\n2\n")
			time.Sleep(200 * time.Millisecond) // the first pass reads rows 1 and 2, then waits
			cancel(Interrupted{syscall.SIGTERM})
			<-ctx.Done()
			time.Sleep(3 * time.Second) // a run that ignores ctx waits for this
		}()
		out := filepath.Join(t.TempDir(), "out.csv")
		start := time.Now()
		r := runInterrupted(t, ctx, "", fifo, "-o", out, "-p", "{{.a}}", "--provider", "mock")
		interruptedCleanly(t, r, 143)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %s to stop", d)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("OUTPUT was written")
		}
	})
}

// Item 9 of issue 13: templates that parse and then fail on every row
// exited 3 after failing them all; failing on the first row, the run
// stops before any request, exit 1, whether the input is a file (in its
// first pass) or standard input.
func TestTemplateFailingOnTheFirstRowIsFatal(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	for _, tt := range []struct {
		name, tmpl, want string
	}{
		{"a field of a cell", "{{.name.x}}", "the prompt fails on the first row (row 2), so nothing was sent"},
		{"an undefined template", `{{template "nope"}}`, `template "nope" is called but not defined`},
		{"recursion", `{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}`, `template "a" calls itself`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeprovider.New(fakeprovider.Options{})
			r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", tt.tmpl)
			if r.code != exitFatal {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, exitFatal, r.stderr)
			}
			failedCleanly(t, r, p, dir, []string{tt.want})

			in, _ := os.ReadFile("examples/products.csv")
			r = enrich(t, p, string(in), "-", "-o", out, "-p", tt.tmpl)
			// From standard input the run has started: its summary says
			// it sent nothing, then the error follows.
			if r.code != exitFatal || !strings.Contains(r.stderr, "enrich: error: ") || !strings.Contains(r.stderr, tt.want) || p.Requests() != 0 {
				t.Errorf("standard input: exit %d, %d requests, stderr:\n%s\nwant exit %d and %q", r.code, p.Requests(), r.stderr, exitFatal, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("OUTPUT was written")
			}
		})
	}
	// A template that fails only on a later row fails that row.
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", "examples/products.csv", "-o", out, "-p", `{{if eq .sku "P-1003"}}{{.sku.x}}{{end}}{{.sku}}`)
	if r.code != exitRowsFailed || p.Requests() != 7 {
		t.Errorf("exit %d, %d requests, want %d and 7; stderr:\n%s", r.code, p.Requests(), exitRowsFailed, r.stderr)
	}
}

// Item 8 of issue 13: a row whose prompt is over the 4 MiB cap gets a row
// error, and nothing is sent for it.
func TestPromptOverTheCapIsARowError(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("a\nsmall\n"+strings.Repeat("y", 5<<20)+"\n"), 0o644)
	out := filepath.Join(dir, "out.jsonl")
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", in, "-o", out, "-p", "{{.a}}")
	if r.code != exitRowsFailed || p.Requests() != 1 {
		t.Fatalf("exit %d, %d requests, want %d and 1; stderr:\n%s", r.code, p.Requests(), exitRowsFailed, r.stderr)
	}
	if !strings.Contains(r.stderr, "row 3: prompt template: the rendered prompt is larger than 4 MiB") {
		t.Errorf("stderr does not name the row and the limit:\n%s", r.stderr)
	}
}

// Item 12 of issue 13: UTF-16LE without a byte order mark became garbage
// rows and a request was sent; it is refused before anything is.
func TestUTF16InputSendsNothing(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	for _, c := range "name\nJos\u00e9\n" {
		b.WriteByte(byte(c))
		b.WriteByte(0)
	}
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, b.Bytes(), 0o644)
	p := fakeprovider.New(fakeprovider.Options{})
	r := enrich(t, p, "", in, "-o", filepath.Join(dir, "out.csv"), "-p", "{{.name}}")
	if r.code != exitFatal {
		t.Errorf("exit %d, want %d", r.code, exitFatal)
	}
	failedCleanly(t, r, p, dir, []string{"in.csv", "looks like UTF-16", "save the file as UTF-8"})
}

// failedCleanly checks a refused run: one enrich: error line saying each
// of want, no request sent, and nothing (OUTPUT or a temporary file) left
// in dir.
func failedCleanly(t *testing.T, r cli, p *fakeprovider.Provider, dir string, want []string) {
	t.Helper()
	if !strings.HasPrefix(r.stderr, "enrich: error: ") {
		t.Errorf("stderr %q does not start with enrich: error:", r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q lacks %q", r.stderr, w)
		}
	}
	if p.Requests() != 0 {
		t.Errorf("%d requests were sent", p.Requests())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "out") || strings.Contains(e.Name(), ".tmp") {
			t.Errorf("%s was left behind", e.Name())
		}
	}
}
