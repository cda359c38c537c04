package pipeline

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/enrich-dev/enrich/templates"
)

// Defaults for zero Options fields.
const (
	DefaultColumn      = "response"
	DefaultConcurrency = 8
	DefaultRetries     = 5
	DefaultTimeout     = 2 * time.Minute
	DefaultMaxBackoff  = 30 * time.Second
	DefaultProgress    = 250 * time.Millisecond
)

// Options configures Run. The zero value of every field but Template means
// its documented default.
type Options struct {
	Template *templates.Template // required
	System   string              // system prompt, sent with every request

	Model       string
	MaxTokens   int      // 0: the provider's default
	Temperature *float64 // nil: the provider's default

	Column      string // the answer column; default "response"
	ErrorColumn string // default Column + "_error" ("ai_error" for a Column like "ai_")
	// Schema, when set, asks for structured answers and fills one column
	// per schema property (named ColumnPrefix + property) instead of
	// Column. An answer that does not validate is asked for again up to
	// SchemaRetries times (default 2, -1 for none), then is the row's error.
	Schema        *Schema
	ColumnPrefix  string
	SchemaRetries int
	// UsageColumns adds Column_tokens_in and Column_tokens_out: the
	// tokens the row's answer cost, as the provider counted them.
	UsageColumns bool

	Concurrency int           // requests in flight; default 8
	RPM         float64       // requests per minute; 0 learns the provider's limit
	TPM         float64       // tokens per minute (prompt estimate + answer reserve); 0 for none
	Retries     int           // retries after the first attempt; default 5, -1 for none
	Timeout     time.Duration // per attempt; default 2m
	MaxBackoff  time.Duration // cap on one backoff wait without Retry-After; default 30s
	Window      int           // rows read ahead of the writer; default max(256, 8×Concurrency)
	Limit       int           // process only the first Limit rows; 0 for all

	// Cache, when set, is consulted before every request and records every
	// answer as it arrives, so a rerun after an interruption or failure
	// pays only for what is missing. Scope names the provider and its base
	// URL in cache keys (see RequestKey).
	Cache Cache
	Scope string
	// NoDedupe sends identical requests once per row instead of once per
	// run.
	NoDedupe bool
	// Grace is how long requests already in flight may finish, and be
	// recorded, after ctx is cancelled; no new request starts meanwhile.
	// 0 abandons them at once.
	Grace time.Duration

	// Total is the number of rows when the caller knows it (for progress);
	// 0 when unknown.
	Total int64
	// Progress, when set, receives a snapshot every ProgressEvery (default
	// 250ms) and a last one when the run ends. It must return quickly.
	Progress      func(Stats)
	ProgressEvery time.Duration
}

func (o Options) withDefaults() (Options, error) {
	if o.Template == nil {
		return o, errors.New("pipeline: no prompt template")
	}
	o.Column, o.ErrorColumn = o.columnNames()
	switch {
	case o.SchemaRetries == 0:
		o.SchemaRetries = 2
	case o.SchemaRetries < -1:
		return o, fmt.Errorf("schema retries must not be negative, got %d", o.SchemaRetries)
	case o.SchemaRetries == -1:
		o.SchemaRetries = 0
	}
	if o.Column == o.ErrorColumn {
		return o, fmt.Errorf("the answer column and the error column are both %q", o.Column)
	}
	switch {
	case o.Concurrency == 0:
		o.Concurrency = DefaultConcurrency
	case o.Concurrency < 0:
		return o, fmt.Errorf("concurrency must be at least 1, got %d", o.Concurrency)
	}
	if o.TPM < 0 {
		return o, fmt.Errorf("tokens per minute must not be negative, got %g", o.TPM)
	}
	if o.RPM < 0 {
		return o, fmt.Errorf("requests per minute must not be negative, got %g", o.RPM)
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries == -1:
		o.Retries = 0
	case o.Retries < -1:
		return o, fmt.Errorf("retries must not be negative, got %d", o.Retries)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	} else if o.Timeout < 0 {
		return o, fmt.Errorf("timeout must be positive, got %s", o.Timeout)
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Window <= 0 {
		o.Window = max(256, 8*o.Concurrency)
	}
	if o.Window < o.Concurrency {
		o.Window = o.Concurrency
	}
	if o.Limit < 0 {
		return o, fmt.Errorf("limit must not be negative, got %d", o.Limit)
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = DefaultProgress
	}
	return o, nil
}

// columnNames is Column and ErrorColumn with their defaults applied.
func (o Options) columnNames() (col, errCol string) {
	col, errCol = o.Column, o.ErrorColumn
	if col == "" {
		col = DefaultColumn
	}
	if errCol == "" {
		errCol = suffixed(col, "error")
	}
	return col, errCol
}

// suffixed names a column derived from col: "response_error", or
// "ai_error" for a prefix like "ai_" that already ends in a separator.
func suffixed(col, suffix string) string {
	if strings.HasSuffix(col, "_") || strings.HasSuffix(col, "-") {
		return col + suffix
	}
	return col + "_" + suffix
}

// Added returns the names of the columns Run appends to every row, in
// order: the answer (or one column per schema property), the error, and
// with UsageColumns the tokens in and out.
func (o Options) Added() []string {
	col, errCol := o.columnNames()
	var names []string
	if o.Schema != nil {
		for _, p := range o.Schema.Columns() {
			names = append(names, o.ColumnPrefix+p)
		}
	} else {
		names = append(names, col)
	}
	names = append(names, errCol)
	if o.UsageColumns {
		names = append(names, suffixed(col, "tokens_in"), suffixed(col, "tokens_out"))
	}
	return names
}
