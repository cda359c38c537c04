package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
)

// Item 6 of issue 13: a concurrency or window no machine can hold is
// refused by New, before Run sizes anything by it.
func TestNewRefusesAbsurdConcurrency(t *testing.T) {
	for _, l := range []Limits{{Concurrency: 2_000_000_000}, {Concurrency: MaxConcurrency + 1}, {Window: MaxWindow + 1}} {
		_, err := New(llm.Mock{}, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limits: l})
		if err == nil || !strings.Contains(err.Error(), "must be") {
			t.Errorf("%+v: got %v, want the bound", l, err)
		}
	}
}

// notSentClient fails every request before sending it, as a client does
// that cannot encode it.
type notSentClient struct{}

func (notSentClient) Complete(context.Context, llm.Request) (llm.Response, error) {
	return llm.Response{}, fmt.Errorf("encode request: json: unsupported value: NaN: %w", llm.ErrNotSent)
}

// Item 10 of issue 13: the summary counted a request the server never
// received.
func TestRequestsCountOnlyWhatWasSent(t *testing.T) {
	w := &memWriter{}
	stats, err := runPipeline(context.Background(), &sliceReader{n: 3}, w, notSentClient{}, Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Requests != 0 || stats.Failed != 3 {
		t.Errorf("stats %+v, want 0 requests and 3 failed rows", stats)
	}
}

// Item 9 of issue 13: a template that parses but fails when run ({{.v.x}}
// on a string cell) failed every row and exited 3; failing on the first
// row, it stops the run before any request, in Run and in Preview.
func TestTemplateFailingOnTheFirstRowSendsNothing(t *testing.T) {
	p := fakeprovider.New(fakeprovider.Options{})
	w := &memWriter{}
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text.x}}")}, Limits: Limits{Concurrency: 4}}
	_, err := runPipeline(context.Background(), &sliceReader{n: 50}, w, newClient(t, p), opts)
	var first *FirstRowError
	if !errors.As(err, &first) || first.Row != 2 || !strings.Contains(err.Error(), "can't evaluate field x") {
		t.Errorf("got %v, want a *FirstRowError for row 2", err)
	}
	if p.Requests() != 0 || !w.aborted || len(w.recs) != 0 {
		t.Errorf("%d requests, %d rows written, aborted %v; want nothing sent or written", p.Requests(), len(w.recs), w.aborted)
	}
	_, err = mustNew(t, opts).Preview(context.Background(), &sliceReader{n: 50}, PreviewOptions{Show: 3})
	if !errors.As(err, &first) {
		t.Errorf("Preview: got %v, want a *FirstRowError", err)
	}
}
