package clocktest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/reconcile/clocktest"
)

// Waiters fire when time reaches them, not before; Pending says how long
// each has left.
func TestAdvanceAndPending(t *testing.T) {
	c := clocktest.New(time.Unix(0, 0))
	long, short := c.After(3*time.Second), c.After(time.Second)
	if got := c.Pending(); !slices.Equal(got, []time.Duration{time.Second, 3 * time.Second}) {
		t.Fatalf("Pending = %v", got)
	}
	c.Advance(999 * time.Millisecond)
	select {
	case <-short:
		t.Fatal("fired 1 ms early")
	default:
	}
	c.Advance(time.Millisecond)
	if at := <-short; !at.Equal(time.Unix(1, 0)) {
		t.Errorf("fired at %v", at)
	}
	if got := c.Pending(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
		t.Errorf("Pending after the first fired = %v", got)
	}
	c.Advance(time.Hour)
	<-long
	if now := c.After(0); len(now) != 1 {
		t.Error("After(0) did not fire at once")
	}
}

// WaitWaiters returns when a goroutine waits on the clock, and with the
// context's error when none does in time.
func TestWaitWaiters(t *testing.T) {
	c := clocktest.New(time.Unix(0, 0))
	go c.After(time.Minute)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.WaitWaiters(ctx, 1); err != nil {
		t.Fatalf("one waiter: %v", err)
	}
	ended, stop := context.WithCancel(t.Context())
	stop()
	if err := c.WaitWaiters(ended, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("two waiters, none coming: %v, want context.Canceled", err)
	}
}
