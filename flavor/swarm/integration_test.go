package swarm_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/flavor"
	swarmflavor "github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/spierr"
)

// TestWorkers: a manager and three workers form a swarm and report
// healthy, with their node labels; a worker that lost its swarm state
// rejoins; a restarted controller finds the swarm again; a killed worker's
// node is removed by the next Observe and its task runs elsewhere within
// a second; Drain of a live worker moves its task and removes its node;
// Drain of a killed worker does not wait for its tasks.
func TestWorkers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "w")
	mgrProps := e.props(swarmflavor.RoleManager, nil, 0)
	wrkProps := e.props(swarmflavor.RoleWorker, map[string]string{"zone": "a"}, 30*time.Second)
	var wg sync.WaitGroup
	wg.Go(func() { e.provision("mgr", mgrProps, 1, 1) })
	wg.Go(func() { e.provision("wrk", wrkProps, 1, 3) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Workers wait for a manager; nothing is known before the manager
	// group is observed.
	e.observe("wrk", wrkProps)
	if h := e.health("wrk", wrkProps)["wrk-1"]; h.Status != flavor.Unknown || h.Reason != "waiting for a manager of swarm "+e.swarm {
		t.Errorf("worker before any manager: %+v", h)
	}
	e.waitHealthy(2*time.Minute, map[string]json.RawMessage{"mgr": mgrProps, "wrk": wrkProps})
	checkLabels(t, e, e.inst("wrk", "wrk-1"), "wrk", map[string]string{"zone": "a"})
	checkLabels(t, e, e.inst("mgr", "mgr-1"), "mgr", nil)

	// A machine whose engine lost its swarm state (as after a dockerd
	// restart without its data) rejoins as a new node; its old node, now
	// down, is removed.
	e.rejoin("wrk", "wrk-2", wrkProps)

	// A restarted controller (nothing known) registers the swarm's
	// manager again, and never initialises a second swarm.
	e.restart(map[string]json.RawMessage{"wrk": wrkProps, "mgr": mgrProps})

	svc := e.service("web", 4) // spread: one task on each node
	e.waitTasks(svc, 4, nil, time.Minute)

	// Node loss: kill wrk-1, then observe with the provider's listing.
	victim := e.inst("wrk", "wrk-1")
	node, _ := e.nodeOf(victim.ID)
	if n := e.tasksOn(svc, node.ID); n == 0 {
		t.Fatal("the victim runs no task of the service")
	}
	start := time.Now()
	e.kill(victim.ID)
	dockertest.WaitFor(t, 10*time.Second, func() (bool, error) {
		e.observe("wrk", wrkProps)
		_, still := e.nodeOf(victim.ID)
		return !still, errors.New("the killed worker's node is still in the swarm")
	})
	removed := time.Since(start)
	e.waitTasks(svc, 4, map[string]bool{node.ID: true}, 30*time.Second)
	t.Logf("worker killed: node removed after %v, 4 tasks running on live nodes after %v",
		removed.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if removed > 5*time.Second { // ~0.2 s here; loose for loaded CI machines
		t.Errorf("removing the dead worker's node took %v", removed)
	}
	if h := e.health("wrk", wrkProps)["wrk-1"]; h.Status != flavor.Unknown || h.Reason != "not running" {
		t.Errorf("Health of the killed worker = %+v, want unknown: not running", h)
	}

	// Drain of a live worker.
	live := e.inst("wrk", "wrk-2")
	liveNode, _ := e.nodeOf(live.ID)
	start = time.Now()
	if err := e.flavor.Drain(e.ctx(), wrkProps, live); err != nil {
		t.Fatalf("Drain(wrk-2): %v", err)
	}
	t.Logf("Drain of a live worker took %v", time.Since(start).Round(time.Millisecond))
	if _, still := e.nodeOf(live.ID); still {
		t.Error("the drained worker's node is still in the swarm")
	}
	e.waitTasks(svc, 4, map[string]bool{node.ID: true, liveNode.ID: true}, 30*time.Second)
	if err := e.flavor.Drain(e.ctx(), wrkProps, live); err != nil {
		t.Errorf("Drain again: %v", err)
	}
	if err := e.flavor.Drain(e.ctx(), wrkProps, e.inst("wrk", "wrk-1")); err != nil {
		t.Errorf("Drain of the killed worker Observe removed: %v", err)
	}

	// Drain of a worker that died before any Observe saw it: its tasks
	// are not waited for (they never report stopping).
	dead := e.inst("wrk", "wrk-3")
	deadNode, _ := e.nodeOf(dead.ID)
	e.kill(dead.ID)
	start = time.Now()
	if err := e.flavor.Drain(e.ctx(), wrkProps, e.inst("wrk", "wrk-3")); err != nil {
		t.Fatalf("Drain(killed wrk-3): %v", err)
	}
	t.Logf("Drain of a killed worker took %v", time.Since(start).Round(time.Millisecond))
	if d := time.Since(start); d > 30*time.Second { // not the 2 min drain timeout; room for a loaded machine
		t.Errorf("Drain of a killed worker took %v", d)
	}
	if _, still := e.nodeOf(dead.ID); still {
		t.Error("the killed worker's node is still in the swarm after Drain")
	}
	e.waitTasks(svc, 4, map[string]bool{node.ID: true, liveNode.ID: true, deadNode.ID: true}, 30*time.Second)
}

// checkLabels checks the node labels of a machine's node.
func checkLabels(t *testing.T, e *env, inst instance.Description, group string, extra map[string]string) {
	t.Helper()
	node, ok := e.nodeOf(inst.ID)
	if !ok {
		t.Fatalf("no node labelled %s=%s", swarmflavor.NodeLabelInstance, inst.ID)
	}
	want := map[string]string{swarmflavor.NodeLabelOwner: e.owner, swarmflavor.NodeLabelGroup: group}
	for k, v := range extra {
		want[k] = v
	}
	for k, v := range want {
		if node.Spec.Labels[k] != v {
			t.Errorf("node of %s: label %s = %q, want %q", inst.Tags["drover.name"], k, node.Spec.Labels[k], v)
		}
	}
}

// service creates a replicated service of the demo app (its healthcheck
// off, so that a task runs as soon as its container does) and returns its
// id.
func (e *env) service(name string, replicas uint64) string {
	e.t.Helper()
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: name},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
			Image:       e.demo,
			Healthcheck: &container.HealthConfig{Test: []string{"NONE"}},
		}},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
	}
	resp, err := e.manager().ServiceCreate(e.ctx(), spec, swarm.ServiceCreateOptions{QueryRegistry: false})
	if err != nil {
		e.t.Fatalf("ServiceCreate: %v", err)
	}
	return resp.ID
}

