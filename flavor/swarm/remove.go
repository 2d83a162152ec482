package swarm

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/spierr"
)

// demoteTimeout bounds the wait for a dead manager to leave the raft once
// demoted; the removal is retried at the next pass if it takes longer.
const demoteTimeout = 10 * time.Second

// lossBudget bounds the time Observe spends taking one lost node out of
// the swarm. A call that fails for a while (a manager slow to answer on a
// loaded machine) is tried again within it, each time with twice the
// time, rather than at the next pass, which may come only after the group
// has made the dead machine's replacement: tens of seconds, about as long
// as swarm alone takes to give up on the node.
const lossBudget = 30 * time.Second

// removeLost takes the nodes chooseRemovals picks out of the swarm, each at
// once: a worker is drained (so that its tasks are replaced without the
// restart delay) and removed by force (so that the replacements do not
// wait for the old tasks to report); a manager is demoted and removed, but
// only while the quorum rule allows. For a worker, a call the manager does
// not answer in time is tried again (see lossBudget); what cannot be done
// now is noted for Health and retried at the next pass.
func (p *Plugin) removeLost(ctx context.Context, mgr managerConn, nodes []swarm.Node, insts []instance.Description, owner, group string) {
	lost, _ := chooseRemovals(nodes, insts, owner, group)
	dead := make(map[string]bool, len(lost))
	for _, r := range lost {
		dead[r.node.ID] = true
	}
	managers := managersOf(nodes)
	log := reconcile.Logger(ctx)
	for _, r := range lost {
		start := time.Now()
		remove := func(ctx context.Context) error {
			err := p.removeLostNode(ctx, mgr.cli, r.node, managers, dead)
			if spierr.CodeOf(err) == spierr.CodeNotFound {
				return nil // gone already: the runner's node-loss pass and the group's pass race
			}
			return err
		}
		attempts, err := 1, error(nil)
		if isManagerNode(r.node) == 1 {
			err = remove(ctx) // its demotion has a wait of its own
		} else {
			attempts, err = p.retryLoss(ctx, remove)
		}
		if err != nil {
			log.Warn("lost node not removed", "node", r.node.ID, "why", r.reason, "attempts", attempts, "took", time.Since(start).Round(time.Millisecond), "err", err)
			p.notes.set(nodeInstance(r.node), "its node is still in the swarm ("+r.reason+"): "+err.Error())
			continue // the next pass tries again
		}
		log.Debug("lost node removed", "node", r.node.ID, "why", r.reason, "attempts", attempts, "took", time.Since(start).Round(time.Millisecond))
		p.notes.clear(nodeInstance(r.node).ID)
		managers = withoutNode(managers, r.node.ID)
	}
}

// retryLoss runs fn until it succeeds, fails for good (an error that is
// not spierr.ErrUnavailable), or lossBudget passes; each attempt's engine
// calls may take twice as long as the last's. It returns the attempts
// made and the last error.
func (p *Plugin) retryLoss(ctx context.Context, fn func(ctx context.Context) error) (int, error) {
	bctx, cancel := context.WithTimeout(ctx, lossBudget)
	defer cancel()
	timeout := p.opts.EngineTimeout
	for attempt := 1; ; attempt++ {
		err := fn(withCallTimeout(bctx, timeout))
		if err == nil || spierr.CodeOf(err) != spierr.CodeUnavailable || !sleep(bctx, pollInterval) {
			return attempt, err
		}
		timeout *= 2
	}
}

// removeLostNode takes one node of a dead machine out of the swarm.
func (p *Plugin) removeLostNode(ctx context.Context, cli client.APIClient, node swarm.Node, managers []swarm.Node, dead map[string]bool) error {
	if node.ManagerStatus == nil && node.Spec.Role != swarm.NodeRoleManager {
		if err := p.drainNode(ctx, cli, node); err != nil {
			return err
		}
		return p.removeNode(ctx, cli, node.ID)
	}
	if err := checkRemoval(managers, node.ID, dead); err != nil {
		return fmt.Errorf("removing manager node %s would lose quorum: %w", node.ID, err)
	}
	if err := p.demoteNode(ctx, cli, node); err != nil {
		return err
	}
	if err := p.waitDemoted(ctx, cli, node.ID, demoteTimeout); err != nil {
		return err
	}
	return p.removeNode(ctx, cli, node.ID)
}

// withoutNode returns nodes without the node id.
func withoutNode(nodes []swarm.Node, id string) []swarm.Node {
	var out []swarm.Node
	for _, n := range nodes {
		if n.ID != id {
			out = append(out, n)
		}
	}
	return out
}

// nodeInstance is the machine a node is labelled with, as far as the
// labels tell.
func nodeInstance(n swarm.Node) instance.Description {
	l := n.Spec.Labels
	return instance.Description{
		ID:   instance.ID(l[NodeLabelInstance]),
		Tags: map[string]string{instance.TagOwner: l[NodeLabelOwner], instance.TagGroup: l[NodeLabelGroup]},
	}
}
