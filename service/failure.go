package service

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// cause is why swarm gave up on a rollout (paused it or rolled it back),
// as the tasks of the rollout and their nodes tell.
type cause struct {
	// infra: every task of the rollout that ended died with its node (the
	// node is gone, down or drained, the task orphaned) or was shut down by
	// swarm without an error. The spec is not at fault, and the rollout is
	// pushed again. Otherwise a task failed on a live node (an exit code, a
	// missing image, a container that would not start): the spec is held.
	infra bool
	// why says it in a line, naming the task: "task abc: node xyz is
	// down", "task abc: No such image: ...".
	why string
	// unknown: no task told (swarm's message names none after a rollback
	// completes); the spec is held unless a cause seen before says
	// otherwise.
	unknown bool
}

// judgeFailure tells a rollout of s that swarm gave up on because of the
// infrastructure from one whose spec fails. It looks at the task swarm
// names in its message and at every task created since the rollout
// started that has ended; nodes are the swarm's nodes. With no such task
// to go by, the spec is held: only a task's fate proves the spec innocent.
func judgeFailure(s *swarm.Service, tasks []swarm.Task, nodes []swarm.Node) cause {
	byID := make(map[string]swarm.Node, len(nodes))
	for _, n := range nodes {
		byID[n.ID] = n
	}
	named := namedTask(message(s))
	var started time.Time
	if s.UpdateStatus != nil && s.UpdateStatus.StartedAt != nil {
		started = *s.UpdateStatus.StartedAt
	}
	var infra, spec []string
	for _, t := range tasks {
		ofRollout := !started.IsZero() && !t.CreatedAt.Before(started) && ended(t.Status.State)
		if t.ServiceID != s.ID || t.ID != named && !ofRollout {
			continue
		}
		why, lost := fate(t, byID)
		line := "task " + shortID(t.ID) + ": " + why
		switch {
		case !lost && t.ID == named:
			spec = append([]string{line}, spec...)
		case !lost:
			spec = append(spec, line)
		case t.ID == named:
			infra = append([]string{line}, infra...)
		default:
			infra = append(infra, line)
		}
	}
	switch {
	case len(spec) > 0:
		return cause{why: spec[0]}
	case len(infra) > 0:
		return cause{infra: true, why: infra[0]}
	}
	return cause{why: "no task of the rollout says why", unknown: true}
}

// fate says how task t ended, and whether its node took it down (lost)
// rather than the task failing by itself. A task on a node that is gone,
// not ready or drained is lost whatever its error says: a spec that fails
// on live nodes too is held at the next pause.
func fate(t swarm.Task, nodes map[string]swarm.Node) (why string, lost bool) {
	n, known := nodes[t.NodeID]
	switch {
	case t.Status.State == swarm.TaskStateOrphaned:
		return "orphaned: its node " + shortID(t.NodeID) + " was removed", true
	case t.NodeID != "" && !known:
		return "its node " + shortID(t.NodeID) + " is no longer in the swarm", true
	case known && n.Status.State != swarm.NodeStateReady:
		return fmt.Sprintf("its node %s is %s", shortID(t.NodeID), n.Status.State), true
	case known && n.Spec.Availability == swarm.NodeAvailabilityDrain:
		return "its node " + shortID(t.NodeID) + " was drained", true
	case (t.Status.State == swarm.TaskStateShutdown || t.Status.State == swarm.TaskStateRemove) && t.Status.Err == "":
		return "shut down by swarm", true
	}
	if e := strings.TrimSpace(t.Status.Err); e != "" {
		return e, false
	}
	if cs := t.Status.ContainerStatus; cs != nil && t.Status.State == swarm.TaskStateComplete {
		return fmt.Sprintf("%s: exited with code %d", t.Status.State, cs.ExitCode), false
	}
	return string(t.Status.State), false
}

// ended reports whether a task in state s has ended.
func ended(s swarm.TaskState) bool {
	return slices.Contains([]swarm.TaskState{
		swarm.TaskStateComplete, swarm.TaskStateShutdown, swarm.TaskStateFailed,
		swarm.TaskStateRejected, swarm.TaskStateRemove, swarm.TaskStateOrphaned,
	}, s)
}

// namedTask is the id of the task swarm names at the end of its message
// ("update paused due to failure or early termination of task X"), or "".
func namedTask(msg string) string {
	_, id, ok := strings.Cut(msg, " of task ")
	if !ok || strings.ContainsAny(id, " \t\n") {
		return ""
	}
	return id
}

// resumeState is what the reconciler remembers of the rollouts of one
// spec it pushed again after swarm gave up on them for the
// infrastructure: how many times since the spec last converged, and when
// last.
type resumeState struct {
	hash     string
	attempts int
	last     time.Time
}

// backoff bounds the waits between resumes: base after the first, doubled
// per further resume, at most max.
type backoff struct{ base, max time.Duration }

// resumeWait is how long to wait, at now, before pushing again a rollout
// of the spec hash that swarm gave up on: none before the first resume,
// then base, 2 base, 4 base ... up to max after the last.
func resumeWait(rs resumeState, hash string, now time.Time, b backoff) time.Duration {
	if rs.hash != hash || rs.attempts == 0 {
		return 0
	}
	d := b.base << min(rs.attempts-1, 30)
	if d > b.max || d <= 0 {
		d = b.max
	}
	if due := rs.last.Add(d); due.After(now) {
		return due.Sub(now)
	}
	return 0
}

// failurePlan is what to do about a rollout of the desired spec that swarm
// gave up on.
type failurePlan struct {
	// resume: push the spec again now. Otherwise, with wait > 0, look
	// again after wait; with neither, hold it (the spec fails).
	resume bool
	wait   time.Duration
	// attempt is the number of the resume (1 for the first).
	attempt int
	reason  string
}

// planFailure decides, from why swarm gave up on the rollout (c), what a
// pass does: hold a spec that fails; push again, with backoff, one whose
// tasks died with their nodes. rolling says swarm is still rolling back,
// which is left to end first.
func planFailure(d decision, msg string, c cause, rs resumeState, hash string, now time.Time, b backoff) failurePlan {
	if !c.infra {
		return failurePlan{reason: fmt.Sprintf("%s: %s; change the spec to try again", d.reason, c.why)}
	}
	what := fmt.Sprintf("swarm gave up on the rollout (%s) because its tasks died with their nodes (%s)", msg, c.why)
	attempt := 1
	if rs.hash == hash {
		attempt = rs.attempts + 1
	}
	if d.rolling {
		return failurePlan{wait: b.base, attempt: attempt, reason: what + ": waiting for its rollback to end to push it again"}
	}
	if w := resumeWait(rs, hash, now, b); w > 0 {
		return failurePlan{wait: w, attempt: attempt, reason: fmt.Sprintf("%s: pushing it again in %v (attempt %d)", what, w.Round(time.Millisecond), attempt)}
	}
	return failurePlan{resume: true, attempt: attempt, reason: fmt.Sprintf("%s: pushed it again (attempt %d)", what, attempt)}
}
