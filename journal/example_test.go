package journal_test

import (
	"fmt"
	"log"
	"os"

	"github.com/enrich-dev/enrich/journal"
	"github.com/enrich-dev/enrich/llm"
)

// A program resumes the way the command does: the journal of its output,
// where the command would look for it.
func Example() {
	dir, err := os.MkdirTemp("", "journal-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path, err := journal.PathFor(dir, "out.csv", "in.csv") // dir "" is journal.DefaultDir()
	if err != nil {
		log.Fatal(err)
	}
	key := llm.KeyOf("openai", llm.Request{Model: "gpt-4o-mini", Prompt: "Summarise: …"})

	j, err := journal.Open(path, false)
	if err != nil {
		log.Fatal(err)
	}
	if err := j.Put(key, llm.Response{Text: "A summary."}); err != nil {
		log.Fatal(err)
	}
	if err := j.Close(); err != nil {
		log.Fatal(err)
	}

	// The next run, or a dry run that must write nothing.
	j, err = journal.OpenExisting(path)
	if err != nil {
		log.Fatal(err)
	}
	defer j.Close()
	resp, ok, err := j.Get(key)
	fmt.Println(resp.Text, ok, err)
	// Output: A summary. true <nil>
}
