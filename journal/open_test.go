package journal

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/enrich-dev/enrich/llm"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	root := t.TempDir()
	// A folder of the user's, more open than Open would make one.
	mine := filepath.Join(root, "mine")
	if err := os.Mkdir(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(mine, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	path := filepath.Join(mine, "new", "journals", "j.jsonl")
	j, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want fs.FileMode
	}{
		{mine, 0o755},
		{filepath.Join(mine, "new"), 0o700},
		{filepath.Join(mine, "new", "journals"), 0o700},
		{path, 0o600},
	} {
		if got := mode(t, tt.path); got != tt.want {
			t.Errorf("%s: got mode %v, want %v", tt.path, got, tt.want)
		}
	}

	tj, err := OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer tj.Close()
	if got := mode(t, tj.Path()); got != 0o600 {
		t.Errorf("temporary journal: got mode %v, want %v", got, fs.FileMode(0o600))
	}
}

func TestOpenTemp(t *testing.T) {
	j, err := OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Put(key("a"), llm.Response{Text: "once"}); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := j.Get(key("a")); err != nil || !ok || got.Text != "once" {
		t.Errorf("Get = %q, %v, %v; want the answer just recorded", got.Text, ok, err)
	}
	if _, err := Open(j.Path(), false); !errors.Is(err, ErrLocked) {
		t.Errorf("opening the temporary journal again: got %v, want ErrLocked", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(j.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Close: got %v, want the temporary journal removed", err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("a second Close: got %v, want nil", err)
	}
}

func TestOpenExistingAbsent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	j, err := OpenExisting(filepath.Join(dir, "journals", "j.jsonl"))
	if j != nil || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, %v; want nil and an error wrapping fs.ErrNotExist", j, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenExisting created %s", dir)
	}
}

// A dry run reads the journal as it is: a torn line is not cut off and
// nothing is appended.
func TestOpenExistingWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	w, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	w.Put(key("a"), llm.Response{Text: "kept"})
	w.Close()
	torn := `{"k":"62","t":"torn`
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(torn)
	f.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	r, err := OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := r.Get(key("a")); err != nil || !ok || got.Text != "kept" {
		t.Errorf("Get = %q, %v, %v; want %q", got.Text, ok, err, "kept")
	}
	if r.Len() != 1 || r.Has(key("b")) {
		t.Errorf("Len = %d, want 1", r.Len())
	}
	if err := r.Put(key("b"), llm.Response{Text: "new"}); err == nil {
		t.Error("Put on a journal opened for lookups succeeded")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("the journal changed:\ngot  %q\nwant %q", after, before)
	}
}

func TestOpenExistingBesideAWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	w, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Put(key("a"), llm.Response{Text: "one"})

	r, err := OpenExisting(path)
	if err != nil {
		t.Fatalf("with a run writing the journal: %v", err)
	}
	defer r.Close()
	w.Put(key("b"), llm.Response{Text: "later"})
	if !r.Has(key("a")) || r.Has(key("b")) {
		t.Errorf("Has(a), Has(b) = %v, %v; want the journal as it was when opened", r.Has(key("a")), r.Has(key("b")))
	}
	if w.Len() != 2 {
		t.Errorf("the writer's Len = %d, want 2", w.Len())
	}
}
