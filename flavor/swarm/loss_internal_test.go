package swarm

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/instance"
)

// node is a labelled node of machine inst in group g of owner "o".
func node(id, inst, g string, state swarm.NodeState, manager bool) swarm.Node {
	n := swarm.Node{
		ID:     id,
		Spec:   swarm.NodeSpec{Annotations: swarm.Annotations{Labels: map[string]string{NodeLabelInstance: inst, NodeLabelOwner: "o", NodeLabelGroup: g}}, Role: swarm.NodeRoleWorker},
		Status: swarm.NodeStatus{State: state},
	}
	if manager {
		n.Spec.Role = swarm.NodeRoleManager
		n.ManagerStatus = &swarm.ManagerStatus{Reachability: swarm.ReachabilityReachable}
	}
	return n
}

func inst(id string, state instance.State) instance.Description {
	return instance.Description{ID: instance.ID(id), State: state, Tags: map[string]string{"drover.name": "m-" + id}}
}

const (
	ready = swarm.NodeStateReady
	gone  = swarm.NodeStateDown
)

func TestChooseRemovals(t *testing.T) {
	running, stopped, terminated, pending := instance.StateRunning, instance.StateStopped, instance.StateTerminated, instance.StatePending
	tests := []struct {
		name     string
		nodes    []swarm.Node
		insts    []instance.Description
		want     []string // node ids, in order
		wantHeld bool
	}{
		{"all running", []swarm.Node{node("n1", "i1", "g", ready, false), node("n2", "i2", "g", gone, false)},
			[]instance.Description{inst("i1", running), inst("i2", running)}, nil, false},
		{"stopped and terminated", []swarm.Node{node("n1", "i1", "g", ready, false), node("n2", "i2", "g", ready, false), node("n3", "i3", "g", ready, false)},
			[]instance.Description{inst("i1", stopped), inst("i2", terminated), inst("i3", running)}, []string{"n1", "n2"}, false},
		{"pending or unknown machines are left alone", []swarm.Node{node("n1", "i1", "g", gone, false), node("n2", "i2", "g", gone, false)},
			[]instance.Description{inst("i1", pending), inst("i2", instance.StateUnknown)}, nil, false},
		{"one of three unlisted", []swarm.Node{node("n1", "i1", "g", ready, false), node("n2", "i2", "g", ready, false), node("n3", "i3", "g", ready, false)},
			[]instance.Description{inst("i1", running), inst("i2", running)}, []string{"n3"}, false},
		{"half unlisted is still plausible", []swarm.Node{node("n1", "i1", "g", ready, false), node("n2", "i2", "g", ready, false)},
			[]instance.Description{inst("i1", running)}, []string{"n2"}, false},
		{"more than half unlisted: held, dead ones still go", []swarm.Node{node("n1", "i1", "g", ready, false), node("n2", "i2", "g", ready, false), node("n3", "i3", "g", ready, false)},
			[]instance.Description{inst("i1", stopped)}, []string{"n1"}, true},
		{"empty listing: held", []swarm.Node{node("n1", "i1", "g", ready, false)}, nil, nil, true},
		{"other groups and owners are not ours", []swarm.Node{node("n1", "i1", "other", ready, false), func() swarm.Node {
			n := node("n2", "i2", "g", ready, false)
			n.Spec.Labels[NodeLabelOwner] = "someone"
			return n
		}(), {ID: "unlabelled"}}, []instance.Description{inst("i3", running)}, nil, false},
		{"down node of a machine that rejoined", []swarm.Node{node("old", "i1", "g", gone, false), node("new", "i1", "g", ready, false)},
			[]instance.Description{inst("i1", running)}, []string{"old"}, false},
		{"down node, no other ready node: unreachable only", []swarm.Node{node("old", "i1", "g", gone, false), node("new", "i1", "g", swarm.NodeStateUnknown, false)},
			[]instance.Description{inst("i1", running)}, nil, false},
		{"workers first, then managers", []swarm.Node{node("m1", "i1", "g", ready, true), node("w2", "i2", "g", ready, false), node("a3", "i3", "g", ready, true), node("w4", "i4", "g", ready, false)},
			[]instance.Description{inst("i1", stopped), inst("i2", stopped), inst("i3", stopped), inst("i4", running)}, []string{"w2", "a3", "m1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, held := chooseRemovals(tt.nodes, tt.insts, "o", "g")
			var ids []string
			for _, r := range got {
				ids = append(ids, r.node.ID)
				if r.reason == "" {
					t.Errorf("node %s: no reason", r.node.ID)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("removals = %v, want %v", ids, tt.want)
			}
			if (held != "") != tt.wantHeld {
				t.Errorf("held = %q, want held: %v", held, tt.wantHeld)
			}
		})
	}
}

func TestChooseRemovalsReasons(t *testing.T) {
	got, _ := chooseRemovals([]swarm.Node{node("n1", "i1", "g", ready, false), node("n2", "i2", "g", ready, false), node("n3", "i3", "g", ready, false)},
		[]instance.Description{inst("i1", instance.StateStopped), inst("i3", instance.StateRunning)}, "o", "g")
	var reasons []string
	for _, r := range got {
		reasons = append(reasons, r.reason)
	}
	want := []string{"machine m-i1 is stopped", "machine i2 is no longer listed"}
	if fmt.Sprint(reasons) != fmt.Sprint(want) {
		t.Errorf("reasons = %q, want %q", reasons, want)
	}
	if s := strings.Join(reasons, ""); strings.Contains(s, "n1") {
		t.Errorf("reasons name nodes, not machines: %q", s)
	}
}

func TestBusy(t *testing.T) {
	task := func(desired, state swarm.TaskState) swarm.Task {
		return swarm.Task{DesiredState: desired, Status: swarm.TaskStatus{State: state}}
	}
	tasks := []swarm.Task{
		task(swarm.TaskStateRunning, swarm.TaskStateRunning),
		task(swarm.TaskStateShutdown, swarm.TaskStateRunning),
		task(swarm.TaskStateShutdown, swarm.TaskStateShutdown),
		task(swarm.TaskStateShutdown, swarm.TaskStateFailed),
	}
	if n := busy(tasks, true); n != 2 {
		t.Errorf("busy on a node that is up = %d, want 2", n)
	}
	if n := busy(tasks, false); n != 1 {
		t.Errorf("busy on a node that is down = %d, want 1 (its tasks never report stopping)", n)
	}
}
