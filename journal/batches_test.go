package journal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestBatchesAppendReplayClear(t *testing.T) {
	jp := filepath.Join(t.TempDir(), "journals", "out.csv-0123456789ab.jsonl")
	path := BatchesPath(jp)
	if want := filepath.Join(filepath.Dir(jp), "out.csv-0123456789ab.batches.jsonl"); path != want {
		t.Fatalf("BatchesPath = %s, want %s", path, want)
	}
	b, err := OpenBatches(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBatches(path); !errors.Is(err, ErrLocked) {
		t.Errorf("a second open: got %v, want ErrLocked", err)
	}
	if err := b.Append(map[string]int{"a": 1}, map[string]int{"b": 2}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	// A crash tore the last line.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"c":`)
	f.Close()

	b, err = OpenBatches(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(map[string]int{"d": 4}); err != nil {
		t.Fatal(err)
	}
	var got []string
	b.Replay(func(line []byte) error { got = append(got, string(line)); return nil })
	want := []string{"{\"a\":1}\n", "{\"b\":2}\n", "{\"d\":4}\n"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %q, want %q", i, got[i], want[i])
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if err := b.Clear(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an empty record was left behind: %v", err)
	}
}
