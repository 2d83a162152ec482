package await

import (
	"testing"
	"time"
)

// Interval is how often Until checks.
const Interval = 50 * time.Millisecond

// Until checks cond every Interval until it returns true, failing the
// test with cond's last error (or a plain timeout) if that takes longer
// than timeout. Polling is for conditions that another process makes
// true; what this process does can be awaited directly.
func Until(t testing.TB, timeout time.Duration, cond func() (bool, error)) {
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
		time.Sleep(Interval)
	}
	if last != nil {
		t.Fatalf("not done after %v: %v", timeout, last)
	}
	t.Fatalf("not done after %v", timeout)
}
