package pipeline

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultColumn         = "response"
	DefaultConcurrency    = 8
	DefaultAttempts       = 6 // the first try and 5 retries
	DefaultSchemaAttempts = 3 // the first answer and 2 re-asks
	DefaultTimeout        = 2 * time.Minute
	DefaultMaxBackoff     = 30 * time.Second
	DefaultProgress       = 250 * time.Millisecond
)

// Upper bounds on the options that size what a run allocates up front (a
// worker each, a place in the window each), so that an absurd number is
// refused rather than exhausting memory.
const (
	// MaxConcurrency is more than any provider's rate limits call for:
	// 10,000 requests in flight at one second each are 600,000 a minute.
	MaxConcurrency = 10_000
	// MaxWindow is 1,048,576 rows read ahead of the writer.
	MaxWindow = 1 << 20
	// MaxSchemaBytes is the most a schema document may be (ParseSchema):
	// 1 MiB. It is sent with every request, and a schema for a handful of
	// columns takes a few KiB.
	MaxSchemaBytes = 1 << 20
)

// Options configures a Pipeline. The zero value of every field but
// Prompt.Template means its documented default.
type Options struct {
	Prompt  Prompt
	Columns Columns
	Limits  Limits
	Resume  Resume

	// Limit processes only the first Limit rows; 0 for all.
	Limit int

	// Shard, when its Count is over 1, takes only this shard's rows (see
	// Shard); Limit still counts the input's rows.
	Shard Shard

	// RowError words a failed row's error for its error column and for
	// Stats.FirstError. Default: err.Error(). A command uses it to add
	// advice in its own terms (flag names) to the facts the error carries.
	RowError func(error) string

	// Warn, when set, hears at once about what a person should know
	// before the run ends: the first refusal that every row will meet (a
	// bad key, an unknown model: an *llm.Error), usage a provider reported
	// that cannot be right (*UsageError, told once). The run goes on; Warn
	// must return quickly.
	Warn func(error)

	// Progress, when set, receives a snapshot every ProgressEvery (default
	// 250ms) and a last one when the run ends. It must return quickly.
	Progress      func(Stats)
	ProgressEvery time.Duration
}

// Prompt says what each request asks.
type Prompt struct {
	Template Renderer // required
	System   string   // system prompt, sent with every request

	Model       string
	MaxTokens   int      // 0: the provider's default
	Temperature *float64 // nil: the provider's default

	// Schema, when set, asks for structured answers and fills one column
	// per schema property instead of one answer column. An answer that
	// does not validate is asked for again, up to SchemaAttempts answers
	// in all (default 3; 1 never asks again), then is the row's error.
	Schema         *Schema
	SchemaAttempts int
}

// Renderer renders one row's prompt from its cells, in header order:
// *templates.Template is the one enrich uses.
type Renderer interface {
	Render(cells []string) (string, error)
}

// Columns names the columns a run adds.
type Columns struct {
	// Name is the answer column (default "response"); the error and
	// usage columns are named after it.
	Name string
	// Error is the error column; default Name + "_error" ("ai_error" for
	// a Name like "ai_" that ends in a separator).
	Error string
	// Prefix goes before each schema property's name to make its column.
	Prefix string
	// Usage adds Name_tokens_in and Name_tokens_out: the tokens the row's
	// answer cost, as the provider counted them.
	Usage bool
}

// Limits bounds how hard a run works the provider.
type Limits struct {
	Concurrency int     // requests in flight; default 8, at most MaxConcurrency
	RPM         float64 // requests per minute; 0 learns the provider's limit
	TPM         float64 // tokens per minute (prompt estimate + answer reserve); 0 for none
	// Attempts is how many times one request is tried, the first
	// included; default 6. 1 never retries.
	Attempts   int
	Timeout    time.Duration // per attempt; default 2m
	MaxBackoff time.Duration // cap on one backoff wait without Retry-After; default 30s
	Window     int           // rows read ahead of the writer; default max(256, 8×Concurrency), at most MaxWindow
	// UnreachableAtStart and UnreachableMidRun end a run whose requests
	// cannot reach the server (see UnreachableError); defaults
	// DefaultUnreachableAtStart and DefaultUnreachableMidRun.
	UnreachableAtStart, UnreachableMidRun time.Duration
	// Shared and SharedTokens, when set, are budgets other processes draw
	// from too (package ratelimit keeps them in Redis): every request
	// also waits its turn there, and a 429 pauses them for everyone.
	// They add to RPM and TPM, which still bound this process alone.
	Shared       SharedLimit
	SharedTokens TokenLimit
}

