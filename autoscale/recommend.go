package autoscale

import "math"

// epsilon absorbs floating-point error before a ceiling (4.0000000001
// replicas is 4) and in the tolerance test (0.55/0.5 is within 0.1).
const epsilon = 1e-9

// countCap bounds a count computed from a reading, so that an absurd value
// cannot overflow an int; min and max clamp it further.
const countCap = 1 << 30

// status is how one reading took part in the recommendation.
type status uint8

const (
	measured   status = iota // it recommends from its value (or its need)
	within                   // it is within tolerance of its target
	unmeasured               // nothing to measure: no replica ready
	unread                   // it could not be read, or is not a usable number
)

// recommendEach is every reading's recommendation and status.
func recommendEach(in Input, tolerance float64) ([]MetricDecision, []status) {
	ms := make([]MetricDecision, len(in.Readings))
	sts := make([]status, len(in.Readings))
	ready := min(max(in.Ready, 0), in.Current)
	for i, r := range in.Readings {
		ms[i].Reading = r
		ms[i].Recommended, sts[i] = recommendOne(r, in.Current, ready, tolerance)
	}
	return ms, sts
}

// recommendOne is the count one reading asks for. A reading that cannot
// be read, or has nothing to measure, holds the current count.
func recommendOne(r Reading, current, ready int, tolerance float64) (int, status) {
	switch {
	case r.Err != "":
		return current, unread
	case r.Demand:
		return min(max(r.Need, 0), countCap), measured
	case !usable(r.Target) || r.Target == 0 || !usable(r.Value):
		return current, unread
	case ready == 0 || current == 0:
		return current, unmeasured
	}
	return utilisation(r.Value/r.Target, current, ready, tolerance)
}

// usable is a finite, non-negative number.
func usable(v float64) bool {
	return v >= 0 && !math.IsInf(v, 1) // NaN fails v >= 0
}

// utilisation is what a utilisation metric at ratio of its target asks
// for. Scaling up, replicas not ready are set aside and a high metric
// never asks for fewer; scaling down, they count as at target and a low
// metric never asks for more (as Kubernetes' HPA does).
func utilisation(ratio float64, current, ready int, tolerance float64) (int, status) {
	switch {
	case math.Abs(ratio-1) <= tolerance+epsilon:
		return current, within
	case ratio > 1:
		return max(current, ceilCount(float64(ready)*ratio)), measured
	default:
		return min(current, ceilCount(float64(ready)*ratio+float64(current-ready))), measured
	}
}

// ceilCount is the ceiling of x as a count, forgiving floating-point error.
func ceilCount(x float64) int {
	if x >= countCap {
		return countCap
	}
	return int(math.Ceil(x - epsilon*max(1, x)))
}

// combine is what the metrics ask for together: up beats hold beats down.
// Since an unreadable metric asks for the current count, that order is
// simply the highest recommendation: any scale-up wins, else any hold,
// else the smallest scale-down. With no metric it is the current count.
func combine(current int, ms []MetricDecision) int {
	if len(ms) == 0 {
		return current
	}
	highest := ms[0].Recommended
	for _, m := range ms[1:] {
		highest = max(highest, m.Recommended)
	}
	return highest
}

// baseRule names why the metrics alone ask for count: the target when
// they move it; when they hold it, missing if a metric could not be read
// (or measured), else tolerance if a metric within tolerance holds it (the
// others are within too, or ask for less), else the target.
func baseRule(current, count int, sts []status) string {
	if len(sts) == 0 {
		return RuleMissing
	}
	if count != current {
		return RuleTarget
	}
	missing, anyWithin := false, false
	for _, s := range sts {
		missing = missing || s == unread || s == unmeasured
		anyWithin = anyWithin || s == within
	}
	switch {
	case missing:
		return RuleMissing
	case anyWithin:
		return RuleTolerance
	default:
		return RuleTarget
	}
}
