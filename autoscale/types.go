package autoscale

import (
	"time"

	"github.com/drover/drover/specs"
)

// Policy is how one autoscaler decides: a spec's autoscale block.
type Policy struct {
	Min, Max int
	// Interval is how often metrics are read and Decide is called.
	Interval time.Duration
	// Tolerance: a utilisation metric whose Value/Target is within
	// 1±Tolerance recommends the current count.
	Tolerance float64
	// Window is the scale-down stabilisation window: a scale-down goes
	// only to the highest recommendation made within it.
	Window time.Duration
	// CooldownUp and CooldownDown block scale-ups and scale-downs for this
	// long after any action; evaluation goes on meanwhile.
	CooldownUp, CooldownDown time.Duration
	// MaxStep bounds the change of one action; 0 is no bound.
	MaxStep int
	// ConvergeTimeout bounds how long an action that has not converged
	// blocks the next one.
	ConvergeTimeout time.Duration
}

// PolicyOf is the policy of a spec's autoscale block.
func PolicyOf(a *specs.Autoscale) Policy {
	return Policy{
		Min: a.Min, Max: a.Max, Interval: a.Interval, Tolerance: a.Tolerance,
		Window: a.StabilizationWindow, CooldownUp: a.CooldownUp, CooldownDown: a.CooldownDown,
		MaxStep: a.MaxStep, ConvergeTimeout: a.ConvergeTimeout,
	}
}

// Reading is one metric as read for one evaluation.
type Reading struct {
	// Metric names the metric: its plugin ("cpu", "prometheus", ...).
	Metric string `json:"metric"`
	// Value is the reading: for a utilisation metric, the mean per ready
	// replica or machine (cpu: 0.42 of a core or of the limit); for a
	// query, the query's value.
	Value float64 `json:"value"`
	// Target is the value the metric is kept at: desired =
	// ceil(Ready × Value / Target). Zero for a demand metric.
	Target float64 `json:"target,omitempty"`
	// Demand is set for a metric that asks for a count itself
	// (swarm_pending_tasks on a group): Need is that count.
	Demand bool `json:"demand,omitempty"`
	Need   int  `json:"need,omitempty"`
	// Err says why the metric could not be read; a metric that cannot
	// be read holds the size (never scales down on missing data).
	Err string `json:"error,omitempty"`
	// Detail explains a demand reading in a line ("3 tasks pending: 2
	// machines more place them").
	Detail string `json:"detail,omitempty"`
	// Unneeded are, for a demand metric of a group, the machines (instance
	// IDs) whose work fits on the others, best to remove first: the
	// machine a scale-down should take.
	Unneeded []string `json:"unneeded,omitempty"`
}

// Input is what one evaluation decides from.
type Input struct {
	Now time.Time
	// Current is the count set now: the replicas or the group's size.
	Current int
	// Ready is how many of them are ready; a utilisation metric scales
	// the ready ones (those not ready yet are set aside). Ready <= Current.
	Ready int
	// Converging is true while the last action has not converged (tasks
	// or machines still starting or stopping).
	Converging bool
	Readings   []Reading
	// State is what the autoscaler remembers, as the last Decision left it.
	State State
}

// State is what an autoscaler remembers between evaluations; the runner
// stores it, so that a restart or a re-apply keeps the autoscaled count.
type State struct {
	// Desired is the count the autoscaler last set (0 before its first).
	Desired int `json:"desired"`
	// LastAction is when it last changed the count; LastUp and LastDown
	// when it last scaled each way.
	LastAction time.Time `json:"last_action,omitzero"`
	LastUp     time.Time `json:"last_up,omitzero"`
	LastDown   time.Time `json:"last_down,omitzero"`
	// History holds the recommendations of the stabilisation window.
	History []Recommendation `json:"history,omitempty"`
}

// Recommendation is what one evaluation recommended, before the rails.
type Recommendation struct {
	At    time.Time `json:"at"`
	Count int       `json:"count"`
}

// Action is what a decision does.
type Action string

const (
	Up   Action = "up"
	Down Action = "down"
	Hold Action = "hold"
)

// Rules: why a decision holds or is bounded. Every Decision names one.
const (
	RuleTarget        = "target"        // the metrics' recommendation is followed
	RuleTolerance     = "tolerance"     // every metric is within tolerance of its target
	RuleMissing       = "missing"       // a metric could not be read, and nothing asks for more
	RuleStabilization = "stabilization" // a higher recommendation within the window holds a scale-down
	RuleCooldownUp    = "cooldown_up"
	RuleCooldownDown  = "cooldown_down"
	RuleConverging    = "converging" // the last action has not converged yet
	RuleMin           = "min"        // bounded by min
	RuleMax           = "max"        // bounded by max
	RuleMaxStep       = "max_step"   // bounded by max_step
)

// MetricDecision is one metric's part in a decision.
type MetricDecision struct {
	Reading
	// Recommended is the count this metric asks for (Current when it
	// cannot be read or is within tolerance).
	Recommended int `json:"recommended"`
}

// Decision is the outcome of one evaluation: data, rendered by views and
// sent as an event whether or not it changes anything.
type Decision struct {
	At      time.Time `json:"at"`
	Current int       `json:"current"`
	Ready   int       `json:"ready"`
	// Recommended is what the metrics together ask for (up beats hold
	// beats down), within min and max.
	Recommended int `json:"recommended"`
	// Desired is the count to set now: Current when the decision holds.
	Desired int    `json:"desired"`
	Action  Action `json:"action"`
	// Rule names what decided or held it; Message says it in a line.
	Rule    string           `json:"rule"`
	Message string           `json:"message"`
	Metrics []MetricDecision `json:"metrics"`
	// NextUp and NextDown are the earliest times a scale-up or a
	// scale-down may act (zero: now).
	NextUp   time.Time `json:"next_up,omitzero"`
	NextDown time.Time `json:"next_down,omitzero"`
	// State is what to remember for the next evaluation.
	State State `json:"-"`
}
