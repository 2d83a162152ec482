//go:build soak

package runner_test

import (
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/resource"
)

// soakDuration is how long TestAutoscaleOscillationSoak holds its load;
// DROVER_SOAK_FOR changes it. The file builds with the soak tag only:
// make soak runs it, make test does not.
const soakDuration = 10 * time.Minute

// A service whose total load oscillates by ±15 % around its target (its
// starting replica's worth, shared by the running tasks, the way a load
// balancer shares requests) for 10 minutes is scaled at most twice: the tolerance,
// the stabilisation window and the cooldowns keep it from flapping. It
// runs on a real swarm, reading the tasks' CPU from their engines, with
// make soak (the soak build tag).
func TestAutoscaleOscillationSoak(t *testing.T) {
	d := soakDuration
	if s := os.Getenv("DROVER_SOAK_FOR"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("DROVER_SOAK_FOR: %v", err)
		}
	}
	w := newSwarmWorld(t)
	// web: 1 replica at start (its min), a quarter of a core each, the
	// default rails, no reservation.
	r := w.start(w.autoscaleSpec(`
    min = 1
    max = 6`, 0, ""))
	w.converged(r, boundSwarm)
	m := w.nodeClient("managers-1")
	const target, base, period = 0.25, 1.0, 2 * time.Minute // around the target of the starting replica
	start := time.Now()
	for time.Since(start) < d {
		phase := 2 * math.Pi * float64(time.Since(start)) / float64(period)
		total := target * base * (1 + 0.15*math.Sin(phase))
		_, n, err := running(t.Context(), m, "web")
		if err == nil && n > 0 {
			err = setLoad(t.Context(), m, "web", total/float64(n))
		}
		if err != nil {
			t.Logf("load not set this round: %v", err)
		}
		select {
		case <-t.Context().Done():
			t.Fatal("ended during the soak")
		case <-time.After(5 * time.Second): // the load's own period of change, not a wait for a condition
		}
	}
	var actions []string
	for _, e := range w.events.evaluations(resource.Service.KeyOf("web")) {
		if e.Autoscale.Action != string(autoscale.Hold) {
			actions = append(actions, fmt.Sprintf("%s %s", e.Time.Format(time.TimeOnly), e.Reason))
		}
	}
	t.Logf("soak: %d scale actions in %v of ±15%% load around the target: %q", len(actions), d, actions)
	if len(actions) > 2 {
		t.Fatalf("%d scale actions, want at most 2", len(actions))
	}
}
