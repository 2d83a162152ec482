package digitalocean

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// throttle paces requests by the rate budget the API reports on every
// answer (RateLimit-Limit, -Remaining, -Reset). While more than a tenth of
// the budget remains (at least lowWater requests) requests go at once; below
// that, each waits (time to reset)/(remaining+1), spreading what is left
// over the rest of the window; with nothing left, until the reset. A 429
// with Retry-After holds every request until then. Waits honour the
// request's context.
type throttle struct {
	now func() time.Time

	mu         sync.Mutex
	known      bool
	limit      int
	remaining  int
	reset      time.Time
	retryUntil time.Time
	waited     time.Duration // total, for tests and logs
}

// lowWater is the least remaining budget below which requests slow down.
const lowWater = 5

// maxWait caps one wait: the real window is a minute.
const maxWait = 65 * time.Second

func newThrottle(now func() time.Time) *throttle { return &throttle{now: now} }

// observe records the budget an answer reports.
func (t *throttle) observe(resp *http.Response) {
	limit, err1 := strconv.Atoi(resp.Header.Get("RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(resp.Header.Get("RateLimit-Remaining"))
	reset, err3 := strconv.ParseInt(resp.Header.Get("RateLimit-Reset"), 10, 64)
	t.mu.Lock()
	defer t.mu.Unlock()
	if err1 == nil && err2 == nil && err3 == nil && limit > 0 {
		t.known, t.limit, t.remaining, t.reset = true, limit, remaining, time.Unix(reset, 0)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		t.remaining = 0
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			t.retryUntil = t.now().Add(time.Duration(s) * time.Second)
		}
	}
}

// delay returns how long the next request should wait, and counts it
// against the remaining budget.
func (t *throttle) delay() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Before(t.retryUntil) {
		return min(t.retryUntil.Sub(now), maxWait)
	}
	if !t.known || !now.Before(t.reset) {
		t.known = false
		return 0
	}
	untilReset := t.reset.Sub(now)
	low := max(t.limit/10, lowWater)
	var d time.Duration
	switch {
	case t.remaining <= 0:
		d = untilReset
	case t.remaining > low:
		d = 0
	default:
		d = untilReset / time.Duration(t.remaining+1)
	}
	t.remaining--
	return min(d, maxWait)
}

// wait waits before a request as delay says, or until ctx ends.
func (t *throttle) wait(ctx context.Context) error {
	d := t.delay()
	if d <= 0 {
		return ctx.Err()
	}
	t.mu.Lock()
	t.waited += d
	t.mu.Unlock()
	return sleep(ctx, d)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
