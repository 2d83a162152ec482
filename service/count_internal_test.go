package service

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/specs"
)

// countAPI lists one running task, on node n1, and nodes (or nodesErr).
type countAPI struct {
	client.APIClient // nil: any other call panics
	nodes            []swarm.Node
	nodesErr         error
}

func (a *countAPI) TaskList(context.Context, swarm.TaskListOptions) ([]swarm.Task, error) {
	running := swarm.TaskStatus{State: swarm.TaskStateRunning}
	return []swarm.Task{{ServiceID: "s1", NodeID: "n1", DesiredState: swarm.TaskStateRunning, Status: running}}, nil
}

func (a *countAPI) NodeList(context.Context, swarm.NodeListOptions) ([]swarm.Node, error) {
	return a.nodes, a.nodesErr
}

// TestCountTasksGlobal: a global service wants a task on every eligible
// node; nodes that cannot be listed leave the nodes with a task, and say
// so.
func TestCountTasksGlobal(t *testing.T) {
	ready := func(id string) swarm.Node {
		return swarm.Node{ID: id, Status: swarm.NodeStatus{State: swarm.NodeStateReady}, Spec: swarm.NodeSpec{Availability: swarm.NodeAvailabilityActive}}
	}
	tests := []struct {
		name       string
		api        *countAPI
		desired    int
		lastError  string
		wantReason string
	}{
		{"nodes listed", &countAPI{nodes: []swarm.Node{ready("n1"), ready("n2")}}, 2, "", "1 of 2 tasks running"},
		{"nodes not listed", &countAPI{nodesErr: errors.New("manager gone")}, 1, "count the eligible nodes: list nodes: manager gone", ""},
	}
	r, err := New(noTargets{}, Options{Managers: noManagers{}})
	if err != nil {
		t.Fatal(err)
	}
	want := desiredService(&specs.Service{Resource: specs.Resource{Name: "g"}, Image: "a", Mode: "global"}, "me")
	have := &swarm.Service{ID: "s1", Spec: want.spec}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st Status
			r.countTasks(t.Context(), tt.api, have, want, &st)
			if st.Desired != tt.desired || st.Running != 1 || st.LastError != tt.lastError || !strings.Contains(st.Reason, tt.wantReason) {
				t.Errorf("status %+v: want desired %d, 1 running, last error %q, reason with %q", st, tt.desired, tt.lastError, tt.wantReason)
			}
		})
	}
}
