package datadir

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// One controller at a time: a second Lock of the same data dir fails
// with who holds it (flock is per open file, so this holds within one
// process too), and succeeds once the first is released.
func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	first, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dir)
	var held *HeldError
	if !errors.As(err, &held) || held.PID != os.Getpid() || !strings.Contains(err.Error(), "drover run") {
		t.Fatalf("second Lock: %v, want a HeldError naming pid %d", err, os.Getpid())
	}
	first.Release()
	first.Release() // twice is harmless
	second, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Release: %v", err)
	}
	second.Release()
	var none *Locked
	none.Release()
}
