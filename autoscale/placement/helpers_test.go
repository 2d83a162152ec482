package placement_test

import (
	"time"

	"github.com/drover/drover/autoscale/placement"
)

const (
	core = int64(1e9)
	gib  = int64(1) << 30
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// node is an active, ready worker of cores cores and gibs GiB, labelled
// zone=a, created at t0.
func node(id string, cores, gibs float64, mods ...func(*placement.Node)) placement.Node {
	n := placement.Node{
		ID: id, Hostname: "host-" + id, Role: placement.RoleWorker, Labels: map[string]string{"zone": "a"},
		Availability: placement.Active, Ready: true, CPU: int64(cores * float64(core)), Memory: int64(gibs * float64(gib)),
		CreatedAt: t0,
	}
	for _, m := range mods {
		m(&n)
	}
	return n
}

// task is a task of service svc reserving cores and gibs, on node on ("":
// pending).
func task(id, svc string, cores, gibs float64, on string, mods ...func(*placement.Task)) placement.Task {
	t := placement.Task{ID: id, Name: id, Service: svc, CPU: int64(cores * float64(core)), Memory: int64(gibs * float64(gib)), Node: on}
	for _, m := range mods {
		m(&t)
	}
	return t
}

func drained(n *placement.Node)  { n.Availability = placement.Drain }
func notReady(n *placement.Node) { n.Ready = false }
func created(d time.Duration) func(*placement.Node) {
	return func(n *placement.Node) { n.CreatedAt = t0.Add(d) }
}
func zone(z string) func(*placement.Node) {
	return func(n *placement.Node) { n.Labels = map[string]string{"zone": z} }
}

func constrained(cs ...string) func(*placement.Task) {
	return func(t *placement.Task) { t.Constraints = cs }
}
func maxPerNode(n int) func(*placement.Task) {
	return func(t *placement.Task) { t.MaxPerNode = n }
}
func global(t *placement.Task) { t.Global = true }

// pending returns n pending tasks of service svc, named svc.1 ... svc.n.
func pending(svc string, n int, cores, gibs float64, mods ...func(*placement.Task)) []placement.Task {
	var out []placement.Task
	for i := 1; i <= n; i++ {
		out = append(out, task(svc+"."+itoa(i), svc, cores, gibs, "", mods...))
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}

func join(lists ...[]placement.Task) []placement.Task {
	var out []placement.Task
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
