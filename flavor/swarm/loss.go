package swarm

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/instance"
)

// removal is a node to take out of the swarm and why.
type removal struct {
	node   swarm.Node
	reason string
}

// chooseRemovals picks, among the nodes labelled as the machines of (owner,
// group), those to take out of the swarm at once:
//
//   - a node whose machine is listed stopped or terminated (a confirmed
//     death);
//   - a node whose machine is not listed at all, unless more than half of
//     the group's labelled nodes are in that case at once: that is more
//     likely a bad listing than a mass death, and held says so;
//   - a node that is down while another node labelled with the same
//     machine is ready: the machine's engine restarted and rejoined.
//
// A node of a running machine that is merely unreachable is never chosen.
// Workers come first, then managers, each by node id.
func chooseRemovals(nodes []swarm.Node, insts []instance.Description, owner, group string) (out []removal, held string) {
	byID := make(map[instance.ID]instance.Description, len(insts))
	for _, in := range insts {
		byID[in.ID] = in
	}
	labelled := groupNodes(nodes, owner, group)
	ready := map[string]int{}
	for _, n := range labelled {
		if n.Status.State == swarm.NodeStateReady {
			ready[n.Spec.Labels[NodeLabelInstance]]++
		}
	}
	var absent []removal
	for _, n := range labelled {
		id := n.Spec.Labels[NodeLabelInstance]
		inst, listed := byID[instance.ID(id)]
		switch {
		case !listed:
			absent = append(absent, removal{n, fmt.Sprintf("machine %s is no longer listed", id)})
		case inst.State == instance.StateStopped || inst.State == instance.StateTerminated:
			out = append(out, removal{n, fmt.Sprintf("machine %s is %s", nameOf(inst), inst.State)})
		case n.Status.State == swarm.NodeStateDown && ready[id] > 0:
			out = append(out, removal{n, fmt.Sprintf("machine %s rejoined as another node", nameOf(inst))})
		}
	}
	if 2*len(absent) > len(labelled) {
		held = fmt.Sprintf("%d of the group's %d nodes have no listed machine: not removing them", len(absent), len(labelled))
	} else {
		out = append(out, absent...)
	}
	slices.SortFunc(out, func(a, b removal) int {
		return cmp.Or(cmp.Compare(isManagerNode(a.node), isManagerNode(b.node)), cmp.Compare(a.node.ID, b.node.ID))
	})
	return out, held
}

// groupNodes returns the nodes labelled as machines of (owner, group).
func groupNodes(nodes []swarm.Node, owner, group string) []swarm.Node {
	var out []swarm.Node
	for _, n := range nodes {
		l := n.Spec.Labels
		if l[NodeLabelOwner] == owner && l[NodeLabelGroup] == group && l[NodeLabelInstance] != "" {
			out = append(out, n)
		}
	}
	return out
}

// isManagerNode is 1 for a manager (wanted or still in the raft), else 0.
func isManagerNode(n swarm.Node) int {
	if n.Spec.Role == swarm.NodeRoleManager || n.ManagerStatus != nil {
		return 1
	}
	return 0
}
