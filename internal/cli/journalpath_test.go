package cli

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
)

// cacheHome points the user cache folder at an empty temporary one.
func cacheHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	return dir
}

func TestOpenJournalPlacement(t *testing.T) {
	home := cacheHome(t)
	out := filepath.Join(t.TempDir(), "out.csv")
	for _, tt := range []struct {
		name, cacheDir string
	}{
		{"user cache folder", ""},
		{"--cache", filepath.Join(t.TempDir(), "mine")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &config{cacheDir: tt.cacheDir, output: out, input: "-"}
			want, _ := journal.PathFor(tt.cacheDir, out, "-")
			var stderr bytes.Buffer
			j, closeJournal, err := c.withConsole(&stderr).openJournal()
			if err != nil {
				t.Fatal(err)
			}
			defer closeJournal()
			if j.Path() != want {
				t.Errorf("got %q, want %q", j.Path(), want)
			}
			if tt.cacheDir == "" && !strings.HasPrefix(j.Path(), home) {
				t.Errorf("got %q, want it under XDG_CACHE_HOME %q", j.Path(), home)
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
		})
	}
}

func TestOpenJournalNoCache(t *testing.T) {
	home := cacheHome(t)
	c := &config{output: filepath.Join(t.TempDir(), "out.csv"), input: "-", noCache: true}
	j, closeJournal, err := c.withConsole(new(bytes.Buffer)).openJournal()
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Put(llm.Key{1}, llm.Response{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	path := j.Path()
	closeJournal()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary journal %s outlived the run: %v", path, err)
	}
	if entries, _ := os.ReadDir(home); len(entries) > 0 {
		t.Errorf("--no-cache wrote to the user cache folder: %v", entries)
	}
}

func TestOpenJournalLocked(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		t.Skip("journals are locked only where flock is")
	}
	c := &config{cacheDir: t.TempDir(), output: filepath.Join(t.TempDir(), "out.csv"), input: "-"}
	first, closeFirst, err := c.withConsole(new(bytes.Buffer)).openJournal()
	if err != nil {
		t.Fatal(err)
	}
	defer closeFirst()
	var stderr bytes.Buffer
	j, closeJournal, err := c.withConsole(&stderr).openJournal()
	if err != nil || j != nil {
		t.Fatalf("got %v, %v; want no journal and no error", j, err)
	}
	closeJournal()
	want := "enrich: warning: " + first.Path() + ": the journal is in use by another enrich run; this run will neither reuse nor record answers\n"
	if stderr.String() != want {
		t.Errorf("got %q, want %q", stderr.String(), want)
	}
}

func TestOpenJournalUnwritable(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := &config{cacheDir: notDir, output: "out.csv", input: "-"}
	var stderr bytes.Buffer
	_, _, err := c.withConsole(&stderr).openJournal()
	var h hinted
	if !errors.As(err, &h) || h.hint != "choose a writable journal folder with --cache DIR, or run with --no-cache" {
		t.Errorf("got %v, want the --cache/--no-cache hint", err)
	}
}

func TestOpenJournalForPreview(t *testing.T) {
	home := cacheHome(t)
	out := filepath.Join(t.TempDir(), "out.csv")
	c := &config{output: out, input: "-"}

	j, closeJournal, err := c.openJournalForPreview()
	if err != nil || j != nil {
		t.Fatalf("with no journal yet: got %v, %v; want nil, nil", j, err)
	}
	closeJournal()
	if entries, _ := os.ReadDir(home); len(entries) > 0 {
		t.Errorf("the preview wrote to the user cache folder: %v", entries)
	}

	w, closeWriter, err := c.withConsole(new(bytes.Buffer)).openJournal()
	if err != nil {
		t.Fatal(err)
	}
	w.Put(llm.Key{1}, llm.Response{Text: "x"})
	closeWriter()
	before, _ := os.ReadFile(w.Path())

	j, closeJournal, err = c.openJournalForPreview()
	if err != nil || j == nil || !j.Has(llm.Key{1}) {
		t.Fatalf("got %v, %v; want the journal with its answer", j, err)
	}
	closeJournal()
	if after, _ := os.ReadFile(w.Path()); !bytes.Equal(after, before) {
		t.Errorf("the preview changed the journal: got %q, want %q", after, before)
	}

	for _, c := range []*config{
		{output: out, input: "-", fresh: true},
		{output: out, input: "-", noCache: true},
		{output: "", input: "-"},
	} {
		if j, closeJournal, err := c.openJournalForPreview(); err != nil || j != nil {
			t.Errorf("fresh=%v noCache=%v output=%q: got %v, %v; want nothing to count", c.fresh, c.noCache, c.output, j, err)
		} else {
			closeJournal()
		}
	}
}

// withConsole sets c to talk to w, as run does once the flags are known.
func (c *config) withConsole(w io.Writer) *config {
	c.con = newConsole(w, "text")
	return c
}