// waitTasks waits until n tasks of the service run, none on the nodes of
// avoid.
func (e *env) waitTasks(svc string, n int, avoid map[string]bool, timeout time.Duration) {
	e.t.Helper()
	dockertest.WaitFor(e.t, timeout, func() (bool, error) {
		tasks, err := e.manager().TaskList(e.ctx(), swarm.TaskListOptions{Filters: filters.NewArgs(
			filters.Arg("service", svc), filters.Arg("desired-state", "running"))})
		if err != nil {
			return false, err
		}
		running := 0
		for _, task := range tasks {
			if task.Status.State == swarm.TaskStateRunning && !avoid[task.NodeID] {
				running++
			}
		}
		return running == n, fmt.Errorf("%d of %d tasks running where wanted", running, n)
	})
}

// tasksOn counts the service's tasks meant to run on a node.
func (e *env) tasksOn(svc, nodeID string) int {
	e.t.Helper()
	tasks, err := e.manager().TaskList(e.ctx(), swarm.TaskListOptions{Filters: filters.NewArgs(
		filters.Arg("service", svc), filters.Arg("node", nodeID), filters.Arg("desired-state", "running"))})
	if err != nil {
		e.t.Fatalf("TaskList: %v", err)
	}
	return len(tasks)
}

// TestManagers: three managers form a swarm; a killed manager is demoted
// and removed by Observe with the quorum kept, and a new manager joins;
// Drain of a manager is refused while it would lose quorum and works once
// it would not.
func TestManagers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "m")
	props := e.props(swarmflavor.RoleManager, nil, 0)
	groups := map[string]json.RawMessage{"mgr": props}
	e.provision("mgr", props, 1, 3)
	e.waitHealthy(2*time.Minute, groups)
	if got := len(e.nodes()); got != 3 {
		t.Fatalf("%d nodes, want 3", got)
	}

	// Kill a manager that is not the leader (a dead leader costs the swarm
	// an election, ~10 s, before it can change anything).
	victim := e.follower("mgr")
	start := time.Now()
	e.kill(victim.ID)
	dockertest.WaitFor(t, 30*time.Second, func() (bool, error) {
		e.observe("mgr", props)
		_, still := e.nodeOf(victim.ID)
		return !still, errors.New("the killed manager's node is still in the swarm")
	})
	t.Logf("manager killed: demoted and removed after %v", time.Since(start).Round(time.Millisecond))
	if _, err := e.manager().SwarmInspect(e.ctx()); err != nil {
		t.Fatalf("SwarmInspect after the removal: %v", err)
	}

	// A replacement joins as a manager.
	e.destroy(victim.ID)
	e.provision("mgr", props, 4, 1)
	e.waitHealthy(time.Minute, groups)
	if m := managers(e.nodes()); m != 3 {
		t.Errorf("%d managers after the replacement joined, want 3", m)
	}

	// Kill another follower and wait for the swarm to see it unreachable:
	// removing a live manager would leave 1 of 2 reachable.
	dead := e.follower("mgr")
	e.kill(dead.ID)
	deadNode, _ := e.nodeOf(dead.ID)
	dockertest.WaitFor(t, 30*time.Second, func() (bool, error) {
		n, _, err := e.manager().NodeInspectWithRaw(e.ctx(), deadNode.ID)
		return err == nil && n.ManagerStatus != nil && n.ManagerStatus.Reachability == swarm.ReachabilityUnreachable, err
	})
	live := e.follower("mgr")
	err := e.flavor.Drain(e.ctx(), props, live)
	if !errors.Is(err, spierr.ErrUnavailable) {
		t.Fatalf("Drain of a manager that would lose quorum = %v, want unavailable", err)
	}
	t.Logf("refused: %v", err)
	if _, still := e.nodeOf(live.ID); !still {
		t.Fatal("the refused manager's node was removed")
	}

	// Once the dead one is removed, two are left and one may go.
	e.observe("mgr", props)
	if _, still := e.nodeOf(dead.ID); still {
		t.Fatal("the second killed manager's node is still in the swarm")
	}
	start = time.Now()
	if err := e.flavor.Drain(e.ctx(), props, live); err != nil {
		t.Fatalf("Drain of a manager with quorum to spare: %v", err)
	}
	t.Logf("Drain of a live manager took %v", time.Since(start).Round(time.Millisecond))
	if _, still := e.nodeOf(live.ID); still {
		t.Error("the drained manager's node is still in the swarm")
	}
	if _, err := e.manager().SwarmInspect(e.ctx()); err != nil {
		t.Fatalf("SwarmInspect after the drain: %v", err)
	}
}

