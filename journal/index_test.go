package journal

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/llm"
)

func hashed(i int) llm.Key {
	sum := sha256.Sum256([]byte(fmt.Sprint(i)))
	return llm.Key(sum[:16])
}

// GetOwn tells what this opening recorded from what it found.
func TestGetOwn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, false)
	j.Put(key("old"), llm.Response{Text: "from before"})
	j.Close()
	j, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Put(key("new"), llm.Response{Text: "from now"})
	tests := []struct {
		key      llm.Key
		ok, own  bool
		wantText string
	}{
		{key("old"), true, false, "from before"},
		{key("new"), true, true, "from now"},
		{key("none"), false, false, ""},
	}
	for _, tt := range tests {
		resp, ok, own, err := j.GetOwn(tt.key)
		if err != nil || ok != tt.ok || own != tt.own || resp.Text != tt.wantText {
			t.Errorf("GetOwn(%s) = %q, ok %v, own %v, %v; want %q, %v, %v", tt.key, resp.Text, ok, own, err, tt.wantText, tt.ok, tt.own)
		}
	}
}

// Many answers, lines longer than the reader's buffer and lines not
// written by Put all come back after a reopen.
func TestReopenLargeJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, false)
	const n = 30_000
	for i := range n {
		text := fmt.Sprint("answer ", i)
		if i%5000 == 0 {
			text = strings.Repeat("x", 200_000) // longer than the read buffer
		}
		if err := j.Put(hashed(i), llm.Response{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	// A line written by hand, fields in another order.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintf(f, "{\"t\":\"by hand\",\"k\":%q}\n", hashed(n).String())
	f.Close()

	j, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.Len() != n+1 {
		t.Errorf("Len = %d, want %d", j.Len(), n+1)
	}
	for _, i := range []int{0, 1, 4999, 5000, 29_999, n} {
		want := fmt.Sprint("answer ", i)
		switch {
		case i == n:
			want = "by hand"
		case i%5000 == 0:
			want = strings.Repeat("x", 200_000)
		}
		got, ok, err := j.Get(hashed(i))
		if err != nil || !ok || got.Text != want {
			t.Errorf("Get(%d) = %.20q, %v, %v; want %.20q", i, got.Text, ok, err, want)
		}
	}
	if _, ok, _ := j.Get(hashed(n + 1)); ok {
		t.Error("a key never recorded was found")
	}
}

// A lookup-only journal whose file is emptied and refilled by a writer
// says so, instead of handing out another key's answer.
func TestOpenExistingNeverAnswersForAnotherKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, false)
	j.Put(key("a"), llm.Response{Text: "for a"})
	j.Close()
	ro, err := OpenExisting(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	w, _ := Open(path, true)
	w.Put(key("b"), llm.Response{Text: "for b"})
	w.Close()
	if got, ok, err := ro.Get(key("a")); err == nil || ok {
		t.Errorf("Get(a) after the file changed = %q, %v, %v; want an error", got.Text, ok, err)
	}
}

// The index lives beside the journal and leaves nothing there.
func TestIndexLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	j, _ := Open(filepath.Join(dir, "j.jsonl"), false)
	for i := range 20_000 {
		j.Put(hashed(i), llm.Response{Text: "x"})
	}
	names, _ := os.ReadDir(dir)
	j.Close()
	if len(names) != 1 {
		t.Errorf("files beside the journal: %v, want only the journal", names)
	}
}
