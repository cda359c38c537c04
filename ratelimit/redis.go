package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RetryEvery is how often a process that fell back tries the store again.
const RetryEvery = 5 * time.Second

// headroom matches the pipeline's pacer: 2% under the rate.
const headroom = 0.98

// Options configures a Store.
type Options struct {
	// Key names the budget: every process with the same store and key
	// shares it. Required.
	Key string
	// RPM and TPM are the budgets a minute; 0 for none.
	RPM, TPM float64
	// Password, when set, is used instead of one in the URL.
	Password string
	// Share is how many processes split the budget (at least 1): what
	// one of them keeps to when the store is gone.
	Share int
	// Warn hears, once each, that the store went away and that it came
	// back. It must return quickly.
	Warn func(error)
	// Timeout bounds each call to the store; default 2s.
	Timeout time.Duration
}

// UnreachableError is a store that did not answer at Open.
type UnreachableError struct {
	URL string // the password masked
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the limit store %s cannot be reached: %v", e.URL, e.Err)
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// ErrLost is what Options.Warn hears when the store goes away mid-run,
// wrapped with the cause and the share kept to.
var ErrLost = errors.New("the limit store stopped answering")

// ErrBack is what Options.Warn hears when it answers again.
var ErrBack = errors.New("the limit store answers again; the budget is shared again")

// reserve books a turn. KEYS[1] the budget's TAT key; ARGV[1] µs a unit,
// ARGV[2] units, ARGV[3] the burst tolerance in µs (one unit's interval
// for a burst of one). Returns the wait in µs: the turn is at
// TAT + cost − tolerance, or now if that has passed.
var reserve = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new = tat + tonumber(ARGV[1]) * tonumber(ARGV[2])
local at = new - tonumber(ARGV[3])
if at < now then at = now end
redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil((new - now) / 1000) + 1000)
return math.floor(at - now)
`)

// push moves the TAT by ARGV[1] µs (negative: back, not before now), or,
// with ARGV[2] = "pause", to at least now + ARGV[1].
var push = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new
if ARGV[2] == 'pause' then
  new = now + tonumber(ARGV[1])
  if new < tat then return 0 end
else
  new = tat + tonumber(ARGV[1])
  if new < now then new = now end
end
redis.call('SET', KEYS[1], string.format('%.0f', new), 'PX', math.ceil((new - now) / 1000) + 1000)
return 0
`)

// Store is a shared budget in Redis. Its methods are safe for concurrent
// use.
type Store struct {
	c    *redis.Client
	opts Options
	url  string
	reqs string // keys
	toks string

	mu       sync.Mutex
	lost     bool      // falling back to the local share
	retryAt  time.Time // when to try the store again
	localReq time.Time // the local TATs of the fallback
	localTok time.Time
}

// Open connects to the Redis at rawURL (redis://[:PASSWORD@]HOST:PORT/DB
// or rediss:// for TLS) and checks that it answers.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if opts.Key == "" {
		return nil, errors.New("ratelimit: no key")
	}
	if opts.RPM < 0 || opts.TPM < 0 || math.IsNaN(opts.RPM+opts.TPM) || math.IsInf(opts.RPM+opts.TPM, 0) {
		return nil, fmt.Errorf("ratelimit: budgets must be finite and not negative, got %g and %g", opts.RPM, opts.TPM)
	}
	opts.Share = max(opts.Share, 1)
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Warn == nil {
		opts.Warn = func(error) {}
	}
	masked := Redact(rawURL)
	ro, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("the limit store %s: %w", masked, err)
	}
	if opts.Password != "" {
		ro.Password = opts.Password
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = opts.Timeout, opts.Timeout, opts.Timeout
	ro.MaxRetries = 1
	c := redis.NewClient(ro)
	s := &Store{c: c, opts: opts, url: masked,
		reqs: "enrich:limit:{" + opts.Key + "}:requests", toks: "enrich:limit:{" + opts.Key + "}:tokens"}
	pctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, &UnreachableError{URL: masked, Err: err}
	}
	// Load the scripts once, so that every later call is one EVALSHA.
	if err := reserve.Load(pctx, c).Err(); err != nil {
		c.Close()
		return nil, &UnreachableError{URL: masked, Err: err}
	}
	if err := push.Load(pctx, c).Err(); err != nil {
		c.Close()
		return nil, &UnreachableError{URL: masked, Err: err}
	}
	return s, nil
}

// Redact masks the password of a store's URL for messages.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(an unparsable URL)"
	}
	return u.Redacted()
}

// Close closes the connection.
func (s *Store) Close() error { return s.c.Close() }

