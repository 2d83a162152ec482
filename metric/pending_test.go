package metric_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
)

const (
	core = int64(1e9)
	gib  = int64(1) << 30
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// fakeSwarm is a manager that lists what it holds; the rest of
// client.APIClient is nil and panics if called.
type fakeSwarm struct {
	client.APIClient
	nodes    []swarm.Node
	services []swarm.Service
	tasks    []swarm.Task
	err      error // returned by every list
	block    bool  // lists wait for their context's end
}

func (f *fakeSwarm) wait(ctx context.Context) error {
	if f.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return f.err
}

func (f *fakeSwarm) NodeList(ctx context.Context, _ swarm.NodeListOptions) ([]swarm.Node, error) {
	return f.nodes, f.wait(ctx)
}

func (f *fakeSwarm) ServiceList(ctx context.Context, _ swarm.ServiceListOptions) ([]swarm.Service, error) {
	return f.services, f.wait(ctx)
}

func (f *fakeSwarm) TaskList(ctx context.Context, opts swarm.TaskListOptions) ([]swarm.Task, error) {
	if got := opts.Filters.Get("desired-state"); !reflect.DeepEqual(got, []string{"running"}) {
		return nil, errors.New("the tasks are not filtered by desired state running")
	}
	var out []swarm.Task
	for _, t := range f.tasks {
		if t.DesiredState == swarm.TaskStateRunning {
			out = append(out, t)
		}
	}
	return out, f.wait(ctx)
}

// fakeScope is a group's scope.
type fakeScope struct {
	key         resource.Key
	machines    metric.Machines
	machinesErr error
	cli         client.APIClient
	cliErr      error
}

func (s fakeScope) Key() resource.Key { return s.key }
func (s fakeScope) Containers(context.Context) ([]metric.Container, error) {
	return nil, errors.New("a group has no containers")
}
func (s fakeScope) Machines(context.Context) (metric.Machines, error) {
	return s.machines, s.machinesErr
}
func (s fakeScope) Manager(context.Context) (client.APIClient, error) { return s.cli, s.cliErr }

// workerMachines is the group "workers" of owner o1, of size size.
func workerMachines(size int) metric.Machines {
	return metric.Machines{Group: "workers", Owner: "o1", Swarm: "prod", Role: "worker", Labels: map[string]string{"tier": "app"}, Size: size}
}

// swNode is a ready, active worker of cores and gibs, with labels.
func swNode(id string, cores, gibs float64, labels map[string]string, mods ...func(*swarm.Node)) swarm.Node {
	n := swarm.Node{ID: id, Meta: swarm.Meta{CreatedAt: t0}}
	n.Spec.Labels, n.Spec.Role, n.Spec.Availability = labels, swarm.NodeRoleWorker, swarm.NodeAvailabilityActive
	n.Description.Hostname = "host-" + id
	n.Description.Resources = swarm.Resources{NanoCPUs: int64(cores * float64(core)), MemoryBytes: int64(gibs * float64(gib))}
	n.Status.State = swarm.NodeStateReady
	for _, m := range mods {
		m(&n)
	}
	return n
}

// member is a node of the group workers of o1, for instance inst.
func member(id, inst string, cores, gibs float64, mods ...func(*swarm.Node)) swarm.Node {
	return swNode(id, cores, gibs, map[string]string{"drover.group": "workers", "drover.owner": "o1", "drover.instance": inst, "tier": "app"}, mods...)
}

func asManager(n *swarm.Node) { n.Spec.Role = swarm.NodeRoleManager }
func notReady(n *swarm.Node)  { n.Status.State = swarm.NodeStateDown }
func createdAt(d time.Duration) func(*swarm.Node) {
	return func(n *swarm.Node) { n.CreatedAt = t0.Add(d) }
}

func pendingService(id string, global bool) swarm.Service {
	s := swarm.Service{ID: id}
	s.Spec.Name = id
	if global {
		s.Spec.Mode.Global = &swarm.GlobalService{}
	} else {
		s.Spec.Mode.Replicated = &swarm.ReplicatedService{}
	}
	return s
}

// swTask is a task of service svc in slot slot reserving cores and gibs:
// running on node, or pending when node is "".
func swTask(svc string, slot int, node string, cores, gibs float64, mods ...func(*swarm.Task)) swarm.Task {
	t := swarm.Task{ID: svc + "-task-" + string(rune('a'+slot)), ServiceID: svc, Slot: slot, NodeID: node, DesiredState: swarm.TaskStateRunning}
	t.Status.State = swarm.TaskStateRunning
	if node == "" {
		t.Status.State = swarm.TaskStatePending
		t.Status.Err = "no suitable node (insufficient resources on 2 nodes)"
	}
	t.Spec.Resources = &swarm.ResourceRequirements{Reservations: &swarm.Resources{NanoCPUs: int64(cores * float64(core)), MemoryBytes: int64(gibs * float64(gib))}}
	for _, m := range mods {
		m(&t)
	}
	return t
}

func constraints(cs ...string) func(*swarm.Task) {
	return func(t *swarm.Task) { t.Spec.Placement = &swarm.Placement{Constraints: cs} }
}
func state(s swarm.TaskState) func(*swarm.Task) {
	return func(t *swarm.Task) { t.Status.State, t.Status.Err = s, "" }
}
func desired(s swarm.TaskState) func(*swarm.Task) {
	return func(t *swarm.Task) { t.DesiredState = s }
}

func pendingRead(t *testing.T, sc fakeScope, opts metric.Options) (autoscale.Reading, error) {
	t.Helper()
	p, ok := metric.Builtins()["swarm_pending_tasks"]
	if !ok {
		t.Fatal("swarm_pending_tasks is not a builtin")
	}
	src, err := p.New(nil, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src.Read(t.Context(), sc)
}

func TestPendingRead(t *testing.T) {
	web, api, big := pendingService("web", false), pendingService("api", false), pendingService("big", false)
	cases := []struct {
		name string
		m    metric.Machines
		sw   fakeSwarm
		want autoscale.Reading
	}{
		{
			name: "pending for lack of cpu: the machines that place them",
			m:    workerMachines(2),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 2, 4), member("n2", "i-2", 2, 4)},
				services: []swarm.Service{web, api},
				tasks: []swarm.Task{
					swTask("web", 1, "n1", 2, 1), swTask("web", 2, "n2", 2, 1),
					swTask("api", 1, "", 1, 1), swTask("api", 2, "", 1, 1), swTask("api", 3, "", 1, 1),
				},
			},
			want: autoscale.Reading{Need: 4, Value: 3, Detail: "3 tasks pending for lack of cpu; 2 more machines place them"},
		},
		{
			name: "a ready node of the group is the template",
			m:    workerMachines(2),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 8, 8, notReady), member("n2", "i-2", 2, 4)},
				services: []swarm.Service{web, api},
				tasks:    []swarm.Task{swTask("web", 1, "n2", 2, 0), swTask("api", 1, "", 2, 0), swTask("api", 2, "", 2, 0)},
			},
			// n1 is not ready: the group replaces or awaits it, so it counts
			// as one of the two machines the pending tasks need.
			want: autoscale.Reading{Need: 3, Value: 2, Detail: "2 tasks pending for lack of cpu; 2 more machines place them (1 of them still joining)"},
		},
		{
			name: "machines still joining place what is pending: nothing to add",
			m:    workerMachines(3),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n2", "i-2", 2, 4)},
				services: []swarm.Service{web, api},
				tasks:    []swarm.Task{swTask("web", 1, "n2", 2, 0), swTask("api", 1, "", 2, 0), swTask("api", 2, "", 2, 0)},
			},
			want: autoscale.Reading{Need: 3, Value: 2, Detail: "2 tasks pending for lack of cpu; 2 more machines place them (2 of them still joining)"},
		},
		{
			name: "pending tasks that fit where they are need nothing",
			m:    workerMachines(2),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 2, 4), member("n2", "i-2", 2, 4)},
				services: []swarm.Service{web, api},
				tasks:    []swarm.Task{swTask("web", 1, "n1", 2, 1), swTask("api", 1, "", 1, 1)},
			},
			want: autoscale.Reading{Need: 2, Value: 1, Detail: "1 task pending would fit on the nodes there are"},
		},
		{
			name: "nothing pending: the least loaded nodes are unneeded",
			m:    workerMachines(3),
			sw: fakeSwarm{
				nodes: []swarm.Node{
					member("n1", "i-1", 4, 4), member("n2", "i-2", 4, 4), member("n3", "i-3", 4, 4, createdAt(time.Hour)),
				},
				services: []swarm.Service{web},
				tasks:    []swarm.Task{swTask("web", 1, "n1", 1, 0), swTask("web", 2, "n2", 0.5, 0)},
			},
			want: autoscale.Reading{Need: 2, Unneeded: []string{"i-3", "i-2", "i-1"},
				Detail: "no task pending; nodes host-n3, host-n2, host-n1 are unneeded: the tasks of each fit on the other nodes"},
		},
		{
			name: "nothing pending and nothing to spare: why each node stays",
			m:    workerMachines(2),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 2, 4), member("n2", "i-2", 2, 4)},
				services: []swarm.Service{web},
				tasks:    []swarm.Task{swTask("web", 1, "n1", 1.5, 0), swTask("web", 2, "n2", 1.5, 0)},
			},
			want: autoscale.Reading{Need: 2, Detail: "no task pending; no machine can go: " +
				"node host-n1: task web.1 (cpu 1.5) fits on no other node: 1 lacks cpu; " +
				"node host-n2: task web.2 (cpu 1.5) fits on no other node: 1 lacks cpu"},
		},
		{
			name: "another group's and another owner's nodes are not the group's",
			m:    workerMachines(1),
			sw: fakeSwarm{
				nodes: []swarm.Node{
					member("n1", "i-1", 2, 4),
					swNode("x1", 8, 8, map[string]string{"drover.group": "other", "drover.owner": "o1", "drover.instance": "i-x1"}),
					swNode("y1", 8, 8, map[string]string{"drover.group": "workers", "drover.owner": "o2", "drover.instance": "i-y1"}),
				},
				services: []swarm.Service{web},
				tasks:    []swarm.Task{swTask("web", 1, "n1", 1.5, 0)},
			},
			want: autoscale.Reading{Need: 0, Unneeded: []string{"i-1"},
				Detail: "no task pending; node host-n1 is unneeded: its tasks fit on the other nodes"},
		},
		{
			name: "a group without nodes takes the largest node of its role, with its own labels",
			m:    workerMachines(0),
			sw: fakeSwarm{
				nodes:    []swarm.Node{swNode("w1", 4, 8, nil), swNode("w2", 2, 8, nil), swNode("m1", 16, 16, nil, asManager)},
				services: []swarm.Service{web, api},
				tasks: []swarm.Task{
					swTask("web", 1, "w1", 4, 0), swTask("web", 2, "w2", 2, 0),
					swTask("api", 1, "", 2, 0, constraints("node.role == worker", "node.labels.drover.group == workers", "node.labels.tier == app")),
					swTask("api", 2, "", 2, 0, constraints("node.role == worker", "node.labels.drover.group == workers", "node.labels.tier == app")),
				},
			},
			want: autoscale.Reading{Need: 1, Value: 2, Detail: "2 tasks pending for lack of nodes that meet their constraints; 1 more machine places them"},
		},
		{
			name: "no node to take after: one more machine at a time",
			m:    workerMachines(0),
			sw: fakeSwarm{
				nodes:    []swarm.Node{swNode("m1", 1, 1, nil, asManager)},
				services: []swarm.Service{web, api},
				tasks: []swarm.Task{
					swTask("web", 1, "", 2, 0), swTask("web", 2, "", 2, 0),
					swTask("api", 1, "", 2, 0, constraints("node.role == manager")),
				},
			},
			want: autoscale.Reading{Need: 1, Value: 3, Detail: "2 tasks pending that a machine of the group could host, and no node shows what one offers: one more machine at a time"},
		},
		{
			name: "no node to take after, and no pending task the group could host",
			m:    workerMachines(0),
			sw: fakeSwarm{
				nodes:    []swarm.Node{swNode("m1", 1, 1, nil, asManager)},
				services: []swarm.Service{api},
				tasks:    []swarm.Task{swTask("api", 1, "", 2, 0, constraints("node.role == manager"))},
			},
			want: autoscale.Reading{Need: 0, Value: 1, Detail: "1 task pending, none a machine of the group could host"},
		},
		{
			name: "a pending task no machine of the group can host does not hold a scale-down",
			m:    workerMachines(2),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 2, 4), member("n2", "i-2", 2, 4)},
				services: []swarm.Service{web, big},
				tasks:    []swarm.Task{swTask("web", 1, "n1", 0.5, 0), swTask("big", 1, "", 8, 0)},
			},
			want: autoscale.Reading{Need: 1, Value: 1, Unneeded: []string{"i-2", "i-1"},
				Detail: "1 task pending that no machine of the group can host (task big.1: it reserves cpu 8, a new node offers 2); " +
					"nodes host-n2, host-n1 are unneeded: the tasks of each fit on the other nodes"},
		},
		{
			name: "tasks that neither wait nor hold are left out",
			m:    workerMachines(1),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 2, 4), swNode("w9", 0.5, 1, nil)},
				services: []swarm.Service{web, pendingService("agent", true)},
				tasks: []swarm.Task{
					swTask("web", 1, "n1", 1, 0, state(swarm.TaskStateFailed)),
					swTask("web", 2, "n1", 1, 0, desired(swarm.TaskStateShutdown)),
					swTask("web", 3, "", 1, 0, state(swarm.TaskStateNew)),
					swTask("agent", 0, "n1", 4, 0, state(swarm.TaskStatePending)),
					swTask("gone", 1, "", 4, 0),
				},
			},
			want: autoscale.Reading{Need: 0, Unneeded: []string{"i-1"},
				Detail: "no task pending; node host-n1 is unneeded: its tasks fit on the other nodes"},
		},
		{
			name: "a global service's task goes with its node, and runs on a new one",
			m:    workerMachines(1),
			sw: fakeSwarm{
				nodes:    []swarm.Node{member("n1", "i-1", 2, 4)},
				services: []swarm.Service{web, pendingService("agent", true)},
				tasks: []swarm.Task{
					swTask("agent", 0, "n1", 1, 0), swTask("web", 1, "n1", 1, 0),
					swTask("web", 2, "", 1, 0), swTask("web", 3, "", 1, 0),
				},
			},
			want: autoscale.Reading{Need: 3, Value: 2, Detail: "2 tasks pending for lack of cpu; 2 more machines place them"},
		},
		{
			name: "a group with no node and nothing pending holds",
			m:    workerMachines(0),
			sw:   fakeSwarm{nodes: []swarm.Node{swNode("w1", 2, 2, nil)}},
			want: autoscale.Reading{Need: 0, Detail: "no task pending; the group has no node"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := fakeScope{key: resource.Group.KeyOf("workers"), machines: c.m, cli: &c.sw}
			got, err := pendingRead(t, sc, metric.Options{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			c.want.Metric, c.want.Demand = "swarm_pending_tasks", true
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Read =\n %+v\nwant\n %+v", got, c.want)
			}
		})
	}
}

