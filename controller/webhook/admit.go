package webhook

import "time"

// verdict is what admit decides of an authenticated delivery.
type verdict int

const (
	admitted verdict = iota
	replayed         // its id was seen before
	limited          // the source's bucket is empty
)

// sourceState is what the receiver keeps of a source that sent a valid
// delivery: its token bucket and the ids it has delivered.
type sourceState struct {
	bucket bucket
	seen   seenIDs
	// deferred is set while a poll is scheduled for a push refused for
	// rate: one at a time, however many are refused.
	deferred bool
}

// admit decides of a delivery to name with id ("" for none), at once for
// replay and rate: a replay takes no token, and a delivery refused for
// rate is not remembered, so that its sender can retry it.
func (rc *Receiver) admit(name, id string) (verdict, time.Duration) {
	now := rc.opts.Now()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	st, ok := rc.states[name]
	if !ok {
		st = &sourceState{
			bucket: newBucket(now, rc.opts.Rate, rc.opts.Burst),
			seen:   newSeenIDs(rc.opts.Deliveries),
		}
		rc.states[name] = st
	}
	if id != "" && st.seen.has(id) {
		return replayed, 0
	}
	if ok, wait := st.bucket.take(now, rc.opts.Rate, rc.opts.Burst); !ok {
		return limited, wait
	}
	if id != "" {
		st.seen.add(id)
	}
	return admitted, 0
}

// deferPoll makes the named source poll once wait has passed, unless a
// deferred poll is scheduled already: a push refused for rate is applied
// all the same, once the limit allows, and a flood of pushes costs one
// poll per Rate.
func (rc *Receiver) deferPoll(name string, wait time.Duration) {
	rc.mu.Lock()
	st := rc.states[name]
	if st == nil || st.deferred {
		rc.mu.Unlock()
		return
	}
	st.deferred = true
	rc.mu.Unlock()
	rc.opts.AfterFunc(wait, func() {
		rc.mu.Lock()
		st.deferred = false
		rc.mu.Unlock()
		rc.opts.Sources.Trigger(name) // a source removed meanwhile ignores it
	})
}

// Forget drops what the receiver keeps of the named source (its rate and
// the delivery ids it has seen). The daemon calls it when a source is
// removed, so that the receiver's memory holds only live sources.
func (rc *Receiver) Forget(name string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	delete(rc.states, name)
}
