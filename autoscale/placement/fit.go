package placement

import (
	"sort"
	"strconv"
	"strings"
)

// Why a task does not fit a node, in the order explanations list them.
const (
	LackConstraints = "constraints"  // the node does not meet the task's constraints
	LackMaxReplicas = "max_replicas" // the node runs its service's max replicas per node
	LackCPU         = "cpu"          // the node has not the cpu free
	LackMemory      = "memory"       // the node has not the memory free
)

// lackOrder is the order in which reasons are listed.
var lackOrder = []string{LackCPU, LackMemory, LackMaxReplicas, LackConstraints}

// bin is a node with what is left of it as tasks are placed.
type bin struct {
	node      Node
	cpu, mem  int64          // free
	perSvc    map[string]int // tasks of each service on it
	resCPU    int64          // reserved
	resMemory int64
}

func newBin(n Node) *bin {
	return &bin{node: n, cpu: n.CPU, mem: n.Memory, perSvc: map[string]int{}}
}

// add places t on the bin, whether or not it fits (tasks already there).
func (b *bin) add(t Task) {
	b.cpu -= t.CPU
	b.mem -= t.Memory
	b.resCPU += t.CPU
	b.resMemory += t.Memory
	b.perSvc[t.Service]++
}

// lack is why t does not fit on b, or "" when it does.
func (b *bin) lack(t Task) string {
	switch {
	case !Matches(b.node, t.Constraints):
		return LackConstraints
	case t.MaxPerNode > 0 && b.perSvc[t.Service] >= t.MaxPerNode:
		return LackMaxReplicas
	case t.CPU > b.cpu:
		return LackCPU
	case t.Memory > b.mem:
		return LackMemory
	}
	return ""
}

// firstFit places t on the first bin it fits on and returns it; nil when
// it fits on none, with the count of bins that refused it for each
// reason.
func firstFit(bins []*bin, t Task) (*bin, map[string]int) {
	refused := map[string]int{}
	for _, b := range bins {
		why := b.lack(t)
		if why == "" {
			b.add(t)
			return b, nil
		}
		refused[why]++
	}
	return nil, refused
}

// bins makes a bin of each schedulable node of nodes but skip, in order,
// loaded with the tasks that are on it.
func bins(nodes []Node, onNode map[string][]Task, skip string) []*bin {
	var out []*bin
	for _, n := range nodes {
		if !n.schedulable() || n.ID == skip {
			continue
		}
		b := newBin(n)
		for _, t := range onNode[n.ID] {
			b.add(t)
		}
		out = append(out, b)
	}
	return out
}

// byNode groups the tasks that are on a node by their node.
func byNode(tasks []Task) map[string][]Task {
	out := map[string][]Task{}
	for _, t := range tasks {
		if t.Node != "" {
			out[t.Node] = append(out[t.Node], t)
		}
	}
	return out
}

// sortNodes returns nodes ordered by ID, a copy.
func sortNodes(nodes []Node) []Node {
	out := append([]Node(nil), nodes...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// largestFirst returns tasks ordered for first-fit decreasing: the most
// cpu, then the most memory, then by service and ID; a copy.
func largestFirst(tasks []Task) []Task {
	out := append([]Task(nil), tasks...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.CPU != b.CPU:
			return a.CPU > b.CPU
		case a.Memory != b.Memory:
			return a.Memory > b.Memory
		case a.Service != b.Service:
			return a.Service < b.Service
		}
		return a.ID < b.ID
	})
	return out
}

// refusals renders per-reason counts of nodes: "2 lack cpu, 1 at
// max_replicas, 1 excluded by constraints".
func refusals(refused map[string]int) string {
	var parts []string
	for _, why := range lackOrder {
		n := refused[why]
		if n == 0 {
			continue
		}
		switch why {
		case LackCPU, LackMemory:
			parts = append(parts, plural(n, "lacks", "lack")+" "+why)
		case LackMaxReplicas:
			parts = append(parts, plural(n, "is", "are")+" at its service's max_replicas")
		case LackConstraints:
			parts = append(parts, plural(n, "does", "do")+" not meet its constraints")
		}
	}
	return strings.Join(parts, ", ")
}

// plural is "1 lacks" or "3 lack".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
