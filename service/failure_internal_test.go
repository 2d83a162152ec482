package service

import (
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

func TestJudgeFailure(t *testing.T) {
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	paused := func(named string) *swarm.Service {
		return &swarm.Service{ID: "svc", UpdateStatus: &swarm.UpdateStatus{
			State: swarm.UpdateStatePaused, StartedAt: &start,
			Message: "update paused due to failure or early termination of task " + named,
		}}
	}
	nodes := []swarm.Node{
		{ID: "live", Status: swarm.NodeStatus{State: swarm.NodeStateReady}, Spec: swarm.NodeSpec{Availability: swarm.NodeAvailabilityActive}},
		{ID: "down", Status: swarm.NodeStatus{State: swarm.NodeStateDown}, Spec: swarm.NodeSpec{Availability: swarm.NodeAvailabilityActive}},
		{ID: "drained", Status: swarm.NodeStatus{State: swarm.NodeStateReady}, Spec: swarm.NodeSpec{Availability: swarm.NodeAvailabilityDrain}},
	}
	// task is a task of the rollout (created after it started) unless old.
	task := func(id, node string, state swarm.TaskState, err string, old bool) swarm.Task {
		created := start.Add(time.Second)
		if old {
			created = start.Add(-time.Hour)
		}
		tk := swarm.Task{ID: id, ServiceID: "svc", NodeID: node, Status: swarm.TaskStatus{State: state, Err: err}}
		tk.CreatedAt = created
		return tk
	}
	exited := task("t-exit0", "live", swarm.TaskStateComplete, "", false)
	exited.Status.ContainerStatus = &swarm.ContainerStatus{ExitCode: 0}
	tests := []struct {
		name  string
		svc   *swarm.Service
		tasks []swarm.Task
		infra bool
		why   string // a part of the reason
	}{
		{"orphaned with its removed node", paused("t1"), []swarm.Task{task("t1", "gone", swarm.TaskStateOrphaned, "", false)}, true, "task t1: orphaned: its node gone was removed"},
		{"its node is no longer listed", paused("t1"), []swarm.Task{task("t1", "gone", swarm.TaskStateFailed, "task: non-zero exit (137)", false)}, true, "its node gone is no longer in the swarm"},
		{"its node is down", paused("t1"), []swarm.Task{task("t1", "down", swarm.TaskStateFailed, "heartbeat failure", false)}, true, "its node down is down"},
		{"its node was drained", paused("t1"), []swarm.Task{task("t1", "drained", swarm.TaskStateShutdown, "", false)}, true, "its node drained was drained"},
		{"shut down by swarm on a live node", paused("t1"), []swarm.Task{task("t1", "live", swarm.TaskStateShutdown, "", false)}, true, "shut down by swarm"},
		{"no such image", paused("t1"), []swarm.Task{task("t1", "live", swarm.TaskStateRejected, "No such image: drover/nope:1", false)}, false, "task t1: No such image"},
		{"non-zero exit", paused("t1"), []swarm.Task{task("t1", "live", swarm.TaskStateFailed, "task: non-zero exit (1)", false)}, false, "non-zero exit (1)"},
		{"starting container failed", paused("t1"), []swarm.Task{task("t1", "live", swarm.TaskStateRejected, "starting container failed: oci runtime error", false)}, false, "starting container failed"},
		{"exited 0 early", paused("t-exit0"), []swarm.Task{exited}, false, "exited with code 0"},
		{"one lost, one failed on a live node: the spec", paused("t1"), []swarm.Task{
			task("t1", "gone", swarm.TaskStateOrphaned, "", false),
			task("t2", "live", swarm.TaskStateFailed, "task: non-zero exit (1)", false),
		}, false, "task t2: task: non-zero exit (1)"},
		{"the named task's reason comes first", paused("t2"), []swarm.Task{
			task("t1", "gone", swarm.TaskStateOrphaned, "", false),
			task("t2", "down", swarm.TaskStateOrphaned, "", false),
		}, true, "task t2:"},
		{"a failure of an earlier rollout is not this one's", paused("t1"), []swarm.Task{
			task("t1", "gone", swarm.TaskStateOrphaned, "", false),
			task("t0", "live", swarm.TaskStateFailed, "task: non-zero exit (1)", true),
		}, true, "task t1:"},
		{"another service's task is not looked at", paused("t1"), []swarm.Task{
			task("t1", "gone", swarm.TaskStateOrphaned, "", false),
			{ID: "x", ServiceID: "other", NodeID: "live", Status: swarm.TaskStatus{State: swarm.TaskStateFailed, Err: "boom"}},
		}, true, "task t1:"},
		{"running tasks are not failures", paused("t1"), []swarm.Task{
			task("t1", "gone", swarm.TaskStateOrphaned, "", false),
			task("t2", "live", swarm.TaskStateRunning, "", false),
		}, true, "task t1:"},
		{"no task says why: held", paused("t9"), nil, false, "no task of the rollout says why"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := judgeFailure(tt.svc, tt.tasks, nodes)
			if c.infra != tt.infra || !strings.Contains(c.why, tt.why) {
				t.Errorf("judged %+v, want infra %v and a reason with %q", c, tt.infra, tt.why)
			}
		})
	}
}

