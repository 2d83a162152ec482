package swarm

import (
	"context"
	"encoding/json"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Drain takes inst's node out of the swarm before its machine is destroyed.
// The node is found by its NodeLabelInstance label (or, unlabelled, by the
// id the machine's engine reports), through a manager other than the
// machine itself; no node, or a swarm that is gone, is nil.
//
//   - A worker is drained, Drain waits (polling) until no task on it is
//     meant to run or still runs, or drain_timeout passes, then removes the
//     node by force.
//   - A manager is refused with a spierr.ErrUnavailable error ("removing
//     manager X would lose quorum: ...") when the quorum rule forbids its
//     removal (see quorum.go); otherwise it is demoted and drained, Drain
//     waits until it has left the managers' raft, then removes the node.
//   - Either way the machine's engine then leaves the swarm by force, if
//     it still answers (a just-demoted manager takes about 5 s to).
//   - The last manager of a swarm (the swarm is being destroyed) just
//     leaves the swarm by force.
//
// A worker whose managers cannot be asked is an error matching
// spierr.ErrUnavailable, unless every manager this process knew of the
// swarm has been destroyed: then the swarm is gone and the worker only
// leaves it.
func (p *Plugin) Drain(ctx context.Context, props json.RawMessage, inst instance.Description) error {
	pr, err := parse("swarm.Drain", props)
	if err != nil {
		return err
	}
	owner, name := inst.Tags[instance.TagOwner], swarmOf(inst, pr)
	mgr, err := p.manager(ctx, owner, name, endpointOf(inst))
	if err != nil {
		return p.drainWithoutManager(ctx, inst, name, err)
	}
	nodes, err := p.listNodes(ctx, mgr.cli)
	if err != nil {
		return err
	}
	managers := managersOf(nodes)
	for _, node := range p.nodesOf(ctx, inst, nodes) {
		if err := p.drainOne(ctx, pr, mgr.cli, inst, node, managers); err != nil {
			return err
		}
		managers = withoutNode(managers, node.ID)
	}
	p.leave(ctx, inst)
	p.clusters.forget(owner, name, endpointOf(inst))
	return nil
}

// nodesOf returns inst's nodes: those labelled with its ID, else the one
// its engine says it is.
func (p *Plugin) nodesOf(ctx context.Context, inst instance.Description, nodes []swarm.Node) []swarm.Node {
	var out []swarm.Node
	for _, n := range nodes {
		if n.Spec.Labels[NodeLabelInstance] == string(inst.ID) {
			out = append(out, n)
		}
	}
	if len(out) > 0 || inst.State != instance.StateRunning || inst.Tags[instance.TagEngine] == "" {
		return out
	}
	info, err := p.info(ctx, inst)
	if err != nil || info.NodeID == "" {
		return nil
	}
	for _, n := range nodes {
		if n.ID == info.NodeID {
			return []swarm.Node{n}
		}
	}
	return nil
}

// drainOne takes one node of inst out of the swarm.
func (p *Plugin) drainOne(ctx context.Context, pr Properties, cli client.APIClient, inst instance.Description, node swarm.Node, managers []swarm.Node) error {
	if isManagerNode(node) == 0 {
		return p.drainWorker(ctx, pr, cli, node, p.alive(ctx, inst))
	}
	if len(managers) == 1 && managers[0].ID == node.ID {
		return nil // the last manager: it only leaves
	}
	dead := map[string]bool{}
	if inst.State != instance.StateRunning {
		dead[node.ID] = true
	}
	if err := checkRemoval(managers, node.ID, dead); err != nil {
		return spierr.Unavailable("swarm.Drain", "removing manager %s would lose quorum: %v", nameOf(inst), err)
	}
	if err := p.demoteNode(ctx, cli, node); err != nil {
		return err
	}
	if err := p.waitDemoted(ctx, cli, node.ID, max(pr.drainTimeout(), demoteTimeout)); err != nil {
		return err
	}
	return p.removeNode(ctx, cli, node.ID)
}

// alive says whether inst's machine runs and its engine answers: only then
// can its tasks stop and say so. A machine being destroyed whose engine is
// gone (killed between two listings) has nothing to wait for.
func (p *Plugin) alive(ctx context.Context, inst instance.Description) bool {
	if inst.State != instance.StateRunning || inst.Tags[instance.TagEngine] == "" {
		return false
	}
	_, err := p.info(ctx, inst)
	return err == nil
}

// drainWorker drains a worker node, waits for its tasks and removes it.
// alive says whether its machine runs, to stop its tasks.
func (p *Plugin) drainWorker(ctx context.Context, pr Properties, cli client.APIClient, node swarm.Node, alive bool) error {
	if err := p.drainNode(ctx, cli, node); err != nil {
		return err
	}
	if err := p.waitTasks(ctx, cli, node, alive, pr.drainTimeout()); err != nil {
		return err
	}
	return p.removeNode(ctx, cli, node.ID)
}

// waitTasks waits until no task on node is meant to run or, if the node is
// up (ready, and its machine alive), still runs; or until timeout passes,
// which is not an error. The end of ctx is.
func (p *Plugin) waitTasks(ctx context.Context, cli client.APIClient, node swarm.Node, alive bool, timeout time.Duration) error {
	up := alive && node.Status.State == swarm.NodeStateReady
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		tasks, err := p.tasksOn(wctx, cli, node.ID)
		if err == nil && busy(tasks, up) == 0 {
			return nil
		}
		if !sleep(wctx, pollInterval) {
			if ctx.Err() != nil {
				return spierr.Unavailable("swarm.Drain", "waiting for the tasks of node %s: %w", node.ID, ctx.Err())
			}
			return nil
		}
	}
}

