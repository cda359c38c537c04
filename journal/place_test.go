package journal

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The names were computed by the command's journalPath before it moved
// here: a change to any of them would lose every user's recorded answers.
func TestPathForIsStable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the pinned names are of Unix absolute paths")
	}
	tests := []struct {
		name, output, input, want string
	}{
		{"output file", "/data/out.csv", "/data/in.csv", "/cache/journals/out.csv-95aa8691d39d.jsonl"},
		{"the input does not matter with an output file", "/data/out.csv", "-", "/cache/journals/out.csv-95aa8691d39d.jsonl"},
		{"stdin to stdout", "-", "-", "/cache/journals/stdout-6d02e22cdcfa.jsonl"},
		{"file to stdout", "-", "/data/in.tsv", "/cache/journals/stdout-in.tsv-c587a1a8072c.jsonl"},
		{"backslash and tab", "/data/we\\ird\tname.jsonl", "-", "/cache/journals/we_ird_name.jsonl-be111a1674a0.jsonl"},
		{"control character in the input", "-", "/srv/x/ro\x01ws.xlsx", "/cache/journals/stdout-ro_ws.xlsx-624afa3adf40.jsonl"},
		{"non-ASCII and spaces kept", "/data/résumé out.csv", "-", "/cache/journals/résumé out.csv-66fa50ef2398.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PathFor("/cache", tt.output, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPathForRelativeIsAbsolute(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := PathFor("/cache", "out.csv", "-")
	if err != nil {
		t.Fatal(err)
	}
	abs, err := PathFor("/cache", filepath.Join(wd, "out.csv"), "-")
	if err != nil {
		t.Fatal(err)
	}
	if rel != abs {
		t.Errorf("got %q for a relative output, want %q as for its absolute path", rel, abs)
	}
}

func TestPathForDefaultDirAndNoOutput(t *testing.T) {
	got, err := PathFor("", "/data/out.csv", "-")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(DefaultDir(), "journals"); filepath.Dir(got) != want {
		t.Errorf("got %q, want it in %q", got, want)
	}
	if _, err := PathFor("/cache", "", "in.csv"); err == nil {
		t.Error("an empty output was given a journal")
	}
}

func TestDefaultDir(t *testing.T) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		t.Skip("os.UserCacheDir reads XDG_CACHE_HOME only on other Unix systems")
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	if got, want := DefaultDir(), filepath.Join(cache, "enrich"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	if got, want := DefaultDir(), filepath.Join(os.TempDir(), "enrich"); got != want {
		t.Errorf("with no cache folder: got %q, want %q", got, want)
	}
}