func TestPendingReadErrors(t *testing.T) {
	boom := errors.New("boom")
	group := resource.Group.KeyOf("workers")
	cases := []struct {
		name string
		sc   fakeScope
		opts metric.Options
		is   error
	}{
		{name: "a service", sc: fakeScope{key: resource.Service.KeyOf("web"), machines: workerMachines(1), cli: &fakeSwarm{}}},
		{name: "machines fail", sc: fakeScope{key: group, machinesErr: boom, cli: &fakeSwarm{}}, is: boom},
		{name: "in no swarm", sc: fakeScope{key: group, machines: metric.Machines{Group: "workers", Size: 1}, cli: &fakeSwarm{}}},
		{name: "no manager", sc: fakeScope{key: group, machines: workerMachines(1), cliErr: boom}, is: boom},
		{name: "lists fail", sc: fakeScope{key: group, machines: workerMachines(1), cli: &fakeSwarm{err: boom}}, is: boom},
		{name: "lists outlast the timeout", sc: fakeScope{key: group, machines: workerMachines(1), cli: &fakeSwarm{block: true}},
			opts: metric.Options{Timeout: 20 * time.Millisecond}, is: context.DeadlineExceeded},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := pendingRead(t, c.sc, c.opts)
			if err == nil {
				t.Fatal("Read: no error")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("Read: %v, want one that is %v", err, c.is)
			}
		})
	}
}

func TestPendingPlugin(t *testing.T) {
	p := metric.Builtins()["swarm_pending_tasks"]
	if !reflect.DeepEqual(p.Kinds, []resource.Kind{resource.Group}) {
		t.Errorf("Kinds = %v, want group only", p.Kinds)
	}
	if p.Schema == nil || len(p.Schema.Attributes) != 0 || len(p.Schema.Blocks) != 0 {
		t.Errorf("Schema = %+v, want an empty block", p.Schema)
	}
	for _, props := range []string{"", "null", "{}", " { } "} {
		t.Run("accepts "+props, func(t *testing.T) {
			if _, err := p.New(json.RawMessage(props), metric.Options{}); err != nil {
				t.Errorf("New(%q): %v", props, err)
			}
		})
	}
	for _, props := range []string{`{"target": 1}`, `[]`, `{`} {
		t.Run("refuses "+props, func(t *testing.T) {
			if _, err := p.New(json.RawMessage(props), metric.Options{}); err == nil {
				t.Errorf("New(%q): no error", props)
			}
		})
	}
}
