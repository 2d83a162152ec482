package placement_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/drover/drover/autoscale/placement"
)

func TestUnneeded(t *testing.T) {
	manager := func(n *placement.Node) { n.Role = placement.RoleManager }
	cases := []struct {
		name     string
		group    []placement.Node
		others   []placement.Node // the swarm's nodes beyond the group's
		tasks    []placement.Task
		unneeded []string
		kept     []string
	}{
		{
			name:     "both fit on the other: the least reserved first",
			group:    []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks:    []placement.Task{task("web.1", "web", 1, 0, "w1"), task("web.2", "web", 0.5, 0, "w2")},
			unneeded: []string{"w2", "w1"},
		},
		{
			name:     "the larger share of cpu and memory ranks",
			group:    []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks:    []placement.Task{task("web.1", "web", 0.2, 0, "w1"), task("web.2", "web", 0.1, 2, "w2")},
			unneeded: []string{"w1", "w2"},
		},
		{
			name:     "empty nodes: the newest first",
			group:    []placement.Node{node("w1", 2, 4), node("w2", 2, 4, created(time.Hour)), node("w3", 2, 4)},
			unneeded: []string{"w2", "w1", "w3"},
		},
		{
			name:  "neither has room for the other's task",
			group: []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks: []placement.Task{task("web.1", "web", 1.5, 0, "w1"), task("web.2", "web", 1.5, 0.5, "w2")},
			kept: []string{
				"node host-w1: task web.1 (cpu 1.5) fits on no other node: 1 lacks cpu",
				"node host-w2: task web.2 (cpu 1.5, memory 512MiB) fits on no other node: 1 lacks cpu",
			},
		},
		{
			name:  "memory",
			group: []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks: []placement.Task{task("db.1", "db", 0, 3, "w1"), task("db.2", "db", 0, 3, "w2")},
			kept: []string{
				"node host-w1: task db.1 (memory 3GiB) fits on no other node: 1 lacks memory",
				"node host-w2: task db.2 (memory 3GiB) fits on no other node: 1 lacks memory",
			},
		},
		{
			name:  "the tasks of a node add up",
			group: []placement.Node{node("w1", 4, 4), node("w2", 3, 4)},
			tasks: []placement.Task{
				task("a.1", "a", 1, 0, "w1"), task("a.2", "a", 1, 0, "w1"), task("a.3", "a", 1, 0, "w1"),
				task("b.1", "b", 1, 0, "w2"),
			},
			unneeded: []string{"w2"},
			kept:     []string{"node host-w1: task a.3 (cpu 1) fits on no other node: 1 lacks cpu"},
		},
		{
			name:     "constraints keep a node",
			group:    []placement.Node{node("w1", 2, 4), node("w2", 2, 4, zone("b"))},
			tasks:    []placement.Task{task("db.1", "db", 0.1, 0, "w1", constrained("node.labels.zone == a"))},
			unneeded: []string{"w2"},
			kept:     []string{"node host-w1: task db.1 (cpu 0.1) fits on no other node: 1 does not meet its constraints"},
		},
		{
			name:  "max replicas per node keep nodes",
			group: []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks: []placement.Task{task("web.1", "web", 0, 0, "w1", maxPerNode(1)), task("web.2", "web", 0, 0, "w2", maxPerNode(1))},
			kept: []string{
				"node host-w1: task web.1 (no reservation) fits on no other node: 1 is at its service's max_replicas",
				"node host-w2: task web.2 (no reservation) fits on no other node: 1 is at its service's max_replicas",
			},
		},
		{
			name:     "nodes beyond the group take tasks",
			group:    []placement.Node{node("w1", 2, 4)},
			others:   []placement.Node{node("m1", 4, 4, manager)},
			tasks:    []placement.Task{task("web.1", "web", 1, 0, "w1")},
			unneeded: []string{"w1"},
		},
		{
			name:   "as their constraints allow",
			group:  []placement.Node{node("w1", 2, 4)},
			others: []placement.Node{node("m1", 4, 4, manager), node("w9", 0.5, 4)},
			tasks:  []placement.Task{task("web.1", "web", 1, 0, "w1", constrained("node.role == worker"))},
			kept:   []string{"node host-w1: task web.1 (cpu 1) fits on no other node: 1 lacks cpu, 1 does not meet its constraints"},
		},
		{
			name:   "drained and down nodes take nothing",
			group:  []placement.Node{node("w1", 2, 4)},
			others: []placement.Node{node("w2", 8, 8, drained), node("w3", 8, 8, notReady)},
			tasks:  []placement.Task{task("web.1", "web", 1, 0, "w1")},
			kept:   []string{"node host-w1: task web.1 (cpu 1) fits on no other node: there is no other active and ready node"},
		},
		{
			name:  "global tasks go with their node",
			group: []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks: []placement.Task{
				task("agent.w1", "agent", 1.5, 0, "w1", global), task("agent.w2", "agent", 1.5, 0, "w2", global),
				task("web.1", "web", 0.5, 0, "w1"),
			},
			unneeded: []string{"w2", "w1"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			swarm := append(append([]placement.Node(nil), c.group...), c.others...)
			v := placement.Unneeded(c.group, swarm, c.tasks)
			unneeded, kept := []string{}, []string{}
			for _, n := range v.Unneeded {
				unneeded = append(unneeded, n.ID)
			}
			for _, k := range v.Kept {
				kept = append(kept, k.String())
			}
			if c.unneeded == nil {
				c.unneeded = []string{}
			}
			if c.kept == nil {
				c.kept = []string{}
			}
			if !reflect.DeepEqual(unneeded, c.unneeded) {
				t.Errorf("unneeded = %q, want %q", unneeded, c.unneeded)
			}
			if !reflect.DeepEqual(kept, c.kept) {
				t.Errorf("kept =\n %q\nwant\n %q", kept, c.kept)
			}
		})
	}
}

// TestUnneededDeterministic: the order of nodes and tasks changes nothing.
func TestUnneededDeterministic(t *testing.T) {
	group := []placement.Node{node("w1", 2, 4), node("w2", 2, 4), node("w3", 4, 8), node("w4", 1, 1)}
	tasks := []placement.Task{
		task("a.1", "a", 1, 1, "w1"), task("a.2", "a", 1, 1, "w2"), task("b.1", "b", 2, 2, "w3"),
		task("c.1", "c", 0.5, 0.5, "w4"), task("c.2", "c", 0.5, 0.5, "w3"),
	}
	want := placement.Unneeded(group, group, tasks)
	for i := range 12 {
		g := append([]placement.Node(nil), group...)
		ts := append([]placement.Task(nil), tasks...)
		for j := range g {
			k := (j*5 + i) % len(g)
			g[j], g[k] = g[k], g[j]
		}
		for j := range ts {
			k := (j*3 + i*7) % len(ts)
			ts[j], ts[k] = ts[k], ts[j]
		}
		if got := placement.Unneeded(g, g, ts); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: %+v, want %+v", i, got, want)
		}
	}
}
