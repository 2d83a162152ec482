package group

import (
	"fmt"
	"sort"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/resource"
)

// status is the planner's verdict on one instance.
type status int

const (
	stReady     status = iota // running and healthy
	stStarting                // not healthy yet, within its grace period
	stUnhealthy               // unhealthy, not yet for long enough to act
	stFailing                 // to be replaced: unhealthy too long, or never healthy within grace
	stDead                    // stopped: it will not come back
)

// member is a classified instance.
type member struct {
	inst     *Instance // in the caller's observation: read only
	status   status
	outdated bool
	// deadline is when a starting or unhealthy instance turns failing.
	deadline  time.Time
	reason    Reason // for failing and dead instances
	destroyed bool   // a step of this pass destroys it
	key       nameKey
}

func (m *member) alive() bool { return m.status != stDead && !m.destroyed }

// pool is a set of instances that fill the same slots: the whole group, or
// one logical id.
type pool struct {
	lid      string
	capacity int
	members  []*member // by name
	victims  []*member // the members that are not dead, in victim order
	intents  []Intent
	planned  int // creates chosen in this pass
}

// aliveCount counts the pool's live members, creates in flight and creates
// planned in this pass.
func (p *pool) aliveCount() int {
	n := len(p.intents) + p.planned
	for _, m := range p.members {
		if m.alive() {
			n++
		}
	}
	return n
}

// world is one planning pass: the desired group and its classified
// instances.
type world struct {
	in    Input
	d     Desired
	now   time.Time
	pools []*pool
	// unpooled counts the spec's logical ids that nothing holds and that
	// got no pool: only the first MaxCreatesPerPass missing ids get one.
	unpooled int
	strays   []*member          // instances whose logical id is not in the spec
	used     map[string]bool    // names of creates in flight
	byName   map[string]*member // live instances by name

	waits     []string
	deadlines []time.Time
}

func newWorld(in Input) *world {
	w := &world{in: in, d: in.Desired, now: in.Now, used: map[string]bool{}, byName: make(map[string]*member, len(in.Observed.Instances))}
	var byLID map[string]*pool
	if len(w.d.LogicalIDs) == 0 {
		w.pools = []*pool{{capacity: w.d.Size}}
	} else {
		byLID = w.logicalPools()
	}
	for _, m := range w.classifyAll() {
		inst := m.inst
		if w.byName[inst.Name] != nil {
			// A second instance of one name (a create that was repeated
			// while a cloud's lists lagged, or made by hand) fills no slot.
			kept := w.byName[inst.Name].inst
			m.reason = Reason{ReasonSurplus, fmt.Sprintf("a second instance named %s (%s is kept)", inst.Name, kept.ID)}
			w.strays = append(w.strays, m)
			continue
		}
		w.byName[inst.Name] = m
		switch {
		case len(w.d.LogicalIDs) == 0:
			w.pools[0].members = append(w.pools[0].members, m)
		case byLID[inst.LogicalID] != nil:
			byLID[inst.LogicalID].members = append(byLID[inst.LogicalID].members, m)
		default:
			m.reason = Reason{ReasonUnknownID, fmt.Sprintf("logical id %q is not in the spec", inst.LogicalID)}
			w.strays = append(w.strays, m)
		}
	}
	for _, it := range in.Observed.Intents {
		w.used[it.Name] = true
		switch {
		case len(w.d.LogicalIDs) == 0:
			w.pools[0].intents = append(w.pools[0].intents, it)
		case byLID[it.LogicalID] != nil:
			byLID[it.LogicalID].intents = append(byLID[it.LogicalID].intents, it)
		}
	}
	for _, p := range w.pools {
		sort.Slice(p.members, func(i, j int) bool { return p.members[i].key.less(p.members[j].key) })
		for _, m := range p.members {
			if m.status != stDead {
				p.victims = append(p.victims, m)
			}
		}
		byVictimOrder(p.victims, w.d.Prefer)
	}
	return w
}

// logicalPools makes a pool, in the spec's order, for each logical id that
// an instance or a create in flight holds, and for the first missing ids
// up to the create cap; the other missing ids are only counted
// (w.unpooled). Nothing is allocated per id asked for, and the spec's list
// is read only as far as the last held id or the cap, whichever is later
// (the spec refuses duplicate ids).
func (w *world) logicalPools() map[string]*pool {
	held := make(map[string]bool, len(w.in.Observed.Instances)+len(w.in.Observed.Intents))
	for i := range w.in.Observed.Instances {
		if inst := &w.in.Observed.Instances[i]; inst.State != instance.StateTerminated {
			held[inst.LogicalID] = true
		}
	}
	for _, it := range w.in.Observed.Intents {
		held[it.LogicalID] = true
	}
	byLID := make(map[string]*pool, len(held))
	room, found := w.in.Limits.MaxCreatesPerPass, 0
	for i, lid := range w.d.LogicalIDs {
		if room == 0 && found == len(held) {
			w.unpooled += len(w.d.LogicalIDs) - i
			break
		}
		switch {
		case byLID[lid] != nil:
			continue
		case held[lid]:
			found++
		case room == 0:
			w.unpooled++
			continue
		default:
			room--
		}
		p := &pool{lid: lid, capacity: 1}
		w.pools = append(w.pools, p)
		byLID[lid] = p
	}
	return byLID
}

