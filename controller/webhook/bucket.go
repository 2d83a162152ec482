package webhook

import "time"

// bucket is a token bucket kept as credit: time earned towards tokens,
// one token per rate, at most burst tokens' worth. Integer arithmetic on
// an injected clock keeps it exact.
type bucket struct {
	credit time.Duration
	last   time.Time
}

// newBucket returns a full bucket as of now.
func newBucket(now time.Time, rate time.Duration, burst int) bucket {
	return bucket{credit: rate * time.Duration(burst), last: now}
}

// take takes a token as of now, or says how long until one is earned. A
// clock that went back earns nothing.
func (b *bucket) take(now time.Time, rate time.Duration, burst int) (ok bool, wait time.Duration) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.credit = min(b.credit+elapsed, rate*time.Duration(burst))
		b.last = now
	}
	if b.credit < rate {
		return false, rate - b.credit
	}
	b.credit -= rate
	return true, 0
}
