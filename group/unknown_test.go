package group_test

import (
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/instance"
)

// An instance whose health turns unknown after it was healthy (its engine
// does not answer) is never replaced for that: only a stop or the
// flavor's Unhealthy is a reason. One never seen healthy is replaced once
// its grace period ends, as before.
func TestUnknownIsNotDead(t *testing.T) {
	r := newRig(t, 2)
	r.converge(t)
	r.plugin.Set("test-web-1", instance.StateRunning, "unknown")
	if res := r.pass(t); res.RequeueAfter != 250*time.Millisecond {
		t.Fatalf("just gone quiet: next look after %v, want 250ms", res.RequeueAfter)
	}
	for range 5 {
		r.clock.Advance(time.Minute) // far past grace and unhealthy_after
		if res := r.pass(t); res.RequeueAfter != 5*time.Second {
			t.Fatalf("quiet for long: next look after %v, want 5s", res.RequeueAfter)
		}
	}
	if got := strings.Join(r.plugin.Names(), ","); got != "test-web-1,test-web-2" || strings.Contains(r.events.kinds(), "destroyed") {
		t.Fatalf("an instance of unknown health was replaced: %s; events %s", got, r.events.kinds())
	}
	r.plugin.Set("test-web-1", instance.StateStopped, "unknown")
	r.converge(t)
	if k := r.events.kinds(); !strings.Contains(k, "destroyed web-1") {
		t.Fatalf("a stopped instance was not replaced: %s", k)
	}

	r.restart(t) // a new process: web-1's replacement was never seen healthy by it
	r.plugin.Set("test-web-1", instance.StateRunning, "unknown")
	before := strings.Count(r.events.kinds(), "destroyed web-1")
	for range 3 {
		r.clock.Advance(time.Minute)
		r.pass(t)
	}
	if k := r.events.kinds(); strings.Count(k, "destroyed web-1") != before+1 {
		t.Fatalf("an instance never seen healthy stayed unknown past its grace: %s", k)
	}
}
