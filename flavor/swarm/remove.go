package swarm

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
)

// demoteTimeout bounds the wait for a dead manager to leave the raft once
// demoted; the removal is retried at the next pass if it takes longer.
const demoteTimeout = 10 * time.Second

// removeLost takes the nodes chooseRemovals picks out of the swarm, each at
// once: a worker is drained (so that its tasks are replaced without the
// restart delay) and removed by force (so that the replacements do not
// wait for the old tasks to report); a manager is demoted and removed, but
// only while the quorum rule allows. What cannot be done now is noted for
// Health and retried at the next pass.
func (p *Plugin) removeLost(ctx context.Context, mgr managerConn, nodes []swarm.Node, insts []instance.Description, owner, group string) {
	lost, _ := chooseRemovals(nodes, insts, owner, group)
	dead := make(map[string]bool, len(lost))
	for _, r := range lost {
		dead[r.node.ID] = true
	}
	managers := managersOf(nodes)
	for _, r := range lost {
		if err := p.removeLostNode(ctx, mgr.cli, r.node, managers, dead); err != nil {
			p.notes.set(nodeInstance(r.node), "its node is still in the swarm ("+r.reason+"): "+err.Error())
			continue // the next pass tries again
		}
		p.notes.clear(nodeInstance(r.node).ID)
		managers = withoutNode(managers, r.node.ID)
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
