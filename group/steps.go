package group

import (
	"fmt"
	"sort"
	"time"
)

// stepper is the state of choosing this pass's steps: the budgets the
// safety rails leave.
type stepper struct {
	w        *world
	acts     []Action
	destroys int // destroys left in this pass
	creates  int // creates left in this pass
	ready    int // ready instances left after the steps so far
	minReady int // ready instances that must remain
	names    *namer
}

// steps chooses what to do now: clean up the dead and the strays, replace
// failing instances within max_in_flight, give up surplus and out-of-date
// instances as far as availability allows, then create what is missing and
// what a rolling update may add.
func (w *world) steps() []Action {
	s := &stepper{
		w:        w,
		destroys: w.in.Limits.MaxDestroysPerPass,
		creates:  w.in.Limits.MaxCreatesPerPass,
		minReady: max(0, w.d.Size-w.d.MaxUnavailable),
		names:    w.newNamer(),
	}
	for _, p := range w.pools {
		for _, m := range p.members {
			if m.status == stReady {
				s.ready++
			}
		}
	}
	s.removeDead()
	s.removeStrays()
	s.remediate()
	for _, p := range w.pools {
		s.giveUpSurplus(p)
	}
	updating := s.updateAllowed()
	if updating {
		for _, p := range w.pools {
			s.retireOutdated(p)
		}
	}
	s.create(updating)
	sortActions(s.acts)
	return s.acts
}

func (s *stepper) destroy(m *member, r Reason, update bool) bool {
	if s.destroys == 0 {
		s.w.wait("the cap of %d destroys per pass", s.w.in.Limits.MaxDestroysPerPass)
		return false
	}
	s.destroys--
	m.destroyed = true
	if m.status == stReady {
		s.ready--
	}
	s.acts = append(s.acts, Action{Kind: ActionDestroy, Name: m.inst.Name, LogicalID: m.inst.LogicalID, Instance: m.inst.ID, Reason: r, UpdateStep: update})
	return true
}

// canLose says whether availability allows destroying m.
func (s *stepper) canLose(m *member) bool {
	return m.status != stReady || s.ready-1 >= s.minReady
}

func (s *stepper) removeDead() {
	for _, p := range s.w.pools {
		for _, m := range p.members {
			if m.status == stDead {
				s.destroy(m, m.reason, false)
			}
		}
	}
}

func (s *stepper) removeStrays() {
	for _, m := range s.w.strays {
		s.destroy(m, m.reason, false)
	}
}

// remediate destroys failing instances, at most max_in_flight replacements
// at a time: instances still starting and creates in flight count as
// replacements under way. create fills their slots.
func (s *stepper) remediate() {
	var failing []*member
	inFlight := 0
	for _, p := range s.w.pools {
		inFlight += len(p.intents)
		for _, m := range p.members {
			switch {
			case m.status == stFailing:
				failing = append(failing, m)
			case m.status == stStarting && !m.destroyed:
				inFlight++
			}
		}
	}
	sort.SliceStable(failing, func(i, j int) bool { return failing[i].deadline.Before(failing[j].deadline) })
	room := max(0, s.w.d.MaxInFlight-inFlight)
	for _, m := range failing {
		if room == 0 {
			s.w.wait("%d unhealthy instance(s) wait for max_in_flight (%d replacements under way)", len(failing), inFlight)
			return
		}
		if s.destroy(m, m.reason, false) {
			room--
		}
	}
}

// giveUpSurplus destroys a pool's surplus in victim order. A ready victim
// goes only if availability allows; when it does not, the pass stops there
// rather than take a later victim (during a surge that would be the new
// instance).
func (s *stepper) giveUpSurplus(p *pool) {
	excess := p.aliveCount() - p.capacity
	for _, m := range p.victims {
		if !m.alive() {
			continue
		}
		if excess <= 0 {
			return
		}
		if !s.canLose(m) {
			s.w.wait("%s to keep %d ready instance(s) (max_unavailable = %d)", m.inst.Name, s.minReady, s.w.d.MaxUnavailable)
			return
		}
		if !s.destroy(m, s.w.surplusReason(), m.outdated) {
			return
		}
		excess--
	}
}

// retireOutdated destroys out-of-date instances as far as max_unavailable
// allows; create then replaces them with the current configuration.
func (s *stepper) retireOutdated(p *pool) {
	for _, m := range p.victims {
		if !m.alive() || !m.outdated || !s.canLose(m) {
			continue
		}
		if !s.destroy(m, Reason{ReasonConfigChanged, "config changed"}, true) {
			return
		}
	}
}

