package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/service"
)

// TestSwarmPausedRollout, on a swarm of its own (a manager and a worker
// that is killed): a rollout that swarm pauses because its tasks died
// with their node is pushed again and the service returns to full
// strength with no one acting; a spec whose image cannot start is still
// held, and the event and the status say why.
func TestSwarmPausedRollout(t *testing.T) {
	host, sw := startSwarm(t)
	// One task at a time, a pause on the first failure, and a monitor long
	// enough that a task killed with its node counts as one.
	spec := func(image string) string {
		return fmt.Sprintf(`
service "pr-web" {
  swarm    = swarm.demo
  image    = %q
  replicas = 4
  update {
    parallelism    = 1
    delay          = "2s"
    failure_action = "pause"
    monitor        = "30s"
  }
}`, image)
	}
	e := newEnv(t, sw, "t-paused", spec(dockertest.DemoImageName))
	t.Cleanup(func() {
		if t.Failed() {
			dumpTasks(t, e, "pr-web")
		}
	})
	e.converge("pr-web", 2*settle)
	worker := sw.Workers()[0]
	info, err := worker.Client.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	node := info.Swarm.NodeID

	// Roll out a new image; once a task of it runs on the worker, kill the
	// worker and take its node out as drover's swarm flavor does for a
	// machine confirmed dead (drain, then remove by force).
	e.apply(spec(demoNext))
	e.pass("pr-web")
	dockertest.WaitFor(t, 2*settle, func() (bool, error) {
		n := e.runningOn("pr-web", node, demoNext)
		return n > 0, fmt.Errorf("%d tasks of %s running on the worker", n, demoNext)
	})
	if err := host.ContainerKill(context.Background(), worker.ContainerID, "KILL"); err != nil {
		t.Fatal(err)
	}
	removeDeadNode(t, e, node)
	dockertest.WaitFor(t, settle, func() (bool, error) {
		s := e.inspect("pr-web")
		return s.UpdateStatus != nil && s.UpdateStatus.State == swarm.UpdateStatePaused, fmt.Errorf("swarm did not pause the rollout: %+v", s.UpdateStatus)
	})

	// No one acts: the reconciler pushes it again until it completes.
	// (Swarm completes the rollout, or finds nothing left to roll out and
	// clears its state.)
	st := e.until("pr-web", 3*settle, func(st service.Status) bool {
		return st.Converged && st.UpdateState != string(swarm.UpdateStatePaused)
	})
	if r := e.running("pr-web"); r[demoNext] != 4 || st.Running != 4 {
		t.Errorf("after the resume: running %v, status %+v", r, st)
	}
	if n := e.events.count("service.pr-web", service.EventUpdateResumed); n < 1 {
		t.Errorf("%d update_resumed events", n)
	}
	if n := e.events.count("service.pr-web", service.EventUpdatePaused); n != 0 {
		t.Errorf("%d update_paused events for a rollout whose tasks died with their node", n)
	}

	// An image that cannot start: held, reported once, not pushed again.
	e.apply(spec("drover/no-such-image:1"))
	e.pass("pr-web")
	st = e.until("pr-web", 2*settle, func(st service.Status) bool {
		return st.UpdateState == string(swarm.UpdateStatePaused) && !st.Converged
	})
	before := e.inspect("pr-web")
	resumed := e.events.count("service.pr-web", service.EventUpdateResumed)
	for range 3 {
		st = e.pass("pr-web")
	}
	if after := e.inspect("pr-web"); after.Version != before.Version {
		t.Errorf("a spec that cannot start was pushed again: version %d -> %d", before.Version.Index, after.Version.Index)
	}
	if n := e.events.count("service.pr-web", service.EventUpdateResumed); n != resumed {
		t.Errorf("a spec that cannot start was resumed: %d update_resumed events, %d before", n, resumed)
	}
	if !strings.Contains(st.Reason, "No such image") || !strings.Contains(st.Reason, "change the spec to try again") {
		t.Errorf("the status does not say why the spec is held: %q", st.Reason)
	}
	if got := e.events.find("service.pr-web", service.EventUpdatePaused); len(got) != 1 || !strings.Contains(got[0].Error, "No such image") {
		t.Errorf("update_paused events %+v, want one that says No such image", got)
	}
	if r := e.running("pr-web"); r[demoNext] < 3 {
		t.Errorf("the old tasks stopped while the new spec is held: %v", r)
	}
}

// runningOn counts the running tasks of a service on a node with image.
func (e *env) runningOn(name, node, image string) int {
	e.t.Helper()
	list, err := e.cli.TaskList(context.Background(), swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", name), filters.Arg("node", node))})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, tk := range list {
		if tk.Status.State == swarm.TaskStateRunning && tk.DesiredState == swarm.TaskStateRunning && tk.Spec.ContainerSpec.Image == image {
			n++
		}
	}
	return n
}

// removeDeadNode drains a dead node and removes it by force.
func removeDeadNode(t *testing.T, e *env, id string) {
	t.Helper()
	ctx := context.Background()
	n, _, err := e.cli.NodeInspectWithRaw(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	n.Spec.Availability = swarm.NodeAvailabilityDrain
	if err := e.cli.NodeUpdate(ctx, id, n.Version, n.Spec); err != nil {
		t.Fatalf("drain node %s: %v", id, err)
	}
	if err := e.cli.NodeRemove(ctx, id, swarm.NodeRemoveOptions{Force: true}); err != nil {
		t.Fatalf("remove node %s: %v", id, err)
	}
}

// dumpTasks logs a service's update status and every task swarm keeps.
func dumpTasks(t *testing.T, e *env, name string) {
	s := e.inspect(name)
	t.Logf("== service version %d update %+v", s.Version.Index, s.UpdateStatus)
	list, _ := e.cli.TaskList(context.Background(), swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", name))})
	for _, tk := range list {
		t.Logf("  task %.8s slot %d node %.8s img %s desired %s state %s err %q msg %q created %s", tk.ID, tk.Slot, tk.NodeID, tk.Spec.ContainerSpec.Image, tk.DesiredState, tk.Status.State, tk.Status.Err, tk.Status.Message, tk.CreatedAt.Format("15:04:05.000"))
	}
}
