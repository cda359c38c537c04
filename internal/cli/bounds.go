package cli

import (
	"math"

	"github.com/enrich-dev/enrich/pipeline"
)

// Upper bounds on count flags. Each is far beyond any real use, and low
// enough that nothing sized by it (a worker per -j, a window of 8×-j rows,
// a token reserve per request) can exhaust memory or overflow a count.
const (
	maxConcurrency = pipeline.MaxConcurrency // -j: 10,000 in flight
	// maxRetries: with backoff capped at 30s, 100 retries already wait
	// most of an hour for one row.
	maxRetries = 100
	// maxMaxTokens is ten times the largest answer any model writes today
	// (128k tokens).
	maxMaxTokens = 1_000_000
)

// checkBounds refuses numbers no run can mean: counts beyond the bounds
// above, and NaN or infinite rates, prices and temperatures, which would
// otherwise pass every comparison (NaN < 0 is false) and mean "no limit"
// or fail every request.
func (c *config) checkBounds() error {
	if c.concurrency > maxConcurrency {
		return usagef("-j/--concurrency must be between 1 and %d, got %d", maxConcurrency, c.concurrency)
	}
	if c.retries > maxRetries {
		return usagef("--retries must be at most %d, got %d", maxRetries, c.retries)
	}
	if c.maxTokens > maxMaxTokens {
		return usagef("--max-tokens must be at most %d, got %d", maxMaxTokens, c.maxTokens)
	}
	for _, f := range []struct {
		flag string
		v    float64
	}{{"--temperature", c.temperature}, {"--rpm", c.rpm}, {"--tpm", c.tpm}, {"--price-in", c.priceIn}, {"--price-out", c.priceOut}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return usagef("%s must be a finite number, got %g", f.flag, f.v)
		}
	}
	return nil
}