// tasksOn lists the tasks the swarm has for a node.
func (p *Plugin) tasksOn(ctx context.Context, cli client.APIClient, nodeID string) ([]swarm.Task, error) {
	var tasks []swarm.Task
	err := p.call(ctx, func(ctx context.Context) (err error) {
		tasks, err = cli.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("node", nodeID))})
		return err
	})
	return tasks, engineErr("swarm.tasksOn", "list the tasks of node "+nodeID, err)
}

// busy counts the tasks that are meant to run, and, if their node is up
// to stop them, those that have not stopped yet.
func busy(tasks []swarm.Task, nodeUp bool) int {
	n := 0
	for _, t := range tasks {
		if t.DesiredState == swarm.TaskStateRunning || nodeUp && !terminal(t.Status.State) {
			n++
		}
	}
	return n
}

// terminal reports whether a task in state s has ended.
func terminal(s swarm.TaskState) bool {
	switch s {
	case swarm.TaskStateComplete, swarm.TaskStateShutdown, swarm.TaskStateFailed,
		swarm.TaskStateRejected, swarm.TaskStateRemove, swarm.TaskStateOrphaned:
		return true
	}
	return false
}

// drainWithoutManager handles a machine when no other manager of its swarm
// answers: the last manager leaves (the swarm is being destroyed); a
// machine in no swarm, or whose engine does not answer, needs nothing; a
// worker leaves if the swarm is gone, else waits for a manager.
func (p *Plugin) drainWithoutManager(ctx context.Context, inst instance.Description, name string, cause error) error {
	owner := inst.Tags[instance.TagOwner]
	if inst.State != instance.StateRunning || inst.Tags[instance.TagEngine] == "" {
		return nil
	}
	info, err := p.info(ctx, inst)
	if err != nil || info.LocalNodeState == swarm.LocalNodeStateInactive {
		return nil
	}
	if info.ControlAvailable {
		return p.drainLastManager(ctx, inst, name, info)
	}
	if info.LocalNodeState == swarm.LocalNodeStateActive && !p.clusters.gone(owner, name) {
		return spierr.Unavailable("swarm.Drain", "cannot drain %s: %w", nameOf(inst), cause)
	}
	p.leave(ctx, inst)
	return nil
}

// drainLastManager makes a manager that no other known manager can
// demote leave the swarm, if no other manager of the swarm is reachable:
// it is the last one, and the swarm ends with it.
func (p *Plugin) drainLastManager(ctx context.Context, inst instance.Description, name string, info swarm.Info) error {
	cli, err := p.engine(inst)
	if err != nil {
		return err
	}
	nodes, err := p.listNodes(ctx, cli)
	if err != nil {
		return err
	}
	if others := reachableOthers(managersOf(nodes), info.NodeID); others > 0 {
		return spierr.Unavailable("swarm.Drain", "no other manager of swarm %s is known yet to demote %s through (%d others are reachable)", name, nameOf(inst), others)
	}
	p.leave(ctx, inst)
	p.clusters.forget(inst.Tags[instance.TagOwner], name, endpointOf(inst))
	return nil
}

// leaveTimeout bounds a swarm leave. A manager that was just demoted takes
// about 5 s to leave (measured with node containers), longer than an
// ordinary engine call.
const leaveTimeout = 30 * time.Second

// leave makes inst's engine leave its swarm by force, if it answers;
// failures are ignored (the machine is about to be destroyed, and its node
// is removed from the swarm anyway).
func (p *Plugin) leave(ctx context.Context, inst instance.Description) {
	if inst.State != instance.StateRunning || inst.Tags[instance.TagEngine] == "" {
		return
	}
	cli, err := p.engine(inst)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, leaveTimeout)
	defer cancel()
	_ = cli.SwarmLeave(ctx, true)
}

// reachableOthers counts the reachable managers other than node self.
func reachableOthers(managers []swarm.Node, self string) int {
	n := 0
	for _, m := range managers {
		if m.ID != self && reachable(m, nil) {
			n++
		}
	}
	return n
}
