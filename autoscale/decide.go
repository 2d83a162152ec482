package autoscale

// Decide is one evaluation: what the readings recommend, within min and
// max, and what to set now once the rails have had their say. It is pure:
// it reads in (in.State included) and writes nothing but the Decision,
// whose State is what to remember for the next evaluation. Every call
// makes a recommendation and remembers it, even when an action is held.
//
// The steps, in order:
//   - each reading recommends a count (recommendOne); they combine as up
//     beats hold beats down; a reading that cannot be read holds;
//   - the result is clamped to min..max;
//   - a current count outside min..max goes to the bound at once;
//   - else a scale-down goes only to the highest recommendation of the
//     stabilisation window, max_step bounds the change, and an action
//     waits while the last one converges and while its direction's
//     cooldown runs.
func Decide(p Policy, in Input) Decision {
	p = p.normalised()
	metrics, sts := recommendEach(in, p.Tolerance)
	count := combine(in.Current, metrics)
	rec, rule := clamp(p, count, baseRule(in.Current, count, sts))
	history := remember(in.State.History, Recommendation{At: in.Now, Count: rec}, p.Window)
	pl := rails(p, in, plan{desired: rec, rule: rule}, history)

	d := Decision{
		At: in.Now, Current: in.Current, Ready: in.Ready,
		Recommended: rec, Desired: pl.desired, Action: actionOf(in.Current, pl.desired),
		Rule: pl.rule, Metrics: metrics,
	}
	d.State = settle(in, d, history)
	d.NextUp = nextAllowed(d.State.LastAction, p.CooldownUp, in.Now)
	d.NextDown = nextAllowed(d.State.LastAction, p.CooldownDown, in.Now)
	d.Message = message(p, d, sts, pl.until)
	return d
}

// normalised is p with nonsense made harmless: negative counts, steps and
// tolerances are 0, and a max below min is min.
func (p Policy) normalised() Policy {
	p.Min = max(p.Min, 0)
	p.Max = max(p.Max, p.Min)
	p.MaxStep = max(p.MaxStep, 0)
	p.Tolerance = max(p.Tolerance, 0)
	return p
}

// actionOf is the action that takes current to desired.
func actionOf(current, desired int) Action {
	switch {
	case desired > current:
		return Up
	case desired < current:
		return Down
	}
	return Hold
}

// settle is what to remember after d: on an action, the count set and
// when; on a hold, the same as before (the current count when nothing was
// set yet). The window's recommendations are remembered either way.
func settle(in Input, d Decision, history []Recommendation) State {
	st := in.State
	st.History = history
	switch d.Action {
	case Up:
		st.Desired, st.LastAction, st.LastUp = d.Desired, in.Now, in.Now
	case Down:
		st.Desired, st.LastAction, st.LastDown = d.Desired, in.Now, in.Now
	default:
		if st.Desired == 0 {
			st.Desired = in.Current
		}
	}
	return st
}
