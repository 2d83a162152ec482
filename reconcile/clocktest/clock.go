// Package clocktest is a fake reconcile.Clock whose time moves only when
// a test advances it.
package clocktest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Clock is a fake clock. The zero value is not usable; use New.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	added   chan struct{} // closed and replaced when a waiter is added
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// New returns a clock at t.
func New(t time.Time) *Clock { return &Clock{now: t, added: make(chan struct{})} }

// Now implements reconcile.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After implements reconcile.Clock.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	close(c.added)
	c.added = make(chan struct{})
	return ch
}

// Advance moves time forward and fires the waiters now due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// Pending returns, shortest first, how long each waiting After channel
// has left until it fires: what a test checks a backoff or a deadline
// against without reading the wall clock.
func (c *Clock) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Duration, 0, len(c.waiters))
	for _, w := range c.waiters {
		out = append(out, w.at.Sub(c.now))
	}
	slices.Sort(out)
	return out
}

// BlockUntil returns once at least n After channels are waiting to fire,
// so that a test advances the clock only when a goroutine waits on it.
// It waits without bound; WaitWaiters is the bounded form.
func (c *Clock) BlockUntil(n int) { c.wait(n, nil) }

// WaitWaiters returns nil once at least n After channels are waiting to
// fire, or ctx's error if ctx ends first: a test bounds the wait with a
// deadline generous enough for a loaded machine.
func (c *Clock) WaitWaiters(ctx context.Context, n int) error {
	if !c.wait(n, ctx.Done()) {
		return ctx.Err()
	}
	return nil
}

// wait reports whether n waiters came before done was closed (a nil done
// is never closed).
func (c *Clock) wait(n int, done <-chan struct{}) bool {
	for {
		c.mu.Lock()
		if len(c.waiters) >= n {
			c.mu.Unlock()
			return true
		}
		added := c.added
		c.mu.Unlock()
		select {
		case <-added:
		case <-done:
			return false
		}
	}
}
