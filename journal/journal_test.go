package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/enrich-dev/enrich/llm"
)

func key(s string) llm.Key {
	var k llm.Key
	copy(k[:], s)
	return k
}

func TestPutGetReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "j.jsonl")
	j, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[llm.Key]llm.Response{
		key("a"): {Text: "first\nanswer with \"quotes\"", FinishReason: "stop", Usage: llm.Usage{PromptTokens: 3, CompletionTokens: 5}},
		key("b"): {Text: strings.Repeat("long ", 3000), FinishReason: "length"},
		key("c"): {Text: ""},
	}
	for k, r := range answers {
		if err := j.Put(k, r); err != nil {
			t.Fatal(err)
		}
	}
	check := func(j *Journal) {
		t.Helper()
		if j.Len() != 3 {
			t.Errorf("Len = %d, want 3", j.Len())
		}
		for k, want := range answers {
			got, ok, err := j.Get(k)
			if err != nil || !ok {
				t.Fatalf("Get(%s) = %v, %v", k, ok, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Get(%s) mismatch (-want +got):\n%s", k, diff)
			}
		}
		if _, ok, _ := j.Get(key("zz")); ok || j.Has(key("zz")) {
			t.Error("an unknown key was found")
		}
	}
	check(j)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j2, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	check(j2)
}

// A crash can leave half a line at the end; it is ignored and cut off, and
// the next answer starts on a line of its own.
func TestTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, false)
	j.Put(key("a"), llm.Response{Text: "kept"})
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"k":"6200000000000000000000000000000","t":"torn`)
	f.Close()

	j, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if j.Len() != 1 {
		t.Errorf("Len = %d after a torn line, want 1", j.Len())
	}
	if err := j.Put(key("b"), llm.Response{Text: "new"}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, _ = Open(path, false)
	defer j.Close()
	for k, want := range map[llm.Key]string{key("a"): "kept", key("b"): "new"} {
		if got, ok, err := j.Get(k); err != nil || !ok || got.Text != want {
			t.Errorf("Get(%s) = %q, %v, %v; want %q", k, got.Text, ok, err, want)
		}
	}
}

func TestSecondOpenerIsLockedOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := Open(path, false); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: got %v, want ErrLocked", err)
	}
}

func TestFreshForgets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := Open(path, false)
	j.Put(key("a"), llm.Response{Text: "old"})
	j.Close()
	j, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.Len() != 0 || j.Has(key("a")) {
		t.Errorf("a fresh journal still holds %d answers", j.Len())
	}
}

func TestLaterAnswerWins(t *testing.T) {
	j, _ := Open(filepath.Join(t.TempDir(), "j.jsonl"), false)
	defer j.Close()
	j.Put(key("a"), llm.Response{Text: "one"})
	j.Put(key("a"), llm.Response{Text: "two"})
	if got, _, _ := j.Get(key("a")); got.Text != "two" || j.Len() != 1 {
		t.Errorf("got %q with Len %d, want the later answer and 1 key", got.Text, j.Len())
	}
}