// updateAllowed says whether a rolling-update step may happen now, given
// the delay since the last one.
func (s *stepper) updateAllowed() bool {
	last := s.w.in.History.LastUpdateStep
	if last.IsZero() || s.w.d.UpdateDelay == 0 {
		return true
	}
	next := last.Add(s.w.d.UpdateDelay)
	if s.w.now.Before(next) && s.anyOutdated() {
		s.w.wait("the update delay, until %s", next.Format("15:04:05"))
		s.w.until(next)
		return false
	}
	return true
}

func (s *stepper) anyOutdated() bool {
	for _, p := range s.w.pools {
		for _, m := range p.members {
			if m.alive() && m.outdated {
				return true
			}
		}
	}
	return false
}

// create fills each pool's missing slots and, during a rolling update,
// adds new instances up to size + max_surge, no more than the out-of-date
// instances they will replace. Nothing is created while the crash-loop
// breaker is open.
func (s *stepper) create(updating bool) {
	if until := s.w.in.History.BreakerUntil; s.w.now.Before(until) {
		s.w.wait("crash-loop backoff after %d failed replacement(s), until %s", s.w.in.History.Failures, until.Format("15:04:05"))
		s.w.until(until)
		return
	}
	total := 0
	for _, p := range s.w.pools {
		total += p.aliveCount()
	}
	for _, m := range s.w.strays {
		if !m.destroyed {
			total++
		}
	}
	for _, p := range s.w.pools {
		for missing := p.capacity - p.aliveCount(); missing > 0; missing-- {
			if !s.add(p, Reason{ReasonMissing, "missing"}, false) {
				return
			}
			total++
		}
	}
	if s.w.unpooled > 0 {
		// Logical ids that got no pool: only the create cap leaves them.
		s.capped()
		return
	}
	if !updating {
		return
	}
	room := s.w.d.Size + s.w.d.MaxSurge - total
	for _, p := range s.w.pools {
		n := min(room, s.surgeFor(p))
		for i := 0; i < n; i++ {
			if !s.add(p, Reason{ReasonConfigChanged, "rolling update: replaces an out-of-date instance"}, true) {
				return
			}
		}
		room -= max(n, 0)
	}
}

func (s *stepper) capped() {
	s.w.wait("the cap of %d creates per pass", s.w.in.Limits.MaxCreatesPerPass)
}

// surgeFor is how many new instances a rolling update wants in a pool: one
// per out-of-date instance that no new instance is already on its way to
// replace.
func (s *stepper) surgeFor(p *pool) int {
	outdated, coming := 0, len(p.intents)+p.planned
	for _, m := range p.members {
		switch {
		case !m.alive():
		case m.outdated:
			outdated++
		case m.status != stReady:
			coming++
		}
	}
	return outdated - coming
}

// add plans a create in p, if the create cap leaves room.
func (s *stepper) add(p *pool, r Reason, update bool) bool {
	if s.creates == 0 {
		s.capped()
		return false
	}
	s.creates--
	name := s.names.next(p.lid)
	s.acts = append(s.acts, Action{Kind: ActionCreate, Name: name, LogicalID: p.lid, Reason: r, UpdateStep: update})
	p.planned++
	return true
}

// waiting reports what the group waits for and when the plan may next
// change by itself.
func (w *world) waiting() ([]string, time.Duration) {
	starting, unhealthy := []string{}, []string{}
	booting := false // machines never seen healthy, or being created
	for _, p := range w.pools {
		for _, m := range p.members {
			switch {
			case m.destroyed:
			case m.status == stStarting:
				starting = append(starting, m.inst.Name)
				booting = booting || !m.inst.WasHealthy
				w.until(m.deadline)
			case m.status == stUnhealthy:
				unhealthy = append(unhealthy, m.inst.Name)
				w.until(m.deadline)
			}
		}
		for _, it := range p.intents {
			if it.Until.IsZero() {
				starting = append(starting, it.Name)
				booting = true
				continue
			}
			// A create of unknown outcome: the listing decides at Until.
			w.wait("%s, whose create failed without certainty, to show in the provider's listing", it.Name)
			w.until(it.Until.Add(time.Millisecond))
		}
	}
	var waits []string
	if len(starting) > 0 {
		waits = append(waits, fmt.Sprintf("%s to become healthy", list(starting)))
		if booting && w.in.PollStarting > 0 {
			w.until(w.now.Add(w.in.PollStarting))
		}
	}
	if len(unhealthy) > 0 {
		waits = append(waits, fmt.Sprintf("%s to recover or to be unhealthy for %s", list(unhealthy), w.d.UnhealthyAfter))
	}
	waits = append(waits, dedupe(w.waits)...)
	var next time.Duration
	for _, t := range w.deadlines {
		if d := t.Sub(w.now); next == 0 || d < next {
			next = d
		}
	}
	return waits, next
}

func list(names []string) string {
	sort.Strings(names)
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", joinNames(names[:3]), len(names)-3)
	}
	return joinNames(names)
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
