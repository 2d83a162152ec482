package resource

import "time"

// Autoscaling is what a resource's autoscaler last decided, with its
// inputs: shown by status, sent with every evaluation's event and exported
// as metrics. The autoscale package makes it from a decision.
type Autoscaling struct {
	Min int `json:"min"`
	Max int `json:"max"`
	// Current is the count that was set when the autoscaler decided;
	// Ready, how many of those were ready.
	Current int `json:"current"`
	Ready   int `json:"ready"`
	// Recommended is what the metrics together asked for, within min and
	// max; Desired, what the autoscaler set (Current when it held).
	Recommended int `json:"recommended"`
	Desired     int `json:"desired"`
	// Action is up, down or hold; Rule names what decided or held it
	// (target, tolerance, missing, stabilization, cooldown_up,
	// cooldown_down, converging, min, max, max_step).
	Action  string          `json:"action"`
	Rule    string          `json:"rule"`
	Message string          `json:"message"`
	Metrics []MetricReading `json:"metrics"`
	// At is when it decided; NextUp and NextDown are the earliest times a
	// scale-up or scale-down may act (zero: at the next evaluation).
	At       time.Time `json:"at"`
	NextUp   time.Time `json:"next_up,omitzero"`
	NextDown time.Time `json:"next_down,omitzero"`
}

// MetricReading is one metric of an evaluation.
type MetricReading struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	// Target is the value the metric is kept at; 0 for a metric that
	// asks for a count itself (swarm_pending_tasks).
	Target      float64 `json:"target,omitempty"`
	Recommended int     `json:"recommended"`
	// Error says why the metric could not be read (it then holds).
	Error  string `json:"error,omitempty"`
	Detail string `json:"detail,omitempty"`
}
