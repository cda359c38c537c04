package llm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMock(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want Response
	}{
		{"short", Request{Model: "m", Prompt: "Classify: apples"},
			Response{Text: "mock answer (no model was called): Classify: apples", FinishReason: "stop", Usage: Usage{4, 13}}},
		{"folded", Request{Prompt: "  a\n\tb\r\n\n c  "},
			Response{Text: "mock answer (no model was called): a b c", FinishReason: "stop", Usage: Usage{4, 10}}},
		{"system counts", Request{System: "12345678", Prompt: "x"},
			Response{Text: "mock answer (no model was called): x", FinishReason: "stop", Usage: Usage{3, 9}}},
		{"empty", Request{},
			Response{Text: "mock answer (no model was called): ", FinishReason: "stop", Usage: Usage{0, 9}}},
		{"cut at 60 runes", Request{Prompt: strings.Repeat("ä", 61)},
			Response{Text: "mock answer (no model was called): …" + strings.Repeat("ä", 60), FinishReason: "stop", Usage: Usage{31, 40}}},
		{"exactly 60 runes", Request{Prompt: strings.Repeat("b", 60)},
			Response{Text: "mock answer (no model was called): " + strings.Repeat("b", 60), FinishReason: "stop", Usage: Usage{15, 24}}},
		{"keeps the end, where the row's cells are", Request{Prompt: "Instructions first.\n\n" + strings.Repeat("c", 55) + "\n\nmore"},
			Response{Text: "mock answer (no model was called): …" + strings.Repeat("c", 55) + " more", FinishReason: "stop", Usage: Usage{21, 25}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Mock{}.Complete(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
			again, _ := (&Mock{}).Complete(context.Background(), tt.req)
			if !cmp.Equal(got, again) {
				t.Errorf("second answer %+v differs from first %+v", again, got)
			}
		})
	}
}

func TestMockDiffersByPrompt(t *testing.T) {
	a, _ := Mock{}.Complete(context.Background(), Request{Prompt: "row 1"})
	b, _ := Mock{}.Complete(context.Background(), Request{Prompt: "row 2"})
	if a.Text == b.Text {
		t.Errorf("rows 1 and 2 got the same answer %q", a.Text)
	}
}

func TestMockContext(t *testing.T) {
	t.Run("latency", func(t *testing.T) {
		start := time.Now()
		if _, err := (Mock{Latency: 20 * time.Millisecond}).Complete(context.Background(), Request{}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 20*time.Millisecond {
			t.Errorf("answered in %v, want at least 20ms", d)
		}
	})
	t.Run("deadline cuts latency", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Mock{Latency: time.Hour}.Complete(ctx, Request{})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
			t.Errorf("got %v after %v, want context.DeadlineExceeded at once", err, time.Since(start))
		}
	})
	t.Run("canceled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := (Mock{}).Complete(ctx, Request{}); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}
