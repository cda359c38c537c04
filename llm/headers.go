package llm

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps what a provider may ask us to wait: a bogus or hostile
// header must not park a worker for a day.
const MaxRetryAfter = 10 * time.Minute

// parseLimits reads the x-ratelimit-* headers OpenAI (and Groq, Together,
// vLLM routers…) send on every answer. Missing or garbled ones stay zero.
func parseLimits(h http.Header, now time.Time) Limits {
	var l Limits
	l.LimitRequests, _ = headerInt(h, "X-Ratelimit-Limit-Requests")
	l.RemainingRequests, l.HasRemaining = headerInt(h, "X-Ratelimit-Remaining-Requests")
	l.ResetRequests = parseReset(get(h, "X-Ratelimit-Reset-Requests"), now)
	l.LimitTokens, _ = headerInt(h, "X-Ratelimit-Limit-Tokens")
	l.RemainingTokens, l.HasRemainingTokens = headerInt(h, "X-Ratelimit-Remaining-Tokens")
	l.ResetTokens = parseReset(get(h, "X-Ratelimit-Reset-Tokens"), now)
	return l
}

// get is h.Get for a key already in canonical form: these run on every
// answer, and canonicalizing the key each time was measurable.
func get(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(get(h, name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(f) || f > math.MaxInt32 {
			return 0, false
		}
		n = int(f)
	}
	if n < 0 {
		return 0, false
	}
	return n, true
}

// parseReset reads a reset interval: a Go-style duration as OpenAI sends it
// ("1s", "6m0s", "120ms", "1m30.5s"), plain seconds ("20", "0.5") or an
// RFC 3339 time. Anything else, or a negative value, is 0.
func parseReset(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if d, ok := parseSeconds(v); ok {
		return d
	}
	if d, err := time.ParseDuration(v); err == nil {
		return clampDuration(d)
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return clampDuration(t.Sub(now))
	}
	return 0
}

// parseRetryAfter reads retry-after-ms (milliseconds, OpenAI's and Azure's
// finer hint, which wins when valid) or Retry-After (seconds, possibly
// fractional, or an HTTP-date), capped at MaxRetryAfter.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(get(h, "Retry-After-Ms")); v != "" {
		if ms, ok := parseSeconds(v); ok { // the same number syntax, in ms
			return capRetryAfter(ms / 1000)
		}
	}
	v := strings.TrimSpace(get(h, "Retry-After"))
	if v == "" {
		return 0
	}
	if d, ok := parseSeconds(v); ok {
		return capRetryAfter(d)
	}
	if t, err := http.ParseTime(v); err == nil {
		return capRetryAfter(clampDuration(t.Sub(now)))
	}
	return 0
}

// parseSeconds reads a non-negative decimal number of seconds.
func parseSeconds(v string) (time.Duration, bool) {
	if v == "" || !(v[0] >= '0' && v[0] <= '9' || v[0] == '.') {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return secondsToDuration(f), true
}

// secondsToDuration converts without overflowing: a century is plenty.
func secondsToDuration(f float64) time.Duration {
	const limit = 100 * 365 * 24 * 3600
	return time.Duration(math.Min(f, limit) * float64(time.Second))
}

func clampDuration(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

func capRetryAfter(d time.Duration) time.Duration {
	return min(d, MaxRetryAfter)
}
