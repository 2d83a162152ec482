package autoscale_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
)

// load is the total load of a service at an instant; each ready replica
// reads its share.
type load func(now time.Time) float64

// simulate evaluates p every interval for span from t0, starting at
// current replicas, with the service under l.
func simulate(p autoscale.Policy, current int, span time.Duration, l load) *evaluator {
	e := &evaluator{p: p, current: current}
	for now := t0; !now.After(t0.Add(span)); now = now.Add(p.Interval) {
		e.step(now, false, cpu(l(now)/float64(e.current)))
	}
	return e
}

// A load oscillating ±15% around target × n0 sits just outside the 10%
// tolerance: it may scale up once to absorb the peaks and down once, never
// flap with the wave.
func TestOscillatingLoadDoesNotFlap(t *testing.T) {
	p := policy()
	p.Max = 40
	for _, period := range []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute} {
		for _, n0 := range []int{2, 4, 10, 25} {
			t.Run(fmt.Sprintf("period %v from %d", period, n0), func(t *testing.T) {
				wave := func(now time.Time) float64 {
					phase := 2 * math.Pi * float64(now.Sub(t0)) / float64(period)
					return cpu(0).Target * float64(n0) * (1 + 0.15*math.Sin(phase))
				}
				e := simulate(p, n0, 10*time.Minute, wave)
				if acted := e.actions(); len(acted) > 2 {
					for _, d := range acted {
						t.Log(d.At.Format(time.TimeOnly), d.Message)
					}
					t.Fatalf("%d actions in 10 minutes, want at most 2", len(acted))
				}
				if len(e.decision) != 61 {
					t.Fatalf("%d evaluations, want 61", len(e.decision))
				}
			})
		}
	}
}

// A load that doubles is followed at the first evaluation after the
// step; a load that halves again is followed only once the window has
// seen nothing higher.
func TestStepLoad(t *testing.T) {
	p := policy()
	const n0 = 4
	base := cpu(0).Target * n0
	rise, fall := 3*time.Minute+5*time.Second, 8*time.Minute+5*time.Second
	step := func(now time.Time) float64 {
		if d := now.Sub(t0); d >= rise && d < fall {
			return 2 * base
		}
		return base
	}
	e := simulate(p, n0, fall+2*p.Window, step)
	acted := e.actions()
	if len(acted) != 2 {
		t.Fatalf("%d actions, want 2 (up, then down)", len(acted))
	}
	up, down := acted[0], acted[1]
	firstAfterRise := t0.Add(rise).Truncate(p.Interval).Add(p.Interval)
	if up.Action != autoscale.Up || !up.At.Equal(firstAfterRise) || up.Desired != 2*n0 {
		t.Errorf("up: %s at %v to %d, want up at %v to %d", up.Action, up.At, up.Desired, firstAfterRise, 2*n0)
	}
	lastHigh := t0.Add(fall).Truncate(p.Interval)
	if down.Action != autoscale.Down || down.Desired != n0 {
		t.Errorf("down: %s to %d, want down to %d", down.Action, down.Desired, n0)
	}
	if !down.At.After(lastHigh.Add(p.Window)) || down.At.After(lastHigh.Add(p.Window+p.Interval)) {
		t.Errorf("down at %v, want the first evaluation after %v (the last high load and the window)", down.At, lastHigh.Add(p.Window))
	}
	for _, d := range e.decision {
		if d.At.After(t0.Add(fall)) && d.At.Before(down.At) && d.Action == autoscale.Hold && d.Recommended < d.Current && d.Rule != autoscale.RuleStabilization {
			t.Errorf("at %v a scale-down was held by %s, want %s", d.At, d.Rule, autoscale.RuleStabilization)
		}
	}
}
