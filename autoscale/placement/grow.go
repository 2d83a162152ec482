package placement

import (
	"fmt"
	"sort"
	"strings"
)

// Growth is what a group must add so that the pending tasks are placed.
type Growth struct {
	// Nodes is how many new nodes like the template place the pending
	// tasks that such a node can host, within the limit.
	Nodes int
	// Pending is how many tasks are pending.
	Pending int
	// Fit is how many of them fit on the free capacity of the existing
	// nodes: swarm should place those without a new node.
	Fit int
	// Placed is how many of them go on the new nodes.
	Placed int
	// Lack counts the tasks placed on new nodes by what kept them off the
	// existing nodes: LackCPU, LackMemory, LackMaxReplicas, or
	// LackConstraints when no existing node meets their constraints.
	Lack map[string]int
	// OverLimit is how many tasks a new node could host but the limit
	// leaves pending.
	OverLimit int
	// Unhostable are the pending tasks that fit on no existing node and
	// that no new node could host, and why, by task name.
	Unhostable []Unplaced
}

// Unplaced is a pending task that no new node could host.
type Unplaced struct {
	Task    string // its name (web.3)
	Service string
	Reason  string // "a new node offers cpu 2, it reserves cpu 4"
}

// String is "task web.3: REASON".
func (u Unplaced) String() string { return "task " + u.Task + ": " + u.Reason }

// Lacking renders Lack for a sentence: "cpu", "cpu and memory", "nodes
// that meet their constraints"; "" when nothing was placed on new nodes.
func (g Growth) Lacking() string {
	var parts []string
	for _, why := range lackOrder {
		if g.Lack[why] == 0 {
			continue
		}
		switch why {
		case LackMaxReplicas:
			parts = append(parts, "room under max_replicas")
		case LackConstraints:
			parts = append(parts, "nodes that meet their constraints")
		default:
			parts = append(parts, why)
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// Grow simulates the placement of the pending tasks (those of tasks
// without a Node, but for global services' tasks, which wait for a node
// of their own): largest first, each goes on the first existing node
// that has it fit (first-fit decreasing, by node ID), else on the first
// new node like template that has, else on a further new node, as long
// as no more than limit new nodes are counted (a negative limit is no
// bound). A task fits a node that is active and ready, that meets its
// constraints, that runs fewer than its MaxPerNode tasks of its service,
// and whose free cpu and memory cover its reservations; the tasks that
// have a Node use their reservations there.
//
// existing are the nodes that pending tasks may go to without growing:
// the swarm's. template is a node of the group (its ID and hostname are
// not a new node's, and are ignored); a new node also runs a task of
// every global service whose constraints it meets, and offers tasks what
// those leave.
func Grow(existing []Node, tasks []Task, template Node, limit int) Growth {
	g := Growth{Lack: map[string]int{}}
	old := bins(sortNodes(existing), byNode(tasks), "")
	fresh := newNodeOf(template, tasks)
	var added []*bin
	for _, t := range largestFirst(pendingOf(tasks)) {
		g.Pending++
		b, refused := firstFit(old, t)
		if b != nil {
			g.Fit++
			continue
		}
		if why := fresh().lack(t); why != "" {
			g.Unhostable = append(g.Unhostable, Unplaced{Task: t.name(), Service: t.Service, Reason: unhostable(why, t, fresh())})
			continue
		}
		if b, _ := firstFit(added, t); b == nil {
			if limit >= 0 && len(added) >= limit {
				g.OverLimit++
				continue
			}
			nb := fresh()
			nb.add(t)
			added = append(added, nb)
		}
		g.Placed++
		g.Lack[mainLack(refused)]++
	}
	g.Nodes = len(added)
	sort.SliceStable(g.Unhostable, func(i, j int) bool { return g.Unhostable[i].Task < g.Unhostable[j].Task })
	return g
}

// pendingOf are the tasks that wait for swarm to place them.
func pendingOf(tasks []Task) []Task {
	var out []Task
	for _, t := range tasks {
		if t.Node == "" && !t.Global {
			out = append(out, t)
		}
	}
	return out
}

// newNodeOf returns a maker of empty new nodes like template: active,
// ready, without its identity, running a task of each global service
// whose constraints it meets.
func newNodeOf(template Node, tasks []Task) func() *bin {
	template.ID, template.Hostname = "", ""
	template.Ready, template.Availability = true, Active
	globals := map[string]Task{}
	for _, t := range tasks {
		if g, seen := globals[t.Service]; t.Global && (!seen || t.ID < g.ID) {
			globals[t.Service] = t
		}
	}
	var overhead []Task
	for _, t := range globals {
		if Matches(template, t.Constraints) {
			overhead = append(overhead, t)
		}
	}
	return func() *bin {
		b := newBin(template)
		for _, t := range overhead {
			b.add(t)
		}
		return b
	}
}

// mainLack is what kept a task off the existing nodes: the resource
// reason most of them gave (ties in lackOrder), or LackConstraints when
// none of them meets its constraints (or there are none).
func mainLack(refused map[string]int) string {
	best := ""
	for _, why := range []string{LackCPU, LackMemory, LackMaxReplicas} {
		if refused[why] > refused[best] {
			best = why
		}
	}
	if best == "" {
		return LackConstraints
	}
	return best
}

// unhostable says why task t does not fit on an empty new node b.
func unhostable(why string, t Task, b *bin) string {
	switch why {
	case LackConstraints:
		return "a new node would not meet its constraint " + Unmet(b.node, t.Constraints)
	case LackCPU:
		return fmt.Sprintf("it reserves cpu %s, a new node offers %s", cpus(t.CPU), cpus(max(0, b.cpu)))
	case LackMemory:
		return fmt.Sprintf("it reserves memory %s, a new node offers %s", bytes(t.Memory), bytes(max(0, b.mem)))
	}
	return "a new node runs its service's max_replicas already"
}