// follower returns a running manager machine whose node is not the leader.
func (e *env) follower(group string) instance.Description {
	e.t.Helper()
	for _, d := range e.list(group) {
		if d.State != instance.StateRunning {
			continue
		}
		if n, ok := e.nodeOf(d.ID); ok && n.ManagerStatus != nil && !n.ManagerStatus.Leader {
			return d
		}
	}
	e.t.Fatal("no running follower")
	return instance.Description{}
}

// managers counts the manager nodes.
func managers(nodes []swarm.Node) int {
	n := 0
	for _, node := range nodes {
		if node.ManagerStatus != nil {
			n++
		}
	}
	return n
}

// destroy destroys a machine.
func (e *env) destroy(id instance.ID) {
	e.t.Helper()
	if err := e.prov.Destroy(e.ctx(), id, instance.DestroyUnhealthy); err != nil {
		e.t.Fatalf("Destroy: %v", err)
	}
}

// rejoin makes the machine's engine leave its swarm, then observes until it
// is back and healthy as a new node and its old node is gone.
func (e *env) rejoin(group, name string, props json.RawMessage) {
	e.t.Helper()
	inst := e.inst(group, name)
	old, ok := e.nodeOf(inst.ID)
	if !ok {
		e.t.Fatalf("no node of %s", name)
	}
	engine, err := client.NewClientWithOpts(client.WithHost(inst.Tags[instance.TagEngine]), client.WithAPIVersionNegotiation())
	if err != nil {
		e.t.Fatal(err)
	}
	defer engine.Close()
	if err := engine.SwarmLeave(e.ctx(), true); err != nil {
		e.t.Fatalf("leave: %v", err)
	}
	start := time.Now()
	dockertest.WaitFor(e.t, time.Minute, func() (bool, error) {
		e.observe(group, props)
		if h := e.health(group, props)[name]; h.Status != flavor.Healthy {
			return false, fmt.Errorf("%s: %s %s", name, h.Status, h.Reason)
		}
		for _, n := range e.nodes() {
			if n.ID == old.ID {
				return false, fmt.Errorf("the old node of %s is still there (%s)", name, n.Status.State)
			}
		}
		return true, nil
	})
	e.t.Logf("%s rejoined and its old node was removed after %v", name, time.Since(start).Round(time.Millisecond))
}

