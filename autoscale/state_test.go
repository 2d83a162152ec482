package autoscale_test

import (
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
)

func TestDecideState(t *testing.T) {
	earlier := at(-time.Hour)
	before := autoscale.State{Desired: 4, LastAction: earlier, LastUp: earlier, LastDown: earlier.Add(-time.Hour)}
	cases := []struct {
		name  string
		in    autoscale.Input
		state autoscale.State
		want  autoscale.State
	}{
		{
			name:  "a scale-up remembers the count and when",
			in:    input(4, cpu(0.82)),
			state: before,
			want:  autoscale.State{Desired: 7, LastAction: t0, LastUp: t0, LastDown: before.LastDown},
		},
		{
			name:  "a scale-down remembers the count and when",
			in:    input(4, cpu(0.3)),
			state: before,
			want:  autoscale.State{Desired: 3, LastAction: t0, LastUp: before.LastUp, LastDown: t0},
		},
		{
			name:  "a hold changes nothing but the history",
			in:    input(4, cpu(0.5)),
			state: autoscale.State{Desired: 6, LastAction: earlier, LastUp: earlier},
			want:  autoscale.State{Desired: 6, LastAction: earlier, LastUp: earlier},
		},
		{
			name: "a first hold remembers the current count",
			in:   input(4, cpu(0.5)),
			want: autoscale.State{Desired: 4},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.State = c.state
			got := autoscale.Decide(policy(), in).State
			want := c.want
			want.History = []autoscale.Recommendation{{At: t0, Count: autoscale.Decide(policy(), in).Recommended}}
			if !equalState(got, want) {
				t.Errorf("state %+v, want %+v", got, want)
			}
		})
	}
}

func equalState(a, b autoscale.State) bool {
	return a.Desired == b.Desired && a.LastAction.Equal(b.LastAction) && a.LastUp.Equal(b.LastUp) &&
		a.LastDown.Equal(b.LastDown) && slices.Equal(a.History, b.History)
}

// Decide writes nothing of its input: the caller's history, even with
// room to grow, is left as it was.
func TestDecideIsPure(t *testing.T) {
	h := make([]autoscale.Recommendation, 2, 8)
	h[0] = autoscale.Recommendation{At: at(-10 * time.Minute), Count: 9}
	h[1] = autoscale.Recommendation{At: at(-time.Minute), Count: 5}
	in := input(4, cpu(0.3))
	in.State.History = h
	d := autoscale.Decide(policy(), in)
	if h[0].Count != 9 || h[1].Count != 5 || !h[0].At.Equal(at(-10*time.Minute)) {
		t.Fatalf("the input's history was changed: %+v", h)
	}
	if extra := h[:3][2]; !extra.At.IsZero() {
		t.Fatalf("Decide wrote past the input history's length: %+v", extra)
	}
	want := []autoscale.Recommendation{h[1], {At: t0, Count: 3}}
	if !slices.Equal(d.State.History, want) {
		t.Fatalf("history %+v, want %+v", d.State.History, want)
	}
}

func TestNextAllowed(t *testing.T) {
	cases := []struct {
		name           string
		last           time.Time
		in             autoscale.Input
		nextUp, nextDn time.Time
	}{
		{name: "no action yet", in: input(4, cpu(0.5))},
		{name: "both cooldowns running", last: at(-30 * time.Second), in: input(4, cpu(0.5)),
			nextUp: at(30 * time.Second), nextDn: at(4*time.Minute + 30*time.Second)},
		{name: "only cooldown_down running", last: at(-2 * time.Minute), in: input(4, cpu(0.5)),
			nextDn: at(3 * time.Minute)},
		{name: "an action now starts both", last: at(-time.Hour), in: input(4, cpu(0.82)),
			nextUp: at(time.Minute), nextDn: at(5 * time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.State.LastAction = c.last
			d := autoscale.Decide(policy(), in)
			if !d.NextUp.Equal(c.nextUp) || !d.NextDown.Equal(c.nextDn) {
				t.Errorf("next up %v, down %v; want %v, %v", d.NextUp, d.NextDown, c.nextUp, c.nextDn)
			}
		})
	}
}

