package views

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// The human renderings show local times: the tests fix the zone.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}

// when is the time of the fixtures.
var when = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

// render runs show on a view of format f and returns what it wrote to
// Out and to Err.
func render(t *testing.T, f Format, show func(*View) error) (string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := show(New(&out, &errOut, f)); err != nil {
		t.Fatalf("render: %v", err)
	}
	return out.String(), errOut.String()
}

// wantText fails t when got is not want, showing both.
func wantText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n%s\nwant:\n%s", what, got, want)
	}
}
