package swarm

import (
	"fmt"

	"github.com/docker/docker/api/types/swarm"
)

// The quorum rule for taking a manager out of a swarm: the raft log needs a
// majority of the managers to commit the change, so a majority of the
// managers must be reachable now; and the managers left afterwards must
// still have a reachable majority, or the swarm stops working. A manager
// counts as reachable when the swarm says so and it is not known to be
// dead (the swarm notices a death only after some seconds). Removing the
// last manager is not a quorum question: the swarm is being destroyed, and
// callers decide that case themselves.

// managersOf returns the nodes that are members of the managers' raft.
func managersOf(nodes []swarm.Node) []swarm.Node {
	var out []swarm.Node
	for _, n := range nodes {
		if n.ManagerStatus != nil {
			out = append(out, n)
		}
	}
	return out
}

// reachable reports whether a manager can vote.
func reachable(n swarm.Node, dead map[string]bool) bool {
	return n.ManagerStatus != nil && n.ManagerStatus.Reachability == swarm.ReachabilityReachable && !dead[n.ID]
}

// checkRemoval applies the quorum rule to removing node id from managers
// (the swarm's manager nodes); dead are nodes known to be dead whatever
// the swarm says of them. It returns nil if the removal is allowed, or an
// error saying how many managers would be reachable.
func checkRemoval(managers []swarm.Node, id string, dead map[string]bool) error {
	total, up, isManager, isUp := 0, 0, false, false
	for _, n := range managers {
		if n.ManagerStatus == nil {
			continue
		}
		total++
		r := reachable(n, dead)
		if r {
			up++
		}
		if n.ID == id {
			isManager, isUp = true, r
		}
	}
	if !isManager {
		return nil
	}
	if 2*up <= total {
		return fmt.Errorf("only %d of its %d managers are reachable: the swarm has no quorum to change", up, total)
	}
	left, upLeft := total-1, up
	if isUp {
		upLeft--
	}
	if left > 0 && 2*upLeft <= left {
		return fmt.Errorf("only %d of the %d managers left would be reachable", upLeft, left)
	}
	return nil
}
