package placement_test

import (
	"reflect"
	"testing"

	"github.com/drover/drover/autoscale/placement"
)

func TestGrow(t *testing.T) {
	tmpl := node("w1", 2, 4)
	cases := []struct {
		name     string
		existing []placement.Node
		tasks    []placement.Task
		template placement.Node
		limit    int
		want     placement.Growth
		lacking  string
	}{
		{
			name:     "nothing pending",
			existing: []placement.Node{node("w1", 2, 4)},
			tasks:    []placement.Task{task("web.1", "web", 1, 1, "w1")},
			template: tmpl, limit: -1,
			want: placement.Growth{},
		},
		{
			name:     "pending tasks that fit the free capacity need no node",
			existing: []placement.Node{node("w1", 2, 4), node("w2", 2, 4)},
			tasks:    join([]placement.Task{task("web.1", "web", 1.5, 1, "w1")}, pending("api", 2, 1, 1)),
			template: tmpl, limit: -1,
			want: placement.Growth{Pending: 2, Fit: 2},
		},
		{
			name:     "lack of cpu: two tasks a node",
			existing: []placement.Node{node("w1", 2, 4)},
			tasks:    join([]placement.Task{task("web.1", "web", 2, 1, "w1")}, pending("api", 3, 1, 1)),
			template: tmpl, limit: -1,
			want:    placement.Growth{Nodes: 2, Pending: 3, Placed: 3, Lack: map[string]int{"cpu": 3}},
			lacking: "cpu",
		},
		{
			name:     "lack of memory",
			existing: []placement.Node{node("w1", 2, 4)},
			tasks:    join([]placement.Task{task("web.1", "web", 0, 3, "w1")}, pending("api", 2, 0, 3)),
			template: tmpl, limit: -1,
			want:    placement.Growth{Nodes: 2, Pending: 2, Placed: 2, Lack: map[string]int{"memory": 2}},
			lacking: "memory",
		},
		{
			name:     "largest first packs tighter than arrival order",
			existing: nil,
			tasks:    join(pending("small", 2, 1, 0), pending("big", 2, 3, 0)),
			template: node("w1", 4, 4), limit: -1,
			want:    placement.Growth{Nodes: 2, Pending: 4, Placed: 4, Lack: map[string]int{"constraints": 4}},
			lacking: "nodes that meet their constraints",
		},
		{
			name:     "max replicas per node spread the tasks",
			existing: []placement.Node{node("w1", 8, 16)},
			tasks:    join([]placement.Task{task("web.0", "web", 0.1, 0, "w1", maxPerNode(1))}, pending("web", 3, 0.1, 0, maxPerNode(1))),
			template: tmpl, limit: -1,
			want:    placement.Growth{Nodes: 3, Pending: 3, Placed: 3, Lack: map[string]int{"max_replicas": 3}},
			lacking: "room under max_replicas",
		},
		{
			name:     "a task the template does not meet the constraints of is no reason to grow",
			existing: []placement.Node{node("w1", 2, 4)},
			tasks:    join([]placement.Task{task("web.1", "web", 2, 0, "w1")}, pending("db", 1, 1, 0, constrained("node.labels.zone == b"))),
			template: tmpl, limit: -1,
			want: placement.Growth{Pending: 1, Unhostable: []placement.Unplaced{
				{Task: "db.1", Service: "db", Reason: "a new node would not meet its constraint node.labels.zone == b"}}},
		},
		{
			name:     "a task larger than a new node is no reason to grow",
			existing: nil,
			tasks:    join(pending("big", 1, 4, 0), pending("huge", 1, 1, 64), pending("web", 1, 1, 1)),
			template: tmpl, limit: -1,
			want: placement.Growth{Nodes: 1, Pending: 3, Placed: 1, Lack: map[string]int{"constraints": 1}, Unhostable: []placement.Unplaced{
				{Task: "big.1", Service: "big", Reason: "it reserves cpu 4, a new node offers 2"},
				{Task: "huge.1", Service: "huge", Reason: "it reserves memory 64GiB, a new node offers 4GiB"},
			}},
		},
		{
			name:     "the limit bounds the new nodes",
			existing: nil,
			tasks:    pending("web", 5, 2, 0),
			template: tmpl, limit: 2,
			want: placement.Growth{Nodes: 2, Pending: 5, Placed: 2, OverLimit: 3, Lack: map[string]int{"constraints": 2}},
		},
		{
			name:     "a zero limit adds nothing",
			existing: nil,
			tasks:    pending("web", 2, 2, 0),
			template: tmpl, limit: 0,
			want: placement.Growth{Pending: 2, OverLimit: 2},
		},
		{
			name:     "a new node runs the global services that match it",
			existing: []placement.Node{node("w1", 2, 4)},
			tasks: join([]placement.Task{
				task("agent.w1", "agent", 0.5, 0, "w1", global),
				task("gpu.w1", "gpu", 1, 0, "w1", global, constrained("engine.labels.gpu == yes")),
				task("web.0", "web", 1.5, 0, "w1"),
			}, pending("web", 3, 1, 0)),
			template: tmpl, limit: -1,
			want:    placement.Growth{Nodes: 3, Pending: 3, Placed: 3, Lack: map[string]int{"cpu": 3}},
			lacking: "cpu",
		},
		{
			name:     "drained and down nodes take nothing",
			existing: []placement.Node{node("w1", 8, 8, drained), node("w2", 8, 8, notReady)},
			tasks:    pending("web", 1, 1, 1),
			template: tmpl, limit: -1,
			want: placement.Growth{Nodes: 1, Pending: 1, Placed: 1, Lack: map[string]int{"constraints": 1}},
		},
		{
			name:     "the template's identity is not a new node's",
			existing: []placement.Node{node("w1", 2, 4)},
			tasks: join([]placement.Task{task("web.0", "web", 2, 0, "w1")},
				pending("web", 1, 1, 0, constrained("node.hostname != host-w1", "node.id != w1")),
				pending("pinned", 1, 1, 0, constrained("node.id == w1"))),
			template: tmpl, limit: -1,
			want: placement.Growth{Nodes: 1, Pending: 2, Placed: 1, Lack: map[string]int{"constraints": 1}, Unhostable: []placement.Unplaced{
				{Task: "pinned.1", Service: "pinned", Reason: "a new node would not meet its constraint node.id == w1"}}},
		},
		{
			name:     "pending global tasks wait for their own node",
			existing: nil,
			tasks:    []placement.Task{task("agent.x", "agent", 1, 0, "", global)},
			template: tmpl, limit: -1,
			want: placement.Growth{},
		},
		{
			name:     "mixed lacks",
			existing: []placement.Node{node("w1", 2, 4), node("w2", 2, 4), node("w3", 4, 1)},
			tasks: join([]placement.Task{task("a.0", "a", 2, 0, "w1"), task("a.1", "a", 2, 0, "w2"), task("b.0", "b", 0, 1, "w3")},
				pending("cpu", 1, 1, 0.5), pending("mem", 1, 0, 8)),
			template: node("w1", 8, 16), limit: -1,
			want:    placement.Growth{Nodes: 1, Pending: 2, Placed: 2, Lack: map[string]int{"cpu": 1, "memory": 1}},
			lacking: "cpu and memory",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := placement.Grow(c.existing, c.tasks, c.template, c.limit)
			if c.want.Lack == nil {
				c.want.Lack = map[string]int{}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Grow =\n %+v\nwant\n %+v", got, c.want)
			}
			if l := got.Lacking(); l != c.lacking && c.lacking != "" {
				t.Errorf("Lacking = %q, want %q", l, c.lacking)
			}
		})
	}
}

// TestGrowDeterministic: the tasks' order changes nothing.
func TestGrowDeterministic(t *testing.T) {
	tasks := join(pending("a", 3, 1.5, 1), pending("b", 4, 0.5, 2), pending("c", 2, 0, 0, constrained("node.labels.zone == z")),
		[]placement.Task{task("x.1", "x", 1, 1, "w1")})
	existing := []placement.Node{node("w1", 2, 4), node("w2", 1, 1)}
	want := placement.Grow(existing, tasks, node("w1", 2, 4), -1)
	for i := range 20 {
		shuffled := append([]placement.Task(nil), tasks...)
		for j := range shuffled {
			k := (j*7 + i*3) % len(shuffled)
			shuffled[j], shuffled[k] = shuffled[k], shuffled[j]
		}
		nodes := []placement.Node{existing[(i+1)%2], existing[i%2]}
		if got := placement.Grow(nodes, shuffled, node("w1", 2, 4), -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: %+v, want %+v", i, got, want)
		}
	}
}
