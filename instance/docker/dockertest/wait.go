package dockertest

import (
	"testing"
	"time"

	"github.com/drover/drover/internal/await"
)

// WaitFor checks cond every 50ms until it returns true, failing the test
// with cond's last error (or a plain timeout) if that takes longer than
// timeout: await.Until, for tests waiting on an engine.
func WaitFor(t testing.TB, timeout time.Duration, cond func() (bool, error)) {
	t.Helper()
	await.Until(t, timeout, cond)
}
