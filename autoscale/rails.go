package autoscale

import "time"

// plan is a decision in the making: the count to set and the rule that
// last bounded or held it; until is when a hold by a cooldown or by
// convergence ends.
type plan struct {
	desired int
	rule    string
	until   time.Time
}

// clamp bounds the metrics' count by min and max; a clamp that changes it
// names the bound, else rule stands.
func clamp(p Policy, count int, rule string) (int, string) {
	switch {
	case count > p.Max:
		return p.Max, RuleMax
	case count < p.Min:
		return p.Min, RuleMin
	}
	return count, rule
}

// rails turns the recommendation pl into what to set now: a count
// outside min..max (the spec's bounds changed) goes to the bound at once;
// else the stabilisation window, max_step, convergence and the cooldowns
// bound or hold it, in that order.
func rails(p Policy, in Input, pl plan, history []Recommendation) plan {
	if b, ok := outOfBounds(p, in.Current); ok {
		return b
	}
	pl = stabilize(pl, in.Current, history)
	pl = limitStep(pl, in.Current, p.MaxStep)
	return gate(p, in, pl)
}

// outOfBounds is the bound a count outside min..max goes to, regardless
// of cooldowns, window and convergence.
func outOfBounds(p Policy, current int) (plan, bool) {
	switch {
	case current < p.Min:
		return plan{desired: p.Min, rule: RuleMin}, true
	case current > p.Max:
		return plan{desired: p.Max, rule: RuleMax}, true
	}
	return plan{}, false
}

// stabilize lets a scale-down go only to the highest recommendation of
// the window (history, the one just made included): at or above current,
// it holds.
func stabilize(pl plan, current int, history []Recommendation) plan {
	if pl.desired >= current {
		return pl
	}
	switch hi := highest(history); {
	case hi >= current:
		return plan{desired: current, rule: RuleStabilization}
	case hi > pl.desired:
		return plan{desired: hi, rule: RuleStabilization}
	}
	return pl
}

// limitStep bounds the change to maxStep (0: no bound).
func limitStep(pl plan, current, maxStep int) plan {
	switch {
	case maxStep <= 0:
	case pl.desired > current+maxStep:
		return plan{desired: current + maxStep, rule: RuleMaxStep}
	case pl.desired < current-maxStep:
		return plan{desired: current - maxStep, rule: RuleMaxStep}
	}
	return pl
}

// gate holds a plan that would act while the last action converges (for
// at most converge_timeout) or while the cooldown of its direction runs.
// It blocks the action only: the recommendation has been made and
// remembered.
func gate(p Policy, in Input, pl plan) plan {
	if pl.desired == in.Current {
		return pl
	}
	last := in.State.LastAction
	if end := last.Add(p.ConvergeTimeout); in.Converging && in.Now.Before(end) {
		return plan{desired: in.Current, rule: RuleConverging, until: end}
	}
	cooldown, rule := p.CooldownUp, RuleCooldownUp
	if pl.desired < in.Current {
		cooldown, rule = p.CooldownDown, RuleCooldownDown
	}
	if end := last.Add(cooldown); in.Now.Before(end) {
		return plan{desired: in.Current, rule: rule, until: end}
	}
	return pl
}

// nextAllowed is when a cooldown started by the last action ends, or zero
// when it has already.
func nextAllowed(last time.Time, cooldown time.Duration, now time.Time) time.Time {
	if end := last.Add(cooldown); end.After(now) {
		return end
	}
	return time.Time{}
}
