package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// Item 3 of issue 13: answers derive from the user's rows, so the journal
// is 0600 and the folders enrich creates for it 0700, $XDG_CACHE_HOME
// included (the XDG base-directory spec asks for 0700), while a folder
// that already exists keeps its mode.
func TestJournalAndItsFoldersArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	mode := func(path string) fs.FileMode {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	journalIn := func(dir string) string {
		t.Helper()
		m, _ := filepath.Glob(filepath.Join(dir, "journals", "*.jsonl"))
		if len(m) != 1 {
			t.Fatalf("journals under %s: %v, want one", dir, m)
		}
		return m[0]
	}
	p := fakeprovider.New(fakeprovider.Options{})
	root := t.TempDir()
	os.Chmod(root, 0o755)

	t.Run("a new XDG_CACHE_HOME", func(t *testing.T) {
		cache := filepath.Join(root, "new-cache")
		t.Setenv("XDG_CACHE_HOME", cache)
		succeeded(t, enrich(t, p, "", "examples/products.csv", "-o", filepath.Join(root, "a.csv"), "-p", "{{.name}}"))
		for _, dir := range []string{cache, filepath.Join(cache, "enrich"), filepath.Join(cache, "enrich", "journals")} {
			if got := mode(dir); got != 0o700 {
				t.Errorf("%s: mode %v, want 0700", dir, got)
			}
		}
		if got := mode(journalIn(filepath.Join(cache, "enrich"))); got != 0o600 {
			t.Errorf("journal: mode %v, want 0600", got)
		}
	})
	t.Run("an existing XDG_CACHE_HOME", func(t *testing.T) {
		cache := filepath.Join(root, "old-cache")
		os.Mkdir(cache, 0o755)
		os.Chmod(cache, 0o755)
		t.Setenv("XDG_CACHE_HOME", cache)
		succeeded(t, enrich(t, p, "", "examples/products.csv", "-o", filepath.Join(root, "b.csv"), "-p", "{{.name}}"))
		if got := mode(cache); got != 0o755 {
			t.Errorf("the user's folder was changed to %v", got)
		}
		if got := mode(filepath.Join(cache, "enrich")); got != 0o700 {
			t.Errorf("enrich/: mode %v, want 0700", got)
		}
	})
	t.Run("--cache", func(t *testing.T) {
		dir := filepath.Join(root, "ci", "journals-here")
		succeeded(t, enrich(t, p, "", "examples/products.csv", "-o", filepath.Join(root, "c.csv"), "-p", "{{.name}}", "--cache", dir))
		if got := mode(filepath.Join(root, "ci")); got != 0o700 {
			t.Errorf("ci/: mode %v, want 0700", got)
		}
		if got := mode(journalIn(dir)); got != 0o600 {
			t.Errorf("journal: mode %v, want 0600", got)
		}
	})
}
