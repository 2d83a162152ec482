package autoscale_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
)

// t0 is the simulated now of every test: decisions depend on no clock.
var t0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// policy is the spec's defaults with min 1 and max 10.
func policy() autoscale.Policy {
	return autoscale.Policy{
		Min: 1, Max: 10, Interval: 10 * time.Second, Tolerance: 0.1,
		Window: 5 * time.Minute, CooldownUp: time.Minute, CooldownDown: 5 * time.Minute,
		ConvergeTimeout: 5 * time.Minute,
	}
}

func cpu(v float64) autoscale.Reading {
	return autoscale.Reading{Metric: "cpu", Value: v, Target: 0.5}
}

func memory(v float64) autoscale.Reading {
	return autoscale.Reading{Metric: "memory", Value: v, Target: 0.5}
}

func broken(metric string) autoscale.Reading {
	return autoscale.Reading{Metric: metric, Err: "engine unreachable"}
}

func demand(need int) autoscale.Reading {
	return autoscale.Reading{Metric: "swarm_pending_tasks", Demand: true, Need: need}
}

// input is an evaluation at t0 of current replicas, all ready, with no
// earlier action.
func input(current int, rs ...autoscale.Reading) autoscale.Input {
	return autoscale.Input{Now: t0, Current: current, Ready: current, Readings: rs}
}

func history(counts map[time.Duration]int) []autoscale.Recommendation {
	var h []autoscale.Recommendation
	for ago, c := range counts {
		h = append(h, autoscale.Recommendation{At: at(-ago), Count: c})
	}
	slices.SortFunc(h, func(a, b autoscale.Recommendation) int { return a.At.Compare(b.At) })
	return h
}

type want struct {
	recommended int
	desired     int
	action      autoscale.Action
	rule        string
	metrics     []int  // each metric's recommendation; nil: unchecked
	message     string // a part of the message; "": unchecked
}