// restart replaces the flavor and its Clusters with new ones, as a
// restarted controller has, and checks that observing the groups (workers
// first) finds the same swarm.
func (e *env) restart(groups map[string]json.RawMessage) {
	e.t.Helper()
	sw, err := e.manager().SwarmInspect(e.ctx())
	if err != nil {
		e.t.Fatal(err)
	}
	_ = e.clusters.Close()
	e.clusters = swarmflavor.NewClusters("")
	e.flavor = swarmflavor.New(e.clusters, swarmflavor.Options{})
	if _, err := e.clusters.Manager(e.ctx(), e.owner, e.swarm); !errors.Is(err, spierr.ErrUnavailable) {
		e.t.Errorf("Manager before any Observe = %v, want unavailable", err)
	}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		if g != "mgr" {
			e.observe(g, groups[g]) // workers first: no manager is known yet
		}
	}
	e.waitHealthy(time.Minute, groups)
	again, err := e.manager().SwarmInspect(e.ctx())
	if err != nil {
		e.t.Fatal(err)
	}
	if again.ID != sw.ID {
		e.t.Errorf("swarm id %s after the restart, was %s", again.ID, sw.ID)
	}
}

// TestLeaderLoss: when the leader of three managers dies, Observe removes
// its node once the other two have elected a new leader.
func TestLeaderLoss(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "l")
	props := e.props(swarmflavor.RoleManager, nil, 0)
	e.provision("mgr", props, 1, 3)
	e.waitHealthy(2*time.Minute, map[string]json.RawMessage{"mgr": props})
	var leader instance.Description
	for _, d := range e.list("mgr") {
		if n, ok := e.nodeOf(d.ID); ok && n.ManagerStatus != nil && n.ManagerStatus.Leader {
			leader = d
		}
	}
	if leader.ID == "" {
		t.Fatal("no leader")
	}
	start := time.Now()
	e.kill(leader.ID)
	dockertest.WaitFor(t, 2*time.Minute, func() (bool, error) {
		e.observe("mgr", props)
		// While the two left elect a leader, no manager may answer at all.
		m, err := e.clusters.Manager(e.ctx(), e.owner, e.swarm)
		if err != nil {
			return false, err
		}
		nodes, err := m.NodeList(e.ctx(), swarm.NodeListOptions{})
		if err != nil {
			return false, err
		}
		for _, n := range nodes {
			if n.Spec.Labels[swarmflavor.NodeLabelInstance] == string(leader.ID) {
				return false, errors.New("the dead leader's node is still in the swarm")
			}
		}
		return true, nil
	})
	t.Logf("leader killed: its node removed after %v", time.Since(start).Round(time.Millisecond))
	if m := managers(e.nodes()); m != 2 {
		t.Errorf("%d managers left, want 2", m)
	}
}
