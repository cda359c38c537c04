package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// A dry run sends nothing and writes nothing: no OUTPUT, no journal, not
// even the cache folder.
func TestDryRunWritesNothing(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	out := filepath.Join(t.TempDir(), "out.csv")
	r := enrich(t, nil, "", "examples/products.csv", "-o", out, "--dry-run", "-p", "{{.name}}")
	succeeded(t, r)
	if _, err := os.Stat(out); err == nil {
		t.Error("the dry run wrote OUTPUT")
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("the dry run wrote into the cache folder: %v", entries)
	}
}
