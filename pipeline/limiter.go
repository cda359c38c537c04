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
// With a fixed rate (--rpm) requests leave evenly spaced, a hair under the
// rate (headroom), so that the jitter of a real network never brings two
// requests closer than a strict provider allows (a bucket of burst 1, or
// Azure's 1–10 s windows).
//
// Without one it learns: it starts unlimited, adopts the provider's request
// limit when x-ratelimit-* headers arrive (on an answer or on the 429
// itself), and otherwise runs AIMD the way TCP does: on a 429 it sets its
// pace to the success rate it just saw (the first time) or cuts it, by a
// third, or by a tenth below a limit the headers gave, at most once per
// cooldown so the 429s of one burst count once, and never for a request
// that left before the pace was last lowered, which says nothing about
// the new pace; while requests are being held back by the pace and no 429
// comes, it raises the pace by 10% a second.
//
// In both modes a 429 pauses every worker for as long as the provider
// asked (retry-after-ms before a rounded Retry-After), and no longer.
//
// Workers queue for their turn (turn is a FIFO of one): only the first in
// line waits on the clock, so a pause or a change of pace holds or speeds
// up the line at once, with no turns booked in advance under an old pace
// (x/time/rate's reservations, which a pause used to waste). Departures
// keep to the headroom's schedule, so late wake-ups do not slow the run,
// yet never come closer to the previous one than the pace itself: a late
// wake-up never squeezes the next gap under the limit.
//
// It reads one clock, time.Now, so its tests fake it with testing/synctest.
type limiter struct {
	fixed bool
	turn  chan struct{}
	// shared, when set, is a budget other processes draw from too: the
	// first in line asks it for each turn as well.
	shared SharedLimit

	mu         sync.Mutex
	limit      rate.Limit // the pace; Inf when unlimited
	last       time.Time  // when the last request left
	next       time.Time  // when the next may leave, on the headroom's schedule
	pauseUntil time.Time
	ceiling    rate.Limit // learned from headers; Inf when unknown
	lastCut    time.Time
	lowered    time.Time // when the pace was last lowered
	lastGrow   time.Time
	held       bool        // some Wait was delayed by the pace since lastGrow
	oks        []time.Time // ring of recent success times, for the first cut
	okNext     int
}

const (
	cutFactor     = 0.67
	cutUnderLimit = 0.9 // a cut below a limit the headers gave: that limit is close
	growPerSec    = 0.10
	minRate       = rate.Limit(0.02) // about one request a minute
	okRing        = 512
	cooldown      = time.Second
	noHintWait    = 500 * time.Millisecond // pause after a 429 with no Retry-After
	// headroom is how far under the limit requests leave: 2% keeps a
	// strict provider's window from seeing two requests too close together.
	headroom = 0.98
)

func newLimiter(rpm float64) *limiter {
	l := &limiter{ceiling: rate.Inf, limit: rate.Inf, oks: make([]time.Time, 0, okRing), turn: make(chan struct{}, 1)}
	if rpm > 0 {
		l.fixed = true
		l.limit = rate.Limit(rpm / 60)
	}
	return l
}

// gap is the time between two requests at the current pace.
func (l *limiter) gapLocked() time.Duration {
	if l.limit == rate.Inf || l.limit <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / (float64(l.limit) * headroom))
}

// exactLocked is the time between two requests at exactly the pace.
func (l *limiter) exactLocked() time.Duration {
	if l.limit == rate.Inf || l.limit <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / float64(l.limit))
}

// nextLocked is when the next request may leave: on the schedule the
// headroom sets, which a late wake-up does not push back (its lateness
// comes out of the headroom), but never closer to the last departure
// than the pace itself allows.
func (l *limiter) nextLocked() time.Time {
	return maxTime(l.next, l.last.Add(l.exactLocked()))
}

