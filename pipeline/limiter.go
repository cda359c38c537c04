package pipeline

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/enrich-dev/enrich/llm"
)

// limiter paces requests for all workers of a run.
//
// With a fixed rate (--rpm) it is a plain token bucket of burst 1, so
// requests leave evenly spaced and never exceed the rate.
//
// Without one it learns: it starts unlimited, adopts the provider's request
// limit when x-ratelimit-* headers arrive, and otherwise runs AIMD the way
// TCP does: on a 429 it sets its pace to the success rate it just saw (the
// first time) or cuts it by a third, at most once per cooldown so the
// 429s of one burst count once; while requests are being held back by the
// pace and no 429 comes, it raises the pace by 10% a second.
//
// In both modes a 429 pauses every worker until the provider's Retry-After
// has passed, so they don't stampede a limited provider.
//
// It reads one clock, time.Now, the one x/time/rate reads too, so its
// tests fake both at once with testing/synctest.
type limiter struct {
	lim   *rate.Limiter
	fixed bool

	mu         sync.Mutex
	pauseUntil time.Time
	ceiling    rate.Limit // learned from headers; Inf when unknown
	lastCut    time.Time
	lastGrow   time.Time
	held       bool        // some Wait was delayed by the pace since lastGrow
	oks        []time.Time // ring of recent success times, for the first cut
	okNext     int
}

const (
	cutFactor  = 0.67
	growPerSec = 0.10
	minRate    = rate.Limit(0.02) // about one request a minute
	okRing     = 512
	cooldown   = time.Second
	noHintWait = 500 * time.Millisecond // pause after a 429 with no Retry-After
)

func newLimiter(rpm float64) *limiter {
	l := &limiter{ceiling: rate.Inf, oks: make([]time.Time, 0, okRing)}
	if rpm > 0 {
		l.fixed = true
		l.lim = rate.NewLimiter(rate.Limit(rpm/60), 1)
	} else {
		l.lim = rate.NewLimiter(rate.Inf, 1)
	}
	return l
}

// Wait blocks until a request may be sent: after any shared pause, then
// when the pace allows. A pause that began while this caller waited for
// its turn holds it too: the pause is checked again after the pace, so
// no request leaves while a 429's Retry-After runs.
func (l *limiter) Wait(ctx context.Context) error {
	for {
		if err := l.waitPause(ctx); err != nil {
			return err
		}
		start := time.Now()
		if err := l.lim.Wait(ctx); err != nil {
			return err
		}
		l.mu.Lock()
		if !l.fixed && time.Since(start) > time.Millisecond {
			l.held = true
		}
		paused := l.pauseUntil.After(time.Now())
		l.mu.Unlock()
		if !paused {
			return nil
		}
	}
}

func (l *limiter) waitPause(ctx context.Context) error {
	for {
		l.mu.Lock()
		d := l.pauseUntil.Sub(time.Now())
		l.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Observe adjusts the pace after an attempt: resp is the response on
// success, err the attempt's error otherwise.
func (l *limiter) Observe(resp llm.Response, err error) {
	limits := limitsOf(resp, err)
	var perr *llm.Error
	asError(err, &perr)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if limits.HasRemaining && limits.RemainingRequests == 0 && limits.ResetRequests > 0 {
		l.pauseLocked(now, limits.ResetRequests)
	}
	if !l.fixed {
		l.adoptLocked(limits)
	}
	switch {
	case err == nil:
		if !l.fixed {
			l.recordOKLocked(now)
			l.growLocked(now)
		}
	case perr != nil && perr.Status == 429:
		wait := perr.RetryAfter
		if wait <= 0 {
			wait = noHintWait
		}
		l.pauseLocked(now, wait)
		if !l.fixed {
			l.cutLocked(now, wait)
		}
	}
}

func (l *limiter) pauseLocked(now time.Time, d time.Duration) {
	if until := now.Add(d); until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
}

// adoptLocked turns rate-limit headers into a ceiling. OpenAI's
// limit-requests is per minute; some providers send a per-day figure with
// the same name, which the replenish rate (used ÷ time to full reset)
// reveals, so the lower of the two is taken when they disagree widely.
func (l *limiter) adoptLocked(lm llm.Limits) {
	if lm.LimitRequests <= 0 {
		return
	}
	ceil := rate.Limit(float64(lm.LimitRequests) / 60)
	if used := lm.LimitRequests - lm.RemainingRequests; lm.HasRemaining && used > 0 && lm.ResetRequests > 0 {
		if r := rate.Limit(float64(used) / lm.ResetRequests.Seconds()); r < ceil/2 {
			ceil = r
		}
	}
	if ceil == l.ceiling {
		return
	}
	l.ceiling = ceil
	if l.lim.Limit() > ceil {
		l.lim.SetLimit(ceil)
	}
}

func (l *limiter) recordOKLocked(now time.Time) {
	if len(l.oks) < okRing {
		l.oks = append(l.oks, now)
		return
	}
	l.oks[l.okNext] = now
	l.okNext = (l.okNext + 1) % okRing
}

// recentRateLocked is the success rate over the last second, or over the
// ring when it holds less than a second.
func (l *limiter) recentRateLocked(now time.Time) rate.Limit {
	n, oldest := 0, now
	for _, t := range l.oks {
		if now.Sub(t) <= time.Second {
			n++
			if t.Before(oldest) {
				oldest = t
			}
		}
	}
	span := time.Second
	if n == len(l.oks) && n == okRing {
		span = max(now.Sub(oldest), time.Millisecond)
	}
	return rate.Limit(float64(n) / span.Seconds())
}

func (l *limiter) cutLocked(now time.Time, wait time.Duration) {
	if now.Sub(l.lastCut) < max(cooldown, wait) {
		return
	}
	cur := l.lim.Limit()
	next := cur * cutFactor
	if cur == rate.Inf {
		// With no success to measure a pace from (the provider's bucket
		// was empty when we started), the shared pause is all we can do.
		if next = l.recentRateLocked(now); next == 0 {
			return
		}
	}
	next = max(min(next, l.ceiling), minRate)
	l.lim.SetLimit(next)
	l.lastCut, l.lastGrow, l.held = now, now, false
}

func (l *limiter) growLocked(now time.Time) {
	cur := l.lim.Limit()
	if cur == rate.Inf || cur >= l.ceiling {
		return
	}
	dt := now.Sub(l.lastGrow)
	if dt < 100*time.Millisecond {
		return
	}
	if l.held && now.Sub(l.lastCut) >= cooldown {
		next := cur * rate.Limit(math.Pow(1+growPerSec, dt.Seconds()))
		l.lim.SetLimit(min(next, l.ceiling))
	}
	l.lastGrow, l.held = now, false
}

// Limit reports the current pace, for tests and progress.
func (l *limiter) Limit() rate.Limit { return l.lim.Limit() }

// limitsOf returns the rate-limit headers of an attempt, whichever way it
// ended.
func limitsOf(resp llm.Response, err error) llm.Limits {
	var perr *llm.Error
	if asError(err, &perr) {
		return perr.Limits
	}
	return resp.Limits
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func asError(err error, target **llm.Error) bool { return err != nil && errors.As(err, target) }
