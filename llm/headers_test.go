package llm

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"absent", header(), 0},
		{"seconds", header("Retry-After", "20"), 20 * time.Second},
		{"zero", header("Retry-After", "0"), 0},
		{"fractional", header("Retry-After", "1.5"), 1500 * time.Millisecond},
		{"spaces", header("Retry-After", " 7 "), 7 * time.Second},
		{"http date", header("Retry-After", "Sun, 22 Nov 2026 10:01:00 GMT"), time.Minute},
		{"http date in the past", header("Retry-After", "Sun, 22 Nov 2026 09:00:00 GMT"), 0},
		{"http date far ahead", header("Retry-After", "Mon, 23 Nov 2026 10:00:00 GMT"), MaxRetryAfter},
		{"capped", header("Retry-After", "86400"), MaxRetryAfter},
		{"huge", header("Retry-After", "1e300"), MaxRetryAfter},
		{"negative", header("Retry-After", "-5"), 0},
		{"garbage", header("Retry-After", "soon"), 0},
		{"nan", header("Retry-After", "NaN"), 0},
		{"ms", header("retry-after-ms", "250"), 250 * time.Millisecond},
		{"ms fractional", header("retry-after-ms", "12.5"), 12500 * time.Microsecond},
		{"ms wins", header("Retry-After", "2", "retry-after-ms", "1500"), 1500 * time.Millisecond},
		{"ms wins even if longer", header("Retry-After", "1", "retry-after-ms", "3000"), 3 * time.Second},
		{"bad ms falls back", header("Retry-After", "2", "retry-after-ms", "x"), 2 * time.Second},
		{"negative ms falls back", header("Retry-After", "2", "retry-after-ms", "-1"), 2 * time.Second},
		{"ms capped", header("retry-after-ms", "999999999"), MaxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.h, testNow); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want Limits
	}{
		{"absent", header(), Limits{}},
		{"openai", header(
			"x-ratelimit-limit-requests", "10000",
			"x-ratelimit-remaining-requests", "9999",
			"x-ratelimit-reset-requests", "6ms",
			"x-ratelimit-limit-tokens", "2000000",
			"x-ratelimit-remaining-tokens", "1999990",
			"x-ratelimit-reset-tokens", "0s"),
			Limits{LimitRequests: 10000, RemainingRequests: 9999, HasRemaining: true, ResetRequests: 6 * time.Millisecond,
				LimitTokens: 2000000, RemainingTokens: 1999990, HasRemainingTokens: true}},
		{"remaining zero is sent", header("x-ratelimit-remaining-requests", "0"), Limits{HasRemaining: true}},
		{"remaining garbage is not", header("x-ratelimit-remaining-requests", "lots"), Limits{}},
		{"remaining negative is not", header("x-ratelimit-remaining-requests", "-1"), Limits{}},
		{"remaining float", header("x-ratelimit-remaining-requests", "3.0"), Limits{RemainingRequests: 3, HasRemaining: true}},
	}
	for _, reset := range []struct {
		in   string
		want time.Duration
	}{
		{"1s", time.Second},
		{"6m0s", 6 * time.Minute},
		{"120ms", 120 * time.Millisecond},
		{"1m30.5s", 90500 * time.Millisecond},
		{"2h0m0s", 2 * time.Hour},
		{"20", 20 * time.Second},
		{"0.25", 250 * time.Millisecond},
		{"0", 0},
		{"2026-11-22T10:00:05Z", 5 * time.Second},
		{"2026-11-22T09:00:00Z", 0},
		{"-1s", 0},
		{"-3", 0},
		{"", 0},
		{"tomorrow", 0},
		{"1x", 0},
	} {
		tests = append(tests, struct {
			name string
			h    http.Header
			want Limits
		}{"reset " + reset.in, header("x-ratelimit-reset-requests", reset.in, "x-ratelimit-reset-tokens", reset.in),
			Limits{ResetRequests: reset.want, ResetTokens: reset.want}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseLimits(tt.h, testNow)); diff != "" {
				t.Errorf("limits mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
