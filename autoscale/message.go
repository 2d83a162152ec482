package autoscale

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// clockFormat is how a message shows an instant.
const clockFormat = "15:04:05"

// message is d in one human line: the readings, the recommendation and
// what was done or what held it, e.g.
//
//	cpu 0.82 of target 0.50 on 4 ready of 4: 7 recommended; scaling up 4 -> 7
//	cpu 0.30 of target 0.50 on 4 ready of 4; held by cooldown_down until 12:03:10: 3 recommended, 4 kept
func message(p Policy, d Decision, sts []status, until time.Time) string {
	b := make([]byte, 0, 160)
	b = appendMetrics(b, d, sts)
	if d.Action == Hold {
		b = fmt.Appendf(b, "; %s: %d recommended, %d kept", holdReason(p, d, until), d.Recommended, d.Current)
		return string(b)
	}
	b = fmt.Appendf(b, ": %d recommended; %s", d.Recommended, actionPhrase(p, d))
	return string(b)
}

// appendMetrics appends each reading and, when there are several, what
// each recommends.
func appendMetrics(b []byte, d Decision, sts []status) []byte {
	if len(d.Metrics) == 0 {
		return append(b, "no metrics"...)
	}
	for i, m := range d.Metrics {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendMetric(b, m.Reading, sts[i], d)
		if len(d.Metrics) > 1 {
			b = fmt.Appendf(b, " (%d)", m.Recommended)
		}
	}
	return b
}

// appendMetric appends one reading as read.
func appendMetric(b []byte, r Reading, s status, d Decision) []byte {
	switch {
	case r.Err != "":
		return fmt.Appendf(b, "%s unreadable (%s)", r.Metric, r.Err)
	case r.Demand && r.Detail != "":
		return fmt.Appendf(b, "%s needs %d (%s)", r.Metric, r.Need, r.Detail)
	case r.Demand:
		return fmt.Appendf(b, "%s needs %d", r.Metric, r.Need)
	case s == unread:
		return fmt.Appendf(b, "%s unusable (%s of target %s)", r.Metric, num(r.Value), num(r.Target))
	case s == unmeasured:
		return fmt.Appendf(b, "%s not measured (%d ready of %d)", r.Metric, d.Ready, d.Current)
	}
	return fmt.Appendf(b, "%s %s of target %s on %d ready of %d", r.Metric, num(r.Value), num(r.Target), d.Ready, d.Current)
}

// actionPhrase says what an action does and what bounded it.
func actionPhrase(p Policy, d Decision) string {
	way := "up"
	if d.Action == Down {
		way = "down"
	}
	move := fmt.Sprintf("scaling %s %d -> %d", way, d.Current, d.Desired)
	switch {
	case d.Current < p.Min:
		return fmt.Sprintf("%d is below min %d: %s", d.Current, p.Min, move)
	case d.Current > p.Max:
		return fmt.Sprintf("%d is above max %d: %s", d.Current, p.Max, move)
	}
	switch d.Rule {
	case RuleMin:
		return fmt.Sprintf("%s, bounded by min %d", move, p.Min)
	case RuleMax:
		return fmt.Sprintf("%s, bounded by max %d", move, p.Max)
	case RuleMaxStep:
		return fmt.Sprintf("%s, bounded by max_step %d", move, p.MaxStep)
	case RuleStabilization:
		return fmt.Sprintf("%s, bounded by the stabilization_window %s", move, p.Window)
	}
	return move
}

// holdReason says what held the count.
func holdReason(p Policy, d Decision, until time.Time) string {
	switch d.Rule {
	case RuleTolerance:
		return fmt.Sprintf("within tolerance %s", num(p.Tolerance))
	case RuleMissing:
		if len(d.Metrics) == 0 {
			return "held with nothing to decide from"
		}
		return "held by a metric not read or measured"
	case RuleStabilization:
		return fmt.Sprintf("held by the stabilization_window %s, which saw %d recommended", p.Window, highest(d.State.History))
	case RuleCooldownUp, RuleCooldownDown, RuleConverging:
		return fmt.Sprintf("held by %s until %s", d.Rule, until.Format(clockFormat))
	case RuleMin:
		return fmt.Sprintf("held at min %d", p.Min)
	case RuleMax:
		return fmt.Sprintf("held at max %d", p.Max)
	}
	return "on target"
}

// num shows a reading: two decimals, or three significant digits when
// that would hide it.
func num(v float64) string {
	if a := math.Abs(v); a != 0 && a < 0.01 || a >= 1e6 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
