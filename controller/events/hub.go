package events

import (
	"context"
	"sync"
	"time"

	"github.com/drover/drover/resource"
)

// Options configure a Hub. Zero fields take the defaults given.
type Options struct {
	// Keep is how many recent events are held for late subscribers.
	// Default 1000.
	Keep int
	// Buffer is each subscriber's channel capacity; a subscriber that
	// falls this far behind is dropped (its channel closed), never
	// blocking Publish. Default 256.
	Buffer int
	// Now is the clock, for events without a Time. Default time.Now.
	Now func() time.Time
}

// Hub numbers events, holds the most recent ones and fans them out to
// subscribers. Safe for concurrent use.
type Hub struct {
	opts Options

	mu   sync.Mutex
	ring []resource.Event // event ID n is at ring[(n-1)%Keep]
	last int64            // ID of the newest event; 0 if none
	subs map[*subscriber]struct{}
}

type subscriber struct {
	ch   chan resource.Event
	stop func() bool // stops watching the subscriber's ctx
}

// New returns an empty Hub.
func New(opts Options) *Hub {
	if opts.Keep <= 0 {
		opts.Keep = 1000
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Hub{opts: opts, ring: make([]resource.Event, opts.Keep), subs: map[*subscriber]struct{}{}}
}

// Publish numbers e with the next ID (1, 2, ...), sets its Time to now if
// it has none, holds it and sends it to every subscriber. It never
// blocks: a subscriber whose channel is full is dropped. It returns the
// event as published.
func (h *Hub) Publish(e resource.Event) resource.Event {
	if e.Time.IsZero() {
		e.Time = h.opts.Now()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last++
	e.ID = h.last
	h.ring[h.slot(e.ID)] = e
	for s := range h.subs {
		select {
		case s.ch <- e:
		default:
			h.dropLocked(s)
		}
	}
	return e
}

// Subscribe returns the held events with an ID above since, oldest first,
// and a channel of every event published afterwards: together they hold
// each event once, in order. A since at or beyond the newest ID (such as
// one from before a restart) gets no backlog, but every new event. A
// since older than the oldest held event gets what is held; the first
// event's ID shows what was missed.
//
// The channel is closed when ctx ends or when the subscriber falls
// Options.Buffer events behind; the subscriber then subscribes again with
// the last ID it saw. Ending ctx is how a subscriber leaves: a goroutine
// started by context.AfterFunc once ctx is done closes the channel.
func (h *Hub) Subscribe(ctx context.Context, since int64) ([]resource.Event, <-chan resource.Event) {
	s := &subscriber{ch: make(chan resource.Event, h.opts.Buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	backlog := h.heldSinceLocked(since)
	h.subs[s] = struct{}{}
	s.stop = context.AfterFunc(ctx, func() { h.leave(s) })
	return backlog, s.ch
}

// Last returns the ID of the newest event, 0 if none.
func (h *Hub) Last() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// heldSinceLocked copies the held events with an ID above since.
func (h *Hub) heldSinceLocked(since int64) []resource.Event {
	first := max(since+1, h.last-int64(h.opts.Keep)+1, 1)
	out := make([]resource.Event, 0, max(h.last-first+1, 0))
	for id := first; id <= h.last; id++ {
		out = append(out, h.ring[h.slot(id)])
	}
	return out
}

func (h *Hub) slot(id int64) int64 { return (id - 1) % int64(h.opts.Keep) }

// leave removes s when its ctx ends, unless it was dropped already.
func (h *Hub) leave(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		h.dropLocked(s)
	}
}

// dropLocked removes s and closes its channel. Sends and closes both
// happen under h.mu, so no send can meet a closed channel.
func (h *Hub) dropLocked(s *subscriber) {
	delete(h.subs, s)
	close(s.ch)
	s.stop()
}