func TestDecide(t *testing.T) {
	cases := []struct {
		name   string
		policy func(*autoscale.Policy)
		in     autoscale.Input
		edit   func(*autoscale.Input)
		want   want
	}{
		// One reading.
		{
			name: "utilisation above target scales up",
			in:   input(4, cpu(0.82)),
			want: want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget, metrics: []int{7},
				message: "cpu 0.82 of target 0.50 on 4 ready of 4: 7 recommended; scaling up 4 -> 7"},
		},
		{
			name: "utilisation below target scales down",
			in:   input(4, cpu(0.3)),
			want: want{recommended: 3, desired: 3, action: autoscale.Down, rule: autoscale.RuleTarget, metrics: []int{3}},
		},
		{
			name: "within tolerance holds",
			in:   input(4, cpu(0.54)),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleTolerance, metrics: []int{4}, message: "within tolerance 0.10: 4 recommended, 4 kept"},
		},
		{
			name: "tolerance's edge is within despite floating-point error",
			in:   input(4, cpu(0.55)),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleTolerance},
		},
		{
			name:   "ceiling forgives floating-point error",
			policy: func(p *autoscale.Policy) { p.Max = 20 },
			in:     input(2, autoscale.Reading{Metric: "cpu", Value: 0.07, Target: 0.01}),
			want:   want{recommended: 14, desired: 14, action: autoscale.Up, rule: autoscale.RuleTarget},
		},
		{
			name: "replicas not ready are set aside scaling up",
			in:   input(5, cpu(1.0)),
			edit: func(in *autoscale.Input) { in.Ready = 4 },
			want: want{recommended: 8, desired: 8, action: autoscale.Up, rule: autoscale.RuleTarget, message: "on 4 ready of 5"},
		},
		{
			name: "a high metric never recommends fewer",
			in:   input(6, cpu(0.75)),
			edit: func(in *autoscale.Input) { in.Ready = 2 },
			want: want{recommended: 6, desired: 6, action: autoscale.Hold, rule: autoscale.RuleTarget, metrics: []int{6}, message: "on target: 6 recommended, 6 kept"},
		},
		{
			name: "replicas not ready count as at target scaling down",
			in:   input(6, cpu(0.25)),
			edit: func(in *autoscale.Input) { in.Ready = 4 },
			want: want{recommended: 4, desired: 4, action: autoscale.Down, rule: autoscale.RuleTarget},
		},
		{
			name: "no ready replica holds",
			in:   input(4, cpu(0.05)),
			edit: func(in *autoscale.Input) { in.Ready = 0 },
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleMissing, metrics: []int{4}, message: "cpu not measured (0 ready of 4)"},
		},
		{
			name:   "no replica holds",
			policy: func(p *autoscale.Policy) { p.Min = 0 },
			in:     input(0, cpu(0.9)),
			want:   want{recommended: 0, desired: 0, action: autoscale.Hold, rule: autoscale.RuleMissing},
		},
		{
			name: "an unreadable metric holds",
			in:   input(4, broken("cpu")),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleMissing, metrics: []int{4}, message: "cpu unreadable (engine unreachable)"},
		},
		{
			name: "a value that is not a number holds",
			in:   input(4, autoscale.Reading{Metric: "prometheus", Value: nan(), Target: 5}),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleMissing},
		},
		{
			name: "a utilisation metric without a target holds",
			in:   input(4, autoscale.Reading{Metric: "prometheus", Value: 0.1}),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleMissing},
		},
		{
			name: "a demand scales up to its need",
			in:   input(4, demand(6)),
			want: want{recommended: 6, desired: 6, action: autoscale.Up, rule: autoscale.RuleTarget, message: "swarm_pending_tasks needs 6: 6 recommended"},
		},
		{
			name: "a demand scales down to its need",
			in:   input(4, demand(2)),
			want: want{recommended: 2, desired: 2, action: autoscale.Down, rule: autoscale.RuleTarget},
		},

		// Several readings: up beats hold beats down.
		{
			name: "up beats down",
			in:   input(4, cpu(0.82), memory(0.1)),
			want: want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget, metrics: []int{7, 1}, message: "(7), memory 0.10 of target 0.50 on 4 ready of 4 (1): 7 recommended"},
		},
		{
			name: "the largest up wins",
			in:   input(4, cpu(0.82), memory(1.0)),
			want: want{recommended: 8, desired: 8, action: autoscale.Up, rule: autoscale.RuleTarget, metrics: []int{7, 8}},
		},
		{
			name: "up beats a missing metric",
			in:   input(4, broken("memory"), cpu(0.82)),
			want: want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget, metrics: []int{4, 7}},
		},
		{
			name: "a metric within tolerance holds against a lower one",
			in:   input(4, cpu(0.5), memory(0.1)),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleTolerance, metrics: []int{4, 1}},
		},
		{
			name: "a missing metric holds against a lower one",
			in:   input(4, cpu(0.1), broken("memory")),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleMissing, metrics: []int{1, 4}, message: "held by a metric not read or measured: 4 recommended, 4 kept"},
		},
		{
			name: "the largest of the downs wins",
			in:   input(8, cpu(0.1), memory(0.3)),
			want: want{recommended: 5, desired: 5, action: autoscale.Down, rule: autoscale.RuleTarget, metrics: []int{2, 5}},
		},
		{
			name: "no reading holds",
			in:   input(4),
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleMissing, message: "no metrics; held with nothing to decide from"},
		},

		// Min and max.
		{
			name: "max bounds a scale-up",
			in:   input(8, cpu(0.82)),
			want: want{recommended: 10, desired: 10, action: autoscale.Up, rule: autoscale.RuleMax, metrics: []int{14}, message: "scaling up 8 -> 10, bounded by max 10"},
		},
		{
			name: "max holds",
			in:   input(10, cpu(0.82)),
			want: want{recommended: 10, desired: 10, action: autoscale.Hold, rule: autoscale.RuleMax, message: "held at max 10"},
		},
		{
			name:   "min bounds a scale-down",
			policy: func(p *autoscale.Policy) { p.Min = 2 },
			in:     input(4, cpu(0.01)),
			want:   want{recommended: 2, desired: 2, action: autoscale.Down, rule: autoscale.RuleMin, metrics: []int{1}},
		},

		// The spec's bounds changed.
		{
			name:   "below a raised min goes to min at once",
			policy: func(p *autoscale.Policy) { p.Min = 3 },
			in:     input(1, cpu(0.5)),
			edit: func(in *autoscale.Input) {
				in.Converging = true
				in.State.LastAction = at(-10 * time.Second)
			},
			want: want{recommended: 3, desired: 3, action: autoscale.Up, rule: autoscale.RuleMin, message: "1 is below min 3: scaling up 1 -> 3"},
		},
		{
			name:   "above a lowered max goes to max at once",
			policy: func(p *autoscale.Policy) { p.MaxStep = 1 },
			in:     input(14, cpu(0.5)),
			edit: func(in *autoscale.Input) {
				in.State.History = history(map[time.Duration]int{time.Minute: 14})
				in.State.LastAction = at(-10 * time.Second)
			},
			want: want{recommended: 10, desired: 10, action: autoscale.Down, rule: autoscale.RuleMax, message: "14 is above max 10: scaling down 14 -> 10"},
		},

		// Stabilisation window.
		{
			name: "a higher recommendation within the window holds a scale-down",
			in:   input(4, cpu(0.3)),
			edit: func(in *autoscale.Input) {
				in.State.History = history(map[time.Duration]int{2 * time.Minute: 5, time.Minute: 3})
			},
			want: want{recommended: 3, desired: 4, action: autoscale.Hold, rule: autoscale.RuleStabilization,
				message: "held by the stabilization_window 5m0s, which saw 5 recommended: 3 recommended, 4 kept"},
		},
		{
			name: "the window bounds a scale-down",
			in:   input(5, cpu(0.1)),
			edit: func(in *autoscale.Input) {
				in.State.History = history(map[time.Duration]int{2 * time.Minute: 3, time.Minute: 2})
			},
			want: want{recommended: 1, desired: 3, action: autoscale.Down, rule: autoscale.RuleStabilization, message: "scaling down 5 -> 3, bounded by the stabilization_window"},
		},
		{
			name: "recommendations older than the window are forgotten",
			in:   input(5, cpu(0.1)),
			edit: func(in *autoscale.Input) {
				in.State.History = history(map[time.Duration]int{5*time.Minute + time.Second: 9, 4 * time.Minute: 3})
			},
			want: want{recommended: 1, desired: 3, action: autoscale.Down, rule: autoscale.RuleStabilization},
		},
		{
			name: "a recommendation exactly a window old still counts",
			in:   input(5, cpu(0.1)),
			edit: func(in *autoscale.Input) {
				in.State.History = history(map[time.Duration]int{5 * time.Minute: 9})
			},
			want: want{recommended: 1, desired: 5, action: autoscale.Hold, rule: autoscale.RuleStabilization},
		},
		{
			name: "the window does not hold a scale-up",
			in:   input(4, cpu(0.82)),
			edit: func(in *autoscale.Input) {
				in.State.History = history(map[time.Duration]int{time.Minute: 9})
			},
			want: want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget},
		},

		// max_step.
		{
			name:   "max_step bounds a scale-up",
			policy: func(p *autoscale.Policy) { p.MaxStep = 2 },
			in:     input(4, cpu(0.82)),
			want:   want{recommended: 7, desired: 6, action: autoscale.Up, rule: autoscale.RuleMaxStep, message: "scaling up 4 -> 6, bounded by max_step 2"},
		},
		{
			name:   "max_step bounds a scale-down",
			policy: func(p *autoscale.Policy) { p.MaxStep = 1 },
			in:     input(8, cpu(0.1)),
			want:   want{recommended: 2, desired: 7, action: autoscale.Down, rule: autoscale.RuleMaxStep},
		},
		{
			name:   "max_step larger than the change leaves it",
			policy: func(p *autoscale.Policy) { p.MaxStep = 3 },
			in:     input(4, cpu(0.82)),
			want:   want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget},
		},

		// Convergence.
		{
			name: "an action converging holds the next",
			in:   input(4, cpu(0.82)),
			edit: func(in *autoscale.Input) {
				in.Converging = true
				in.State.LastAction = at(-2 * time.Minute)
			},
			want: want{recommended: 7, desired: 4, action: autoscale.Hold, rule: autoscale.RuleConverging, message: "held by converging until 12:03:00: 7 recommended, 4 kept"},
		},
		{
			name: "converging past converge_timeout no longer holds",
			in:   input(4, cpu(0.82)),
			edit: func(in *autoscale.Input) {
				in.Converging = true
				in.State.LastAction = at(-5 * time.Minute)
			},
			want: want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget},
		},
		{
			name: "converging does not matter when nothing would move",
			in:   input(4, cpu(0.5)),
			edit: func(in *autoscale.Input) {
				in.Converging = true
				in.State.LastAction = at(-time.Minute)
			},
			want: want{recommended: 4, desired: 4, action: autoscale.Hold, rule: autoscale.RuleTolerance},
		},

		// Cooldowns.
		{
			name: "cooldown_up holds a scale-up",
			in:   input(4, cpu(0.82)),
			edit: func(in *autoscale.Input) { in.State.LastAction = at(-30 * time.Second) },
			want: want{recommended: 7, desired: 4, action: autoscale.Hold, rule: autoscale.RuleCooldownUp, message: "held by cooldown_up until 12:00:30"},
		},
		{
			name: "cooldown_down holds a scale-down",
			in:   input(4, cpu(0.3)),
			edit: func(in *autoscale.Input) { in.State.LastAction = at(-2*time.Minute - 50*time.Second) },
			want: want{recommended: 3, desired: 4, action: autoscale.Hold, rule: autoscale.RuleCooldownDown,
				message: "cpu 0.30 of target 0.50 on 4 ready of 4; held by cooldown_down until 12:02:10: 3 recommended, 4 kept"},
		},
		{
			name:   "cooldown_down does not hold a scale-up",
			policy: func(p *autoscale.Policy) { p.CooldownDown = 10 * time.Minute },
			in:     input(4, cpu(0.82)),
			edit:   func(in *autoscale.Input) { in.State.LastAction = at(-time.Minute) },
			want:   want{recommended: 7, desired: 7, action: autoscale.Up, rule: autoscale.RuleTarget},
		},
		{
			name:   "cooldown_up does not hold a scale-down",
			policy: func(p *autoscale.Policy) { p.CooldownUp = 10 * time.Minute },
			in:     input(4, cpu(0.3)),
			edit:   func(in *autoscale.Input) { in.State.LastAction = at(-5 * time.Minute) },
			want:   want{recommended: 3, desired: 3, action: autoscale.Down, rule: autoscale.RuleTarget},
		},
		{
			name: "converging is named before a cooldown",
			in:   input(4, cpu(0.82)),
			edit: func(in *autoscale.Input) {
				in.Converging = true
				in.State.LastAction = at(-10 * time.Second)
			},
			want: want{recommended: 7, desired: 4, action: autoscale.Hold, rule: autoscale.RuleConverging},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := policy()
			if c.policy != nil {
				c.policy(&p)
			}
			in := c.in
			if c.edit != nil {
				c.edit(&in)
			}
			d := autoscale.Decide(p, in)
			check(t, d, c.want)
			if !d.At.Equal(in.Now) || d.Current != in.Current || d.Ready != in.Ready || len(d.Metrics) != len(in.Readings) {
				t.Errorf("decision at %v of %d (%d ready) with %d metrics, want %v, %d (%d), %d",
					d.At, d.Current, d.Ready, len(d.Metrics), in.Now, in.Current, in.Ready, len(in.Readings))
			}
		})
	}
}

func check(t *testing.T, d autoscale.Decision, w want) {
	t.Helper()
	if d.Recommended != w.recommended || d.Desired != w.desired || d.Action != w.action || d.Rule != w.rule {
		t.Errorf("recommended %d, desired %d, %s by %s; want %d, %d, %s by %s\n%s",
			d.Recommended, d.Desired, d.Action, d.Rule, w.recommended, w.desired, w.action, w.rule, d.Message)
	}
	if w.metrics != nil {
		var got []int
		for _, m := range d.Metrics {
			got = append(got, m.Recommended)
		}
		if !slices.Equal(got, w.metrics) {
			t.Errorf("metrics recommend %v, want %v", got, w.metrics)
		}
	}
	if !strings.Contains(d.Message, w.message) {
		t.Errorf("message %q lacks %q", d.Message, w.message)
	}
}

func nan() float64 { return math.NaN() }
