package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"

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