func TestNamedTask(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"update paused due to failure or early termination of task v6chmqwexonquvq66j5wgt21f", "v6chmqwexonquvq66j5wgt21f"},
		{"update rolled back due to failure or early termination of task abc", "abc"},
		{"update paused", ""},
		{"no message", ""},
		{"failure of task a and more", ""},
	}
	for _, tt := range tests {
		if got := namedTask(tt.msg); got != tt.want {
			t.Errorf("namedTask(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestPlanFailure(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := backoff{base: time.Second, max: 8 * time.Second}
	lost := cause{infra: true, why: "task t1: orphaned"}
	bad := cause{why: "task t1: No such image: x"}
	paused := decision{failed: EventUpdatePaused, reason: "swarm paused the rollout of this spec (m)"}
	rollingBack := decision{failed: EventUpdateRolledBack, rolling: true, reason: "swarm is rolling back the rollout of this spec (m)"}
	at := func(attempts int, ago time.Duration) resumeState {
		return resumeState{hash: "h", attempts: attempts, last: now.Add(-ago)}
	}
	tests := []struct {
		name    string
		d       decision
		c       cause
		rs      resumeState
		resume  bool
		wait    time.Duration
		attempt int
		reason  string
	}{
		{"a failing spec is held", paused, bad, resumeState{}, false, 0, 0, "No such image: x; change the spec to try again"},
		{"a failing spec is held after resumes too", paused, bad, at(3, time.Hour), false, 0, 0, "change the spec to try again"},
		{"lost tasks: pushed again at once the first time", paused, lost, resumeState{}, true, 0, 1, "pushed it again (attempt 1)"},
		{"the second push waits the base", paused, lost, at(1, 0), false, time.Second, 2, "pushing it again in 1s (attempt 2)"},
		{"part of the wait is over", paused, lost, at(1, 400*time.Millisecond), false, 600 * time.Millisecond, 2, "in 600ms"},
		{"the wait is over", paused, lost, at(1, time.Second), true, 0, 2, "attempt 2"},
		{"doubled per push", paused, lost, at(3, time.Second), false, 3 * time.Second, 4, "in 3s"},
		{"bounded", paused, lost, at(20, 0), false, 8 * time.Second, 21, "in 8s"},
		{"the resumes of another spec do not count", paused, lost, resumeState{hash: "other", attempts: 5, last: now}, true, 0, 1, "attempt 1"},
		{"a rollback under way is left to end", rollingBack, lost, resumeState{}, false, time.Second, 1, "waiting for its rollback to end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := planFailure(tt.d, "m", tt.c, tt.rs, "h", now, b)
			if fp.resume != tt.resume || fp.wait != tt.wait || fp.attempt != tt.attempt || !strings.Contains(fp.reason, tt.reason) {
				t.Errorf("plan %+v, want resume %v wait %v attempt %d and a reason with %q", fp, tt.resume, tt.wait, tt.attempt, tt.reason)
			}
			if tt.c.infra && !strings.Contains(fp.reason, "died with their nodes") {
				t.Errorf("reason %q does not say the tasks died with their nodes", fp.reason)
			}
		})
	}
}

func TestResumeWaitGrowsToTheBound(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := backoff{base: 500 * time.Millisecond, max: time.Minute}
	var prev time.Duration
	for n := 1; n < 80; n++ {
		w := resumeWait(resumeState{hash: "h", attempts: n, last: now}, "h", now, b)
		if w < prev || w > b.max || w <= 0 {
			t.Fatalf("after %d resumes: wait %v (before it %v), want it growing, positive, at most %v", n, w, prev, b.max)
		}
		prev = w
	}
	if prev != b.max {
		t.Errorf("the wait ends at %v, want %v", prev, b.max)
	}
}

// A rollback that completes names no task any more: the cause its tasks
// told while it ran stands, for the same spec only.
func TestMemoryKeepsTheCause(t *testing.T) {
	m := &memory{}
	lost := cause{infra: true, why: "task t1: orphaned"}
	unknown := cause{why: "no task of the rollout says why", unknown: true}
	if c := m.cause("h", unknown); c != unknown {
		t.Errorf("with nothing known: %+v", c)
	}
	if c := m.cause("h", lost); c != lost {
		t.Errorf("a known cause is not taken: %+v", c)
	}
	if c := m.cause("h", unknown); c != lost {
		t.Errorf("the known cause is not kept: %+v", c)
	}
	if c := m.cause("other", unknown); c != unknown {
		t.Errorf("another spec's cause is taken: %+v", c)
	}
}

func TestSameRollout(t *testing.T) {
	spec := func(image string, env ...string) swarm.TaskSpec {
		return swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: image, Env: env, Args: []string{"-x"}}}
	}
	forced := spec("a:1")
	forced.ForceUpdate = 2
	tests := []struct {
		name       string
		task, spec swarm.TaskSpec
		same       bool
	}{
		{"the same", spec("a:1", "K=v"), spec("a:1", "K=v"), true},
		{"another image", spec("a:1"), spec("a:2"), false},
		{"another env", spec("a:1", "K=v"), spec("a:1", "K=w"), false},
		{"forced", spec("a:1"), forced, false},
		{"no container spec", swarm.TaskSpec{}, swarm.TaskSpec{}, true},
	}
	for _, tt := range tests {
		if got := sameRollout(tt.task, tt.spec); got != tt.same {
			t.Errorf("%s: sameRollout = %v", tt.name, got)
		}
	}
}
