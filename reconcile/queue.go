package reconcile

import (
	"context"
	"slices"
	"sync"
	"time"
)

// QueueOptions configure a Queue.
type QueueOptions struct {
	// Clock is the time source. Default: RealClock.
	Clock Clock
	// BaseBackoff is the delay after a key's first failure, doubled per
	// further failure. Default 500ms.
	BaseBackoff time.Duration
	// MaxBackoff caps the backoff. Default 2m.
	MaxBackoff time.Duration
}

// Queue is a keyed work queue: a key added several times is processed
// once, never by two workers at a time, and a key added while it is being
// processed is processed again afterwards. Keys can be added after a delay
// (a deadline) or after a per-key exponential backoff. It starts no
// goroutine: Get waits for the next due key itself.
type Queue[K comparable] struct {
	opts QueueOptions

	mu       sync.Mutex
	ready    []K
	queued   map[K]bool      // in ready
	active   map[K]bool      // handed out by Get, not Done yet
	dirty    map[K]bool      // added while active
	delayed  map[K]time.Time // due times of keys waiting for a delay
	failures map[K]int
	wake     chan struct{} // closed and replaced when work may be available
	closed   bool
}

// NewQueue returns an empty queue.
func NewQueue[K comparable](opts QueueOptions) *Queue[K] {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.BaseBackoff <= 0 {
		opts.BaseBackoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 2 * time.Minute
	}
	return &Queue[K]{
		opts: opts, queued: map[K]bool{}, active: map[K]bool{}, dirty: map[K]bool{},
		delayed: map[K]time.Time{}, failures: map[K]int{}, wake: make(chan struct{}),
	}
}

// Add makes key due now.
func (q *Queue[K]) Add(key K) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.addLocked(key)
}

func (q *Queue[K]) addLocked(key K) {
	if q.closed {
		return
	}
	delete(q.delayed, key)
	switch {
	case q.active[key]:
		q.dirty[key] = true
	case !q.queued[key]:
		q.queued[key] = true
		q.ready = append(q.ready, key)
		q.signalLocked()
	}
}

// AddFirst makes key due now, ahead of the keys already due: urgent work
// (a machine's death) does not wait behind a resync of every key.
func (q *Queue[K]) AddFirst(key K) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.active[key] {
		q.addLocked(key)
		return
	}
	delete(q.delayed, key)
	if q.queued[key] { // already waiting: move it, not add it twice
		i := slices.Index(q.ready, key)
		q.ready = slices.Delete(q.ready, i, i+1)
	}
	q.queued[key] = true
	q.ready = slices.Insert(q.ready, 0, key)
	q.signalLocked()
}

// AddAfter makes key due after d, unless it is due sooner already.
func (q *Queue[K]) AddAfter(key K, d time.Duration) {
	if d <= 0 {
		q.Add(key)
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.queued[key] {
		return
	}
	due := q.opts.Clock.Now().Add(d)
	if cur, ok := q.delayed[key]; !ok || due.Before(cur) {
		q.delayed[key] = due
		q.signalLocked()
	}
}

// AddRateLimited makes key due after its backoff, which doubles with each
// failure until Forget.
func (q *Queue[K]) AddRateLimited(key K) {
	q.mu.Lock()
	n := q.failures[key]
	q.failures[key] = n + 1
	q.mu.Unlock()
	d := q.opts.BaseBackoff << min(n, 30)
	if d > q.opts.MaxBackoff || d <= 0 {
		d = q.opts.MaxBackoff
	}
	q.AddAfter(key, d)
}

// Forget resets key's backoff after a success.
func (q *Queue[K]) Forget(key K) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.failures, key)
}

// Get returns the next due key, waiting for one; false when ctx ends or
// the queue is shut down. The caller must call Done with the key.
func (q *Queue[K]) Get(ctx context.Context) (K, bool) {
	var none K
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return none, false
		}
		next := q.promoteLocked()
		if len(q.ready) > 0 {
			key := q.ready[0]
			q.ready = q.ready[1:]
			delete(q.queued, key)
			q.active[key] = true
			q.mu.Unlock()
			return key, true
		}
		wake := q.wake
		q.mu.Unlock()
		var timer <-chan time.Time
		if !next.IsZero() {
			timer = q.opts.Clock.After(next.Sub(q.opts.Clock.Now()))
		}
		select {
		case <-ctx.Done():
			return none, false
		case <-wake:
		case <-timer:
		}
	}
}

// promoteLocked moves due delayed keys to ready and returns the earliest
// due time still waiting (zero when none).
func (q *Queue[K]) promoteLocked() time.Time {
	now := q.opts.Clock.Now()
	var next time.Time
	for key, due := range q.delayed {
		if !due.After(now) {
			q.addLocked(key)
			continue
		}
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	return next
}

// Done marks key processed; a key added meanwhile becomes due again.
func (q *Queue[K]) Done(key K) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.active, key)
	if q.dirty[key] {
		delete(q.dirty, key)
		q.addLocked(key)
	}
}

// Len is the number of keys due now or waiting for a delay.
func (q *Queue[K]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ready) + len(q.delayed)
}

// ShutDown makes every Get return false.
func (q *Queue[K]) ShutDown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.signalLocked()
}

func (q *Queue[K]) signalLocked() {
	close(q.wake)
	q.wake = make(chan struct{})
}