// leftLocked notes a departure at now and schedules the next one.
func (l *limiter) leftLocked(now time.Time) {
	gap := l.gapLocked()
	if now.Sub(l.next) < gap {
		l.next = l.next.Add(gap) // busy: keep to the schedule
	} else {
		l.next = now.Add(gap) // after a pause or idle time: from now
	}
	l.last = now
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// errPaceBeyondDeadline says a turn would come after ctx's deadline.
var errPaceBeyondDeadline = errors.New("the next turn at this pace comes after the deadline")

// Wait blocks until a request may be sent: after any shared pause, then
// when the pace allows. A pause that begins while a worker waits its turn
// holds it too.
func (l *limiter) Wait(ctx context.Context) error {
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	for {
		l.mu.Lock()
		now := time.Now()
		d, paced := l.pauseUntil.Sub(now), false
		if d <= 0 && !l.last.IsZero() {
			d, paced = l.nextLocked().Sub(now), true
		}
		if d <= 0 && l.shared != nil {
			l.mu.Unlock()
			// The turn is booked for us, wait from now.
			wait, err := l.shared.Take(ctx)
			if err != nil {
				return err
			}
			if wait > 0 {
				if err := sleep(ctx, wait); err != nil {
					return err
				}
			}
			l.mu.Lock()
			l.leftLocked(time.Now())
			l.mu.Unlock()
			return nil
		}
		if d <= 0 {
			l.leftLocked(now)
			l.mu.Unlock()
			return nil
		}
		if paced && !l.fixed && d > time.Millisecond {
			l.held = true
		}
		l.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && paced && now.Add(d).After(dl) {
			return errPaceBeyondDeadline
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Observe adjusts the pace after an attempt sent just now: resp is the
// response on success, err the attempt's error otherwise.
func (l *limiter) Observe(resp llm.Response, err error) { l.ObserveSent(time.Now(), resp, err) }

// ObserveSent is Observe for an attempt that left at sent.
func (l *limiter) ObserveSent(sent time.Time, resp llm.Response, err error) {
	limits := limitsOf(resp, err)
	var perr *llm.Error
	asError(err, &perr)
	rateLimited := perr != nil && perr.Status == 429
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	// An answer that empties the bucket holds everyone until it refills;
	// a 429 that says how long to wait is taken at its word instead.
	if limits.HasRemaining && limits.RemainingRequests == 0 && limits.ResetRequests > 0 && !(rateLimited && perr.RetryAfter > 0) {
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
	case rateLimited:
		wait := perr.RetryAfter
		if wait <= 0 {
			wait = noHintWait
		}
		l.pauseLocked(now, wait)
		if l.shared != nil {
			l.shared.Pause(wait)
		}
		if !l.fixed && !sent.Before(l.lowered) {
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
	if l.limit > ceil {
		l.limit, l.lowered = ceil, time.Now()
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
	cur := l.limit
	next := cur * cutFactor
	if l.ceiling != rate.Inf {
		next = cur * cutUnderLimit
	}
	if cur == rate.Inf {
		// With no success to measure a pace from (the provider's bucket
		// was empty when we started), the shared pause is all we can do.
		if next = l.recentRateLocked(now); next == 0 {
			return
		}
	}
	next = max(min(next, l.ceiling), minRate)
	l.limit = next
	l.lastCut, l.lastGrow, l.lowered, l.held = now, now, now, false
}

func (l *limiter) growLocked(now time.Time) {
	cur := l.limit
	if cur == rate.Inf || cur >= l.ceiling {
		return
	}
	dt := now.Sub(l.lastGrow)
	if dt < 100*time.Millisecond {
		return
	}
	if l.held && now.Sub(l.lastCut) >= cooldown {
		next := cur * rate.Limit(math.Pow(1+growPerSec, dt.Seconds()))
		l.limit = min(next, l.ceiling)
	}
	l.lastGrow, l.held = now, false
}

// Limit reports the current pace, for tests and progress.
func (l *limiter) Limit() rate.Limit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

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
