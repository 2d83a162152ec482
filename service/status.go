package service

import (
	"sync"
	"time"

	"github.com/drover/drover/resource"
)

// Status is a service's or network's state as the last pass saw it.
type Status struct {
	Key resource.Key `json:"resource"` // service.web, network.backend
	// Desired is the number of tasks wanted: the replicas, or for a
	// global service the nodes eligible to run one.
	Desired int `json:"desired"`
	// Running counts the tasks that should run and do.
	Running int `json:"running"`
	// Stale counts those of Running that run another spec than the
	// service's: a rollout has yet to reach them.
	Stale int `json:"stale,omitempty"`
	// Converged: the spec matches, no update is under way, Running
	// equals Desired and none is stale. A network converges when it
	// exists as declared.
	Converged bool `json:"converged"`
	// Reason says, in a line, why it has not converged.
	Reason    string `json:"reason,omitempty"`
	LastError string `json:"last_error,omitempty"`
	// UpdateState is swarm's state of the last rollout: updating, paused,
	// completed, rollback_started, rollback_paused, rollback_completed.
	UpdateState string `json:"update_state,omitempty"`
	// Drift: the service was changed by hand and its drift policy is to
	// report, not correct.
	Drift  bool      `json:"drift,omitempty"`
	Passes int       `json:"passes"`
	At     time.Time `json:"at"`
	// Generation is the target's generation the pass worked on.
	Generation int64 `json:"generation"`
}

// Plan says what a pass over a service would do, without doing it.
type Plan struct {
	Resource resource.Key `json:"resource"`
	// Action is create, update or none; unknown when no manager of the
	// swarm can be reached, so what exists cannot be seen.
	Action string `json:"action"`
	Reason string `json:"reason"`
	// Changes are the fields that differ, e.g. "image: a -> b",
	// "replicas: 3 -> 6", "env: +A ~B" (env shows keys, never values).
	Changes []string `json:"changes,omitempty"`
}

// The actions of a Plan.
const (
	ActionCreate  = "create"
	ActionUpdate  = "update"
	ActionNone    = "none"
	ActionUnknown = "unknown"
)

// Status returns what the last pass over a service or network saw; false
// before its first pass.
func (r *Reconciler) Status(key resource.Key) (Status, bool) {
	r.mu.Lock()
	mem, ok := r.memory[key]
	r.mu.Unlock()
	if !ok {
		return Status{}, false
	}
	mem.mu.Lock()
	defer mem.mu.Unlock()
	return mem.status, mem.status.Passes > 0
}

// memory is what the reconciler keeps of a resource between passes: its
// last status and what it has already reported, so that a state that
// lasts is reported once, not every pass. Nothing here is needed for
// correctness after a restart: the decisions come from observed state.
type memory struct {
	mu     sync.Mutex
	status Status
	// reported holds the key of the last report of each event kind (such
	// as the failed hash and the rollout's start for update_paused).
	reported map[string]string
	// pushed is the swarmHash of the last spec this reconciler sent:
	// after swarm rolls a rollout back, only this says what failed.
	pushed string
	// removedNet is the id of a network removed to be recreated, and
	// recreating what differed; both cleared once it is.
	removedNet, recreating string
	// resumed counts the rollouts pushed again after swarm gave up on them
	// for the infrastructure, since the spec last converged.
	resumed resumeState
	// failure is why swarm gave up on the last rollout of the spec
	// failedHash, as its tasks told while swarm still named one.
	failure    cause
	failedHash string
}

// cause returns c, or when c is unknown the cause last known for the
// spec hash; a known c is remembered for it.
func (m *memory) cause(hash string, c cause) cause {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !c.unknown:
		m.failure, m.failedHash = c, hash
	case m.failedHash == hash:
		return m.failure
	}
	return c
}

func (m *memory) getResumed() resumeState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.resumed
}

// resumedAt records a resume of the rollout of the spec hash at now.
func (m *memory) resumedAt(hash string, attempt int, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resumed = resumeState{hash: hash, attempts: attempt, last: now}
}

// converged forgets the resumes: the spec runs as declared.
func (m *memory) converged() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resumed = resumeState{}
}

func (m *memory) setPushed(hash string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pushed = hash
}

func (m *memory) getPushed() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pushed
}

func (m *memory) setRecreate(id, what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removedNet, m.recreating = id, what
}

func (m *memory) getRecreate() (id, what string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.removedNet, m.recreating
}

func (r *Reconciler) memoryOf(key resource.Key) *memory {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.memory[key]
	if m == nil {
		m = &memory{reported: map[string]string{}}
		r.memory[key] = m
	}
	return m
}

// forget drops a resource's memory (the sweep removed it).
func (r *Reconciler) forget(key resource.Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.memory, key)
}

// once reports whether key is new for kind, and records it: the caller
// emits the event only then.
func (m *memory) once(kind, key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reported[kind] == key {
		return false
	}
	m.reported[kind] = key
	return true
}

// clear forgets the last report of kind, so that the state is reported
// again if it comes back.
func (m *memory) clear(kind string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.reported, kind)
}

// finish records st as the resource's status after a pass and tells
// OnStatus.
func (r *Reconciler) finish(m *memory, st Status, generation int64) Status {
	m.mu.Lock()
	st.Passes = m.status.Passes + 1
	st.At = r.opts.Clock.Now()
	st.Generation = generation
	m.status = st
	m.mu.Unlock()
	if r.opts.OnStatus != nil {
		r.opts.OnStatus(st)
	}
	return st
}
