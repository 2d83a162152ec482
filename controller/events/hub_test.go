package events

import (
	"context"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/resource"
)

func ids(events []resource.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// drain reads ch until it is closed.
func drain(ch <-chan resource.Event) []resource.Event {
	var out []resource.Event
	for e := range ch {
		out = append(out, e)
	}
	return out
}

func TestPublishNumbersAndStamps(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	h := New(Options{Now: func() time.Time { return now }})
	if h.Last() != 0 {
		t.Errorf("Last of an empty hub = %d, want 0", h.Last())
	}
	given := now.Add(-time.Hour)
	a := h.Publish(resource.Event{Kind: "created", ID: 42})
	b := h.Publish(resource.Event{Kind: "lost", Time: given})
	if a.ID != 1 || !a.Time.Equal(now) || a.Kind != "created" {
		t.Errorf("first event = %+v, want ID 1 at now", a)
	}
	if b.ID != 2 || !b.Time.Equal(given) {
		t.Errorf("second event = %+v, want ID 2 at its own time", b)
	}
	if h.Last() != 2 {
		t.Errorf("Last = %d, want 2", h.Last())
	}
}

func TestKeepBound(t *testing.T) {
	h := New(Options{Keep: 3})
	for range 10 {
		h.Publish(resource.Event{Kind: "created"})
	}
	for since, want := range map[int64][]int64{0: {8, 9, 10}, 8: {9, 10}, 10: {}} {
		backlog, _ := h.Subscribe(t.Context(), since)
		if got := ids(backlog); !slices.Equal(got, want) {
			t.Errorf("Subscribe(since %d) backlog = %v, want %v", since, got, want)
		}
	}
}

func TestSinceBeyondNewest(t *testing.T) {
	h := New(Options{})
	for range 3 {
		h.Publish(resource.Event{})
	}
	backlog, ch := h.Subscribe(t.Context(), 10)
	if len(backlog) != 0 {
		t.Errorf("backlog = %v, want none", ids(backlog))
	}
	h.Publish(resource.Event{})
	if e := <-ch; e.ID != 4 {
		t.Errorf("first live event ID = %d, want 4", e.ID)
	}
}

func TestCancelClosesChannel(t *testing.T) {
	h := New(Options{})
	ctx, cancel := context.WithCancel(t.Context())
	_, ch := h.Subscribe(ctx, 0)
	h.Publish(resource.Event{})
	cancel()
	if got := drain(ch); len(got) > 1 {
		t.Errorf("got %v after cancel, want at most the one event published before", ids(got))
	}
	h.Publish(resource.Event{}) // must not send on the closed channel
	if n := h.subscribers(); n != 0 {
		t.Errorf("%d subscribers after cancel, want 0", n)
	}
}

func TestSubscribeWithEndedContext(t *testing.T) {
	h := New(Options{})
	h.Publish(resource.Event{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	backlog, ch := h.Subscribe(ctx, 0)
	if len(backlog) != 1 {
		t.Errorf("backlog = %v, want event 1", ids(backlog))
	}
	drain(ch) // returns once the channel is closed
}

func TestSlowSubscriberDropped(t *testing.T) {
	h := New(Options{Buffer: 2})
	_, slow := h.Subscribe(t.Context(), 0)
	_, fast := h.Subscribe(t.Context(), 0)
	var fastGot []resource.Event
	for range 10 {
		h.Publish(resource.Event{}) // would block here if the slow subscriber held it up
		fastGot = append(fastGot, <-fast)
	}
	if got := ids(drain(slow)); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("slow subscriber got %v before being dropped, want [1 2]", got)
	}
	if got := ids(fastGot); !slices.Equal(got, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
		t.Errorf("fast subscriber got %v, want 1..10", got)
	}
	if n := h.subscribers(); n != 1 {
		t.Errorf("%d subscribers, want the fast one", n)
	}
}

// TestNoGapNoDuplicate subscribes at random points while many goroutines
// publish, and checks that each subscriber sees every event after its
// since exactly once, in order, across the backlog and the channel.
func TestNoGapNoDuplicate(t *testing.T) {
	const publishers, perPublisher, subscribers = 8, 200, 20
	const total = publishers * perPublisher
	h := New(Options{Keep: total, Buffer: total})

	var pubs sync.WaitGroup
	for range publishers {
		pubs.Go(func() {
			for range perPublisher {
				h.Publish(resource.Event{Kind: "created"})
			}
		})
	}
	var subs sync.WaitGroup
	for range subscribers {
		subs.Go(func() { checkSubscriber(t, h, total) })
	}
	pubs.Wait()
	subs.Wait()
}

// checkSubscriber subscribes at a random point with a random since, and
// reads until event total.
func checkSubscriber(t *testing.T, h *Hub, total int64) {
	for range rand.IntN(200) { // let the publishers get somewhere first
		if h.Last() >= total {
			break
		}
		runtime.Gosched()
	}
	since := rand.Int64N(h.Last() + 1)
	backlog, ch := h.Subscribe(t.Context(), since)
	want := since + 1
	for _, e := range backlog {
		if e.ID != want {
			t.Errorf("since %d: backlog has %d where %d was due", since, e.ID, want)
			return
		}
		want++
	}
	for want <= total {
		e, ok := <-ch
		if !ok {
			t.Errorf("since %d: channel closed before event %d", since, want)
			return
		}
		if e.ID != want {
			t.Errorf("since %d: channel has %d where %d was due", since, e.ID, want)
			return
		}
		want++
	}
}

// subscribers returns how many subscribers h sends to.
func (h *Hub) subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