// evaluator runs Decide every interval from t0, carrying the state and the
// count from one evaluation to the next as the runner does; every replica
// is ready at once.
type evaluator struct {
	p        autoscale.Policy
	current  int
	state    autoscale.State
	decision []autoscale.Decision
}

// step evaluates at now with the readings and applies the decision.
func (e *evaluator) step(now time.Time, converging bool, rs ...autoscale.Reading) autoscale.Decision {
	d := autoscale.Decide(e.p, autoscale.Input{
		Now: now, Current: e.current, Ready: e.current, Converging: converging, Readings: rs, State: e.state,
	})
	e.state, e.current = d.State, d.Desired
	e.decision = append(e.decision, d)
	return d
}

// actions are the decisions that acted.
func (e *evaluator) actions() []autoscale.Decision {
	var acted []autoscale.Decision
	for _, d := range e.decision {
		if d.Action != autoscale.Hold {
			acted = append(acted, d)
		}
	}
	return acted
}

// Nomad autoscaler issue 272: one cooldown after any action keeps a
// service small through a surge that follows a scale-down. Here a
// scale-down with cooldown_down 10m lets a surge scale up as soon as
// cooldown_up (1m) has passed, and evaluation goes on meanwhile.
func TestSurgeAfterScaleDown(t *testing.T) {
	p := policy()
	p.CooldownDown, p.Window = 10*time.Minute, 0
	e := &evaluator{p: p, current: 6}
	if d := e.step(t0, false, cpu(0.2)); d.Action != autoscale.Down {
		t.Fatalf("first evaluation: %s", d.Message)
	}
	var up autoscale.Decision
	for i := 1; i <= 12 && up.Action != autoscale.Up; i++ {
		now := at(time.Duration(i) * p.Interval)
		d := e.step(now, false, cpu(0.9))
		if now.Before(at(p.CooldownUp)) && (d.Action != autoscale.Hold || d.Rule != autoscale.RuleCooldownUp) {
			t.Fatalf("at %v, within cooldown_up: %s by %s", now, d.Action, d.Rule)
		}
		if d.Action == autoscale.Up {
			up = d
		}
	}
	if !up.At.Equal(at(p.CooldownUp)) {
		t.Fatalf("scaled up at %v, want at %v (the end of cooldown_up)", up.At, at(p.CooldownUp))
	}
	if got := len(e.state.History); got != 1 {
		t.Errorf("with no window the history holds %d recommendations, want 1", got)
	}
}

// An action that does not converge holds the next one until
// converge_timeout after it, and not a moment longer.
func TestConvergeDeadline(t *testing.T) {
	p := policy()
	p.CooldownUp = 0
	e := &evaluator{p: p, current: 2}
	if d := e.step(t0, false, cpu(0.82)); d.Action != autoscale.Up {
		t.Fatalf("first evaluation: %s", d.Message)
	}
	for i := 1; ; i++ {
		now := at(time.Duration(i) * p.Interval)
		d := e.step(now, true, cpu(0.82))
		deadline := at(p.ConvergeTimeout)
		if now.Before(deadline) {
			if d.Rule != autoscale.RuleConverging || d.Action != autoscale.Hold {
				t.Fatalf("at %v, before the deadline %v: %s by %s", now, deadline, d.Action, d.Rule)
			}
			if len(d.State.History) != i+1 {
				t.Fatalf("at %v: %d recommendations remembered, want %d: evaluation must go on", now, len(d.State.History), i+1)
			}
			continue
		}
		if d.Action != autoscale.Up {
			t.Fatalf("at the deadline %v: %s by %s, want up", now, d.Action, d.Rule)
		}
		return
	}
}
