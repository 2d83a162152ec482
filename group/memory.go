package group

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/specs"
)

// memory is what the reconciler remembers of a group between passes. None
// of it is persisted: after a restart the grace and unhealthy timers start
// again and the breaker is closed, which errs on the side of waiting.
type memory struct {
	group string

	mu             sync.Mutex
	hist           History
	unhealthySince map[instance.ID]time.Time
	healthy        map[instance.ID]bool      // seen healthy at least once
	unknownSince   map[instance.ID]time.Time // of the current streak of unknown health
	creating       map[string]bool           // names whose create runs in this process
	created        map[instance.ID]string    // instances created by this process, not yet seen ready
	lastSeen       map[string]instance.ID    // names seen by the last accepted observation
	destroyed      map[string]bool           // names destroyed by this process since the last observation
	status         Status
	seenStatus     bool
	alloc          flavor.Allocation // what the flavor is told of allocOf
	allocOf        *specs.Group
}

func newMemory(group string) *memory {
	return &memory{
		group: group, unhealthySince: map[instance.ID]time.Time{}, healthy: map[instance.ID]bool{}, unknownSince: map[instance.ID]time.Time{}, creating: map[string]bool{},
		created: map[instance.ID]string{}, lastSeen: map[string]instance.ID{}, destroyed: map[string]bool{},
	}
}

// allocation is what the flavor is told of group g, made once per spec
// rather than once per call: with logical ids it holds one entry per id
// asked for. Flavors only read it.
func (m *memory) allocation(g *specs.Group) flavor.Allocation {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.allocOf != g {
		m.alloc, m.allocOf = allocation(g), g
	}
	return m.alloc
}

func (m *memory) history() History {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hist
}

// judge returns when an instance was first seen unhealthy in its current
// streak, and forgets instances that are not unhealthy.
func (m *memory) judge(id instance.ID, h flavor.Status, now time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h != flavor.Unhealthy {
		delete(m.unhealthySince, id)
		return time.Time{}
	}
	if _, ok := m.unhealthySince[id]; !ok {
		m.unhealthySince[id] = now
	}
	return m.unhealthySince[id]
}

// sawHealthy records a verdict and says whether id was ever seen healthy
// by this process and, if its health is unknown now, since when.
func (m *memory) sawHealthy(id instance.ID, h flavor.Status, now time.Time) (bool, time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h == flavor.Healthy {
		m.healthy[id] = true
	}
	if h != flavor.Unknown {
		delete(m.unknownSince, id)
		return m.healthy[id], time.Time{}
	}
	if _, ok := m.unknownSince[id]; !ok {
		m.unknownSince[id] = now
	}
	return m.healthy[id], m.unknownSince[id]
}

// forgetHealthy drops what is known of instances no longer listed.
func (m *memory) forgetHealthy(listed map[instance.ID]instance.Description) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := range m.healthy {
		if _, ok := listed[id]; !ok {
			delete(m.healthy, id)
			delete(m.unknownSince, id)
		}
	}
}

func (m *memory) isCreating(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.creating[name]
}

func (m *memory) setCreating(name string, on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if on {
		m.creating[name] = true
	} else {
		delete(m.creating, name)
	}
}

// afterPlan updates the history from a pass: the implausible-drop guard,
// the rolling-update clock and the crash-loop breaker.
func (m *memory) afterPlan(p Plan, obs Observed, now time.Time, opts Options) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if obs.Err != nil {
		return
	}
	m.hist.DropConfirmed = p.DropSeen
	if p.DropSeen {
		return
	}
	m.hist.LastCount = liveCount(obs.Instances)
	for _, a := range p.Steps {
		if a.UpdateStep {
			m.hist.LastUpdateStep = now
			break
		}
	}
	m.judgeCreated(p, obs, now, opts)
}

// judgeCreated counts a replacement as failed when an instance this
// process created is destroyed as dead or unhealthy before it was stable,
// and as succeeded once one has been ready and alive for StableAfter: a
// crash-looping instance may look ready for an instant. Failures in a row open the
// breaker with exponential backoff.
func (m *memory) judgeCreated(p Plan, obs Observed, now time.Time, opts Options) {
	for _, in := range obs.Instances {
		stable := now.Sub(in.CreatedAt) >= opts.StableAfter
		if _, ours := m.created[in.ID]; ours && stable && in.State == instance.StateRunning && in.Health == flavor.Healthy {
			delete(m.created, in.ID)
			m.hist.Failures, m.hist.BreakerUntil = 0, time.Time{}
		}
	}
	for _, a := range p.Steps {
		if _, ours := m.created[a.Instance]; ours && a.Kind == ActionDestroy && (a.Reason.Code == ReasonDead || a.Reason.Code == ReasonUnhealthy) {
			delete(m.created, a.Instance)
			m.failedLocked(now, opts)
		}
	}
}

func (m *memory) failed(now time.Time, opts Options) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failedLocked(now, opts)
}

func (m *memory) failedLocked(now time.Time, opts Options) {
	m.hist.Failures++
	if over := m.hist.Failures - opts.BreakerThreshold; over >= 0 {
		d := opts.BreakerBackoff << min(over, 20)
		if d > opts.BreakerMaxBackoff || d <= 0 {
			d = opts.BreakerMaxBackoff
		}
		m.hist.BreakerUntil = now.Add(d)
	}
}

func (m *memory) madeInstance(id instance.ID, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.created[id] = name
}

func (m *memory) madeDestroy(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.destroyed[name] = true
}

// lost returns the names seen last time that are gone now without this
// process destroying them, and remembers the names seen now.
func (m *memory) lost(insts []Instance) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := make(map[string]instance.ID, len(insts))
	for _, in := range insts {
		now[in.Name] = in.ID
	}
	var gone []string
	for name := range m.lastSeen {
		if _, still := now[name]; !still && !m.destroyed[name] {
			gone = append(gone, name)
		}
	}
	m.lastSeen, m.destroyed = now, map[string]bool{}
	return gone
}

func (m *memory) setStatus(p Plan, err error, now time.Time, generation int64) Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Status{Group: m.group, Counts: p.Counts, Waiting: p.Waiting, Held: p.Held, Converged: p.Converged && err == nil, Passes: m.status.Passes + 1, At: now, Generation: generation}
	if err != nil {
		s.LastError = err.Error()
	}
	m.status, m.seenStatus = s, true
	return s
}

func (m *memory) getStatus() (Status, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status, m.seenStatus
}

// newID returns a random identifier for create requests and passes.
func newID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}
