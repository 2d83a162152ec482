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

// Forget drops what the receiver keeps of the named source (its rate and
// the delivery ids it has seen). The daemon calls it when a source is
// removed, so that the receiver's memory holds only live sources.
func (rc *Receiver) Forget(name string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	delete(rc.states, name)
}