// URL is the store's URL, its password masked.
func (s *Store) URL() string { return s.url }

func micros(d time.Duration) int64 { return d.Microseconds() }

// interval is one unit's share of a minute at rate a minute, under the
// headroom.
func interval(perMinute float64) time.Duration {
	return time.Duration(float64(time.Minute) / (perMinute * headroom))
}

// Take books a request's turn (pipeline.SharedLimit).
func (s *Store) Take(ctx context.Context) (time.Duration, error) {
	if s.opts.RPM <= 0 {
		return 0, nil
	}
	each := interval(s.opts.RPM)
	return s.book(ctx, s.reqs, each, 1, each, &s.localReq)
}

// TakeTokens books n tokens (pipeline.TokenLimit); a second's worth may
// burst.
func (s *Store) TakeTokens(ctx context.Context, n int) (time.Duration, error) {
	if s.opts.TPM <= 0 {
		return 0, nil
	}
	return s.book(ctx, s.toks, interval(s.opts.TPM), n, time.Second, &s.localTok)
}

func (s *Store) book(ctx context.Context, key string, each time.Duration, n int, tolerance time.Duration, local *time.Time) (time.Duration, error) {
	if s.useStore() {
		cctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
		us, err := reserve.Run(cctx, s.c, []string{key}, float64(each)/float64(time.Microsecond), n, micros(tolerance)).Int64()
		cancel()
		if err == nil {
			s.back()
			return time.Duration(us) * time.Microsecond, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		s.lose(err)
	}
	// This process's share, paced here.
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	share := time.Duration(float64(each) * float64(s.opts.Share))
	*local = maxTime(*local, now).Add(share * time.Duration(n))
	return maxTime(now, local.Add(-max(tolerance, share))).Sub(now), nil
}

// Pause holds every process's next turns for d (pipeline.SharedLimit).
func (s *Store) Pause(d time.Duration) {
	if !s.useStore() {
		return // the local pacer pauses this process
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	for _, key := range s.keys() {
		if err := push.Run(ctx, s.c, []string{key}, micros(d), "pause").Err(); err != nil {
			s.lose(err)
			return
		}
	}
}

// Settle corrects a token booking by delta tokens (pipeline.TokenLimit).
func (s *Store) Settle(delta int) {
	if s.opts.TPM <= 0 || delta == 0 {
		return
	}
	d := time.Duration(delta) * interval(s.opts.TPM)
	if !s.useStore() {
		s.mu.Lock()
		s.localTok = s.localTok.Add(d * time.Duration(s.opts.Share))
		s.mu.Unlock()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	if err := push.Run(ctx, s.c, []string{s.toks}, micros(d), "move").Err(); err != nil {
		s.lose(err)
	}
}

func (s *Store) keys() []string {
	var k []string
	if s.opts.RPM > 0 {
		k = append(k, s.reqs)
	}
	if s.opts.TPM > 0 {
		k = append(k, s.toks)
	}
	return k
}

// useStore reports whether to ask the store: always unless it was lost,
// then once every RetryEvery.
func (s *Store) useStore() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lost {
		return true
	}
	if now := time.Now(); now.After(s.retryAt) {
		s.retryAt = now.Add(RetryEvery)
		return true
	}
	return false
}

func (s *Store) lose(err error) {
	s.mu.Lock()
	first := !s.lost
	s.lost, s.retryAt = true, time.Now().Add(RetryEvery)
	s.mu.Unlock()
	if first {
		s.opts.Warn(&LostError{URL: s.url, Share: s.opts.Share, RPM: s.opts.RPM / float64(s.opts.Share), TPM: s.opts.TPM / float64(s.opts.Share), Err: err})
	}
}

func (s *Store) back() {
	s.mu.Lock()
	was := s.lost
	s.lost = false
	s.mu.Unlock()
	if was {
		s.opts.Warn(fmt.Errorf("%s: %w", s.url, ErrBack))
	}
}

// LostError says the store went away and what this process keeps to.
type LostError struct {
	URL      string
	Share    int
	RPM, TPM float64 // this process's share; 0 for a budget not kept
	Err      error
}

func (e *LostError) Error() string {
	what := ""
	if e.RPM > 0 {
		what = fmt.Sprintf("%g requests a minute", e.RPM)
	}
	if e.TPM > 0 {
		if what != "" {
			what += " and "
		}
		what += fmt.Sprintf("%g tokens a minute", e.TPM)
	}
	return fmt.Sprintf("%s: %v (%v); this process keeps to its share of 1/%d, %s, until it answers", e.URL, ErrLost, e.Err, e.Share, what)
}
func (e *LostError) Unwrap() error { return ErrLost }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
