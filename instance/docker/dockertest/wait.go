package dockertest

import (
	"testing"
	"time"
)

// pollInterval is how often WaitFor checks.
const pollInterval = 50 * time.Millisecond

// WaitFor checks cond every 50ms until it returns true, failing the test
// with cond's last error (or a plain timeout) if that takes longer than
// timeout. Polling is acceptable here, and only here: a test waiting for
// an external engine to get somewhere.
func WaitFor(t testing.TB, timeout time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return
		}
		last = err
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(pollInterval)
	}
	if last != nil {
		t.Fatalf("not done after %v: %v", timeout, last)
	}
	t.Fatalf("not done after %v", timeout)
}