// classifyAll classifies the instances that are not terminated, those of
// one name in the order in which one should be kept: ready before
// starting before unhealthy before dead, current before outdated, then
// the oldest, then by id.
func (w *world) classifyAll() []*member {
	var all []*member
	for i := range w.in.Observed.Instances {
		if inst := &w.in.Observed.Instances[i]; inst.State != instance.StateTerminated {
			all = append(all, w.classify(inst))
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.inst.Name != b.inst.Name:
			return a.key.less(b.key)
		case a.status != b.status:
			return a.status < b.status
		case a.outdated != b.outdated:
			return !a.outdated
		case !a.inst.CreatedAt.Equal(b.inst.CreatedAt):
			return a.inst.CreatedAt.Before(b.inst.CreatedAt)
		}
		return a.inst.ID < b.inst.ID
	})
	return all
}

// recheckUnknown is how soon a group is looked at again when an instance
// that was healthy has been of unknown health for so long: closely at
// first (a machine that just died), then calmly (one cut off for a while).
func recheckUnknown(unknownFor time.Duration) time.Duration {
	if unknownFor < 5*time.Second {
		return 250 * time.Millisecond
	}
	return 5 * time.Second
}

// classify judges an instance by its state, health and age.
func (w *world) classify(i *Instance) *member {
	m := &member{inst: i, outdated: i.Config != w.d.Config, key: keyOf(i.Name)}
	graceEnd := i.CreatedAt.Add(w.d.Grace)
	switch {
	case i.State == instance.StateStopped && !i.Creating:
		m.status, m.reason = stDead, Reason{ReasonDead, "dead: " + orDefault(i.Reason, "stopped")}
	case i.State == instance.StateRunning && i.Health == flavor.Healthy:
		m.status = stReady
	case i.Health == flavor.Unhealthy:
		since := i.UnhealthySince
		if since.IsZero() {
			since = w.now
		}
		m.deadline = latest(graceEnd, since.Add(w.d.UnhealthyAfter))
		m.status = stUnhealthy
		if !w.now.Before(m.deadline) {
			m.status = stFailing
			m.reason = Reason{ReasonUnhealthy, fmt.Sprintf("unhealthy for %s: %s", w.now.Sub(since).Round(time.Second), orDefault(i.Reason, "no reason given"))}
		}
	case i.WasHealthy:
		// Unknown now: never replaced for it, but looked at again soon,
		// since a machine that just died may still be listed running for a
		// moment (engines report the death before their listing shows it).
		m.status, m.deadline = stStarting, w.now.Add(recheckUnknown(w.now.Sub(i.UnknownSince)))
	default:
		m.deadline, m.status = graceEnd, stStarting
		if !w.now.Before(graceEnd) {
			m.status = stFailing
			m.reason = Reason{ReasonUnhealthy, fmt.Sprintf("not healthy within its %s grace period: %s", w.d.Grace, orDefault(i.Reason, string(i.State)))}
		}
	}
	return m
}

func (w *world) counts() resource.Counts {
	c := resource.Counts{Desired: w.d.Size}
	for _, p := range w.pools {
		c.Creating += len(p.intents)
		for _, m := range p.members {
			w.count(&c, m)
			if m.status == stReady {
				c.Ready++
			}
		}
	}
	for _, m := range w.strays {
		w.count(&c, m)
	}
	c.Total += c.Creating
	return c
}

func (w *world) count(c *resource.Counts, m *member) {
	switch m.status {
	case stDead:
		c.Dead++
		return
	case stStarting:
		c.Starting++
	case stUnhealthy, stFailing:
		c.Unhealthy++
	}
	c.Total++
	if m.outdated {
		c.Outdated++
	}
}

// byVictimOrder sorts members in the order they are given up: unhealthy
// first, then those prefer names (the autoscaler's unneeded machines), in
// its order, then out of date, then newest, then by name.
func byVictimOrder(ms []*member, prefer []instance.ID) {
	preferred := make(map[instance.ID]int, len(prefer))
	for i, id := range prefer {
		if _, seen := preferred[id]; !seen {
			preferred[id] = i
		}
	}
	rank := func(m *member) int {
		_, isPreferred := preferred[m.inst.ID]
		switch {
		case m.status == stUnhealthy || m.status == stFailing:
			return 0
		case isPreferred:
			return 1
		case m.outdated:
			return 2
		}
		return 3
	}
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		ra, rb := rank(a), rank(b)
		switch {
		case ra != rb:
			return ra < rb
		case ra == 1 && preferred[a.inst.ID] != preferred[b.inst.ID]:
			return preferred[a.inst.ID] < preferred[b.inst.ID]
		case !a.inst.CreatedAt.Equal(b.inst.CreatedAt):
			return a.inst.CreatedAt.After(b.inst.CreatedAt)
		}
		return b.key.less(a.key)
	})
}

func (w *world) wait(format string, args ...any) {
	w.waits = append(w.waits, fmt.Sprintf(format, args...))
}

func (w *world) until(t time.Time) {
	if t.After(w.now) {
		w.deadlines = append(w.deadlines, t)
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
