package cost

import (
	"math"
	"strings"
	"testing"
)

func TestCounter(t *testing.T) {
	tests := []struct {
		model string
		text  string
		exact bool
		want  int
	}{
		{"gpt-4o-mini", "hello world", true, 2},
		{"gpt-4o-mini", "Classify this support ticket into exactly one category.", true, 10},
		{"gpt-4", "hello world", true, 2},
		{"claude-sonnet-4-5", "hello world", false, 3}, // 11 bytes / 4, rounded up
		{"llama3.2", strings.Repeat("a", 400), false, 100},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			c := CounterFor(tt.model)
			if c.Exact() != tt.exact {
				t.Errorf("Exact() = %v, want %v", c.Exact(), tt.exact)
			}
			if got := c.Text(tt.text); got != tt.want {
				t.Errorf("Text(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
	c := CounterFor("gpt-4o")
	if got, want := c.Prompt("be brief", "hello world"), 3+3+2+3+2; got != want {
		t.Errorf("Prompt = %d, want %d (text plus chat overhead)", got, want)
	}
}

func TestPriceOf(t *testing.T) {
	tests := []struct {
		model string
		want  Price
		ok    bool
	}{
		{"gpt-4o-mini", Price{0.15, 0.60}, true},
		{"gpt-4o-mini-2024-07-18", Price{0.15, 0.60}, true},
		{"gpt-4o-2024-08-06", Price{2.50, 10}, true},
		{"GPT-4.1-nano", Price{0.10, 0.40}, true},
		{"claude-sonnet-4-20250514", Price{3, 15}, true},
		{"gpt-4omni", Price{}, false},
		{"llama3.2", Price{}, false},
	}
	for _, tt := range tests {
		got, ok := PriceOf(tt.model)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PriceOf(%q) = %v, %v; want %v, %v", tt.model, got, ok, tt.want, tt.ok)
		}
	}
	if got := (Price{0.15, 0.60}).Cost(1_000_000, 500_000); math.Abs(got-0.45) > 1e-9 {
		t.Errorf("Cost = %g, want 0.45", got)
	}
}

func TestResolve(t *testing.T) {
	own := &Price{1, 2}
	free := &Price{}
	tests := []struct {
		name     string
		model    string
		override *Price
		want     Price
		src      Source
		ok       bool
	}{
		{"table", "gpt-4o-mini", nil, Price{0.15, 0.60}, FromTable, true},
		{"not in the table", "llama3.2", nil, Price{}, FromTable, false},
		{"override wins over the table", "gpt-4o-mini", own, Price{1, 2}, FromOverride, true},
		{"override for an unknown model", "llama3.2", own, Price{1, 2}, FromOverride, true},
		{"a free override is a price", "llama3.2", free, Price{}, FromOverride, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, src, ok := Resolve(tt.model, tt.override)
			if got != tt.want || src != tt.src || ok != tt.ok {
				t.Errorf("Resolve(%q, %v) = %v, %v, %v; want %v, %v, %v", tt.model, tt.override, got, src, ok, tt.want, tt.src, tt.ok)
			}
		})
	}
	if got, want := FromTable.String(), "list price of "+PricesAsOf; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := FromOverride.String(); got != "override" {
		t.Errorf("got %q, want override", got)
	}
}
