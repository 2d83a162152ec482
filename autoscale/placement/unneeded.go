package placement

import (
	"sort"
)

// Verdict is which of a group's nodes could go.
type Verdict struct {
	// Unneeded are the group's nodes whose tasks all fit on the other
	// nodes, best to remove first. Each is judged alone: removing one is
	// safe, removing several at once may not be.
	Unneeded []Node
	// Kept say, for each of the group's other nodes, why it cannot go, in
	// the same order.
	Kept []Kept
}

// Kept is a node of the group that cannot go, and why.
type Kept struct {
	Node Node
	// Task is the first of its tasks that fits on no other node (the
	// largest first); Reason says why.
	Task   string
	Reason string
}

// String is "node w-2: task web.3 (cpu 1.5) fits on no other node: 2
// lack cpu, 1 does not meet its constraints".
func (k Kept) String() string {
	return "node " + k.Node.name() + ": task " + k.Task + " " + k.Reason
}

// Unneeded judges each of group's nodes: it is unneeded when every task
// on it but those of global services (which go with it) fits on the
// other active and ready nodes of swarm, placed largest first on the
// first that has it fit (by node ID), as Grow places them: with their
// reservations, constraints and max replicas per node, and the tasks
// already there. The unneeded nodes come best first: the smallest share
// reserved (the larger of its cpu and memory shares), then the newest,
// then by ID; the kept ones in the same order.
func Unneeded(group, swarm []Node, tasks []Task) Verdict {
	onNode := byNode(tasks)
	others := sortNodes(swarm)
	var v Verdict
	for _, n := range byCandidacy(group, onNode) {
		if k, kept := judge(n, others, onNode); kept {
			v.Kept = append(v.Kept, k)
			continue
		}
		v.Unneeded = append(v.Unneeded, n)
	}
	return v
}

// judge simulates moving n's tasks to the other nodes; kept is set, with
// why, when one of them fits on none.
func judge(n Node, others []Node, onNode map[string][]Task) (k Kept, kept bool) {
	rest := bins(others, onNode, n.ID)
	var moving []Task
	for _, t := range onNode[n.ID] {
		if !t.Global {
			moving = append(moving, t)
		}
	}
	for _, t := range largestFirst(moving) {
		if b, refused := firstFit(rest, t); b == nil {
			why := "fits on no other node"
			if len(rest) == 0 {
				why += ": there is no other active and ready node"
			} else {
				why += ": " + refusals(refused)
			}
			return Kept{Node: n, Task: t.name(), Reason: "(" + t.size() + ") " + why}, true
		}
	}
	return Kept{}, false
}

// byCandidacy orders a group's nodes best victim first: the smallest
// reserved share, then the newest, then by ID; a copy.
func byCandidacy(nodes []Node, onNode map[string][]Task) []Node {
	share := make(map[string]float64, len(nodes))
	for _, n := range nodes {
		b := newBin(n)
		for _, t := range onNode[n.ID] {
			b.add(t)
		}
		share[n.ID] = max(fraction(b.resCPU, n.CPU), fraction(b.resMemory, n.Memory))
	}
	out := append([]Node(nil), nodes...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case share[a.ID] != share[b.ID]:
			return share[a.ID] < share[b.ID]
		case !a.CreatedAt.Equal(b.CreatedAt):
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.ID < b.ID
	})
	return out
}

// fraction is used/total, 0 for no total with nothing used and 1 with
// something used.
func fraction(used, total int64) float64 {
	switch {
	case total > 0:
		return float64(used) / float64(total)
	case used > 0:
		return 1
	}
	return 0
}
