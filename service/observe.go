package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/spierr"
)

// errNoManager wraps a Managers error that says no manager is known yet.
var errNoManager = errors.New("no manager")

// manager returns a client of a manager of swarm, or an error wrapping
// errNoManager when none is known yet (the caller waits), or another error.
func (r *Reconciler) manager(ctx context.Context, owner, swarmName string) (client.APIClient, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	cli, err := r.opts.Managers.Manager(cctx, owner, swarmName)
	switch {
	case errors.Is(err, spierr.ErrUnavailable):
		return nil, fmt.Errorf("%w: %w", errNoManager, err)
	case err != nil:
		return nil, fmt.Errorf("manager of swarm %s: %w", swarmName, err)
	case cli == nil:
		return nil, fmt.Errorf("%w: the swarm has none", errNoManager)
	}
	return cli, nil
}

// findService returns the service named name exactly, or nil. A name
// filter matches by prefix and inspect by id prefix too, hence the list.
func (r *Reconciler) findService(ctx context.Context, cli client.APIClient, name string) (*swarm.Service, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	list, err := cli.ServiceList(cctx, swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	for i := range list {
		if list[i].Spec.Name == name {
			return &list[i], nil
		}
	}
	return nil, nil
}

// netIndex names a swarm's networks: swarm-scoped ones by name (the ones a
// service can attach to), and every one by id.
type netIndex struct {
	ids   map[string]string // name -> id, swarm scope
	names map[string]string // id -> name
	list  []network.Summary
}

func (r *Reconciler) networks(ctx context.Context, cli client.APIClient) (netIndex, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	list, err := cli.NetworkList(cctx, network.ListOptions{})
	if err != nil {
		return netIndex{}, fmt.Errorf("list networks: %w", err)
	}
	idx := netIndex{ids: map[string]string{}, names: map[string]string{}, list: list}
	for _, n := range list {
		idx.names[n.ID] = n.Name
		// The engine lists the swarm's networks first, then local ones,
		// among which a swarm network it removed but still holds.
		if _, dup := idx.ids[n.Name]; n.Scope == "swarm" && !dup {
			idx.ids[n.Name] = n.ID
		}
	}
	return idx, nil
}

// tasks is what a service's tasks say.
type tasks struct {
	running int // desired running and running
	// nodes is the number of nodes with a task that should run: for a
	// global service, the nodes eligible to run one.
	nodes int
	// lastError is the most recent task error, with its task.
	lastError string
	// stale counts the running tasks of another spec than the service's
	// (a rollout has yet to reach them), when tasksOf was given the spec.
	stale int
}

// tasksOf sums up a service's tasks; spec, if not nil, is the service's
// task spec, to count the stale ones.
func (r *Reconciler) tasksOf(ctx context.Context, cli client.APIClient, serviceID string, spec *swarm.TaskSpec) (tasks, error) {
	list, err := r.listTasks(ctx, cli, serviceID)
	if err != nil {
		return tasks{}, err
	}
	var out tasks
	nodes := map[string]bool{}
	var last *swarm.Task
	for i, t := range list {
		if t.ServiceID != serviceID {
			continue
		}
		if t.DesiredState == swarm.TaskStateRunning || t.DesiredState == swarm.TaskStateReady {
			nodes[t.NodeID] = true
		}
		if t.DesiredState == swarm.TaskStateRunning && t.Status.State == swarm.TaskStateRunning {
			out.running++
			if spec != nil && !sameRollout(t.Spec, *spec) {
				out.stale++
			}
		}
		if t.Status.Err != "" && (last == nil || t.Status.Timestamp.After(last.Status.Timestamp)) {
			last = &list[i]
		}
	}
	delete(nodes, "")
	out.nodes = len(nodes)
	if last != nil {
		out.lastError = fmt.Sprintf("task %s: %s", shortID(last.ID), strings.TrimSpace(last.Status.Err))
	}
	return out, nil
}

// sameRollout reports whether a task's spec is of the rollout of spec:
// the same image, command, arguments, environment and force-update
// counter. (Swarm shows some other fields of a task's spec otherwise than
// the service's: a whole-spec comparison never matches.)
func sameRollout(task, spec swarm.TaskSpec) bool {
	a, b := task.ContainerSpec, spec.ContainerSpec
	if a == nil || b == nil {
		return a == b && task.ForceUpdate == spec.ForceUpdate
	}
	return task.ForceUpdate == spec.ForceUpdate && a.Image == b.Image &&
		slices.Equal(a.Command, b.Command) && slices.Equal(a.Args, b.Args) && slices.Equal(a.Env, b.Env)
}

// listTasks lists the tasks swarm keeps of a service, past ones included.
func (r *Reconciler) listTasks(ctx context.Context, cli client.APIClient, serviceID string) ([]swarm.Task, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	list, err := cli.TaskList(cctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", serviceID))})
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	return list, nil
}

// listNodes lists the swarm's nodes.
func (r *Reconciler) listNodes(ctx context.Context, cli client.APIClient) ([]swarm.Node, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	nodes, err := cli.NodeList(cctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return nodes, nil
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// usersOf lists the services attached to network id, by name.
func (r *Reconciler) usersOf(ctx context.Context, cli client.APIClient, id, name string) ([]string, error) {
	cctx, cancel := r.call(ctx)
	defer cancel()
	list, err := cli.ServiceList(cctx, swarm.ServiceListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	var users []string
	for _, s := range list {
		for _, n := range append(slices.Clone(s.Spec.TaskTemplate.Networks), s.Spec.Networks...) { //nolint:staticcheck // read, for hand-made services
			if n.Target == id || n.Target == name {
				users = append(users, s.Spec.Name)
				break
			}
		}
	}
	slices.Sort(users)
	return users, nil
}