// Resume says how answers are kept and shared.
type Resume struct {
	// Cache, when set, is consulted before every request and records every
	// answer as it arrives, so a rerun after an interruption or failure
	// pays only for what is missing. Scope names the provider and its base
	// URL in cache keys (see llm.KeyOf).
	Cache Cache
	Scope string
	// NoDedupe sends identical requests once per row instead of once per
	// run.
	NoDedupe bool
	// Grace is how long requests already in flight may finish, and be
	// recorded, after ctx is cancelled; no new request starts meanwhile.
	// 0 abandons them at once.
	Grace time.Duration
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Prompt.Template == nil {
		return o, errors.New("pipeline: no prompt template")
	}
	if err := o.Prompt.withDefaults(); err != nil {
		return o, err
	}
	o.Columns.withDefaults()
	if o.Columns.Name == o.Columns.Error {
		return o, fmt.Errorf("the answer column and the error column are both %q", o.Columns.Name)
	}
	if err := o.Limits.withDefaults(); err != nil {
		return o, err
	}
	if o.Resume.Grace < 0 {
		return o, fmt.Errorf("grace must not be negative, got %s", o.Resume.Grace)
	}
	if err := o.Shard.validate(); err != nil {
		return o, err
	}
	if o.Limit < 0 {
		return o, fmt.Errorf("limit must not be negative, got %d", o.Limit)
	}
	if o.Warn == nil {
		o.Warn = func(error) {}
	}
	if o.RowError == nil {
		o.RowError = func(err error) string { return err.Error() }
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = DefaultProgress
	}
	return o, nil
}

func (p *Prompt) withDefaults() error {
	switch {
	case p.SchemaAttempts == 0:
		p.SchemaAttempts = DefaultSchemaAttempts
	case p.SchemaAttempts < 0:
		return fmt.Errorf("schema attempts must be at least 1, got %d", p.SchemaAttempts)
	}
	if p.MaxTokens < 0 {
		return fmt.Errorf("max tokens must not be negative, got %d", p.MaxTokens)
	}
	if t := p.Temperature; t != nil && (math.IsNaN(*t) || math.IsInf(*t, 0)) {
		return fmt.Errorf("temperature must be a number, got %g", *t)
	}
	return nil
}

func (c *Columns) withDefaults() {
	if c.Name == "" {
		c.Name = DefaultColumn
	}
	if c.Error == "" {
		c.Error = suffixed(c.Name, "error")
	}
}

func (l *Limits) withDefaults() error {
	switch {
	case l.Concurrency == 0:
		l.Concurrency = DefaultConcurrency
	case l.Concurrency < 0 || l.Concurrency > MaxConcurrency:
		return fmt.Errorf("concurrency must be between 1 and %d, got %d", MaxConcurrency, l.Concurrency)
	}
	if l.Window > MaxWindow {
		return fmt.Errorf("window must be at most %d rows, got %d", MaxWindow, l.Window)
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"requests per minute", l.RPM}, {"tokens per minute", l.TPM}} {
		if math.IsNaN(r.v) || math.IsInf(r.v, 0) {
			return fmt.Errorf("%s must be a finite number, got %g", r.name, r.v)
		}
		if r.v < 0 {
			return fmt.Errorf("%s must not be negative, got %g", r.name, r.v)
		}
	}
	switch {
	case l.Attempts == 0:
		l.Attempts = DefaultAttempts
	case l.Attempts < 0:
		return fmt.Errorf("attempts must be at least 1, got %d", l.Attempts)
	}
	switch {
	case l.Timeout == 0:
		l.Timeout = DefaultTimeout
	case l.Timeout < 0:
		return fmt.Errorf("timeout must be positive, got %s", l.Timeout)
	}
	if l.MaxBackoff <= 0 {
		l.MaxBackoff = DefaultMaxBackoff
	}
	if l.Window <= 0 {
		l.Window = max(256, 8*l.Concurrency)
	}
	if l.UnreachableAtStart <= 0 {
		l.UnreachableAtStart = DefaultUnreachableAtStart
	}
	if l.UnreachableMidRun <= 0 {
		l.UnreachableMidRun = DefaultUnreachableMidRun
	}
	l.Window = max(l.Window, l.Concurrency)
	return nil
}
