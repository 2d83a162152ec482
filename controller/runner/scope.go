package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	swarmflavor "github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
)

// scope is an autoscaled resource as its metrics see it, for one
// evaluation: what it lists is listed once, whichever metrics ask.
type scope struct {
	r   *Runner
	w   *world
	key resource.Key

	containers memo[[]metric.Container]
	machines   memo[metric.Machines]
	manager    memo[client.APIClient]
}

// memo is the result of a call made at most once.
type memo[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (m *memo[T]) get(f func() (T, error)) (T, error) {
	m.once.Do(func() { m.v, m.err = f() })
	return m.v, m.err
}

func (r *Runner) newScope(key resource.Key) *scope {
	return &scope{r: r, w: r.world.Load(), key: key}
}

// Key implements metric.Scope.
func (s *scope) Key() resource.Key { return s.key }

// Manager implements metric.Scope: a manager of the resource's swarm.
func (s *scope) Manager(ctx context.Context) (client.APIClient, error) {
	return s.manager.get(func() (client.APIClient, error) {
		name, err := s.swarm()
		if err != nil {
			return nil, err
		}
		if s.r.opts.Managers == nil {
			return nil, errors.New("this build of drover has no swarm flavor")
		}
		return s.r.opts.Managers.Manager(ctx, s.r.opts.Owner, name)
	})
}

// swarm is the name of the resource's swarm, as its autoscaler found it
// when the world was built.
func (s *scope) swarm() (string, error) {
	a, ok := s.w.autoscalers[s.key]
	switch {
	case !ok:
		return "", fmt.Errorf("%s is not autoscaled in the spec", s.key)
	case a.swarm == "":
		return "", fmt.Errorf("%s is in no swarm", s.key)
	}
	return a.swarm, nil
}

// swarmFlavor is what the metrics need of a group's flavor "swarm" block.
type swarmFlavor struct {
	Swarm  string            `json:"swarm"`
	Role   string            `json:"role"`
	Labels map[string]string `json:"labels"`
}

// swarmProps are t's swarm flavor settings; zero for a group of another
// flavor.
func swarmProps(t *group.Target) swarmFlavor {
	var p swarmFlavor
	if t.Spec.Flavor.Plugin != swarmflavor.PluginName {
		return p
	}
	_ = json.Unmarshal(t.Spec.Flavor.Properties.Reveal(), &p) // the spec checked it; a failure leaves p zero
	return p
}

// Machines implements metric.Scope: a group's live machines.
func (s *scope) Machines(ctx context.Context) (metric.Machines, error) {
	return s.machines.get(func() (metric.Machines, error) {
		if s.key.Kind != resource.Group {
			return metric.Machines{}, fmt.Errorf("%s has no machines of its own", s.key)
		}
		t, ok := s.r.scaledGroup(s.w, s.key.Name)
		if !ok {
			return metric.Machines{}, fmt.Errorf("%s is not in the spec", s.key)
		}
		descs, err := t.Instance.Describe(ctx, group.Selector(t.Owner, t.Spec.Name))
		if err != nil {
			return metric.Machines{}, err
		}
		p := swarmProps(t)
		return metric.Machines{
			Group: t.Spec.Name, Owner: t.Owner, Provider: t.Instance, ProviderType: t.Spec.Instance.Plugin,
			Instances: live(descs), Swarm: p.Swarm, Role: p.Role, Labels: p.Labels, Size: t.Spec.Size,
		}, nil
	})
}

// live are the machines of descs that are not stopped or gone.
func live(descs []instance.Description) []instance.Description {
	var out []instance.Description
	for _, d := range descs {
		if d.State != instance.StateStopped && d.State != instance.StateTerminated {
			out = append(out, d)
		}
	}
	return out
}

// Containers implements metric.Scope: the containers of a service's
// running tasks, each on the engine of its node's machine.
func (s *scope) Containers(ctx context.Context) ([]metric.Container, error) {
	return s.containers.get(func() ([]metric.Container, error) {
		if s.key.Kind != resource.Service {
			return nil, fmt.Errorf("%s runs no tasks", s.key)
		}
		if s.r.opts.Engines == nil {
			return nil, errors.New("this build of drover cannot reach the nodes' engines")
		}
		mgr, err := s.Manager(ctx)
		if err != nil {
			return nil, err
		}
		tasks, err := mgr.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(
			filters.Arg("service", s.key.Name), filters.Arg("desired-state", "running"))})
		if err != nil {
			return nil, fmt.Errorf("list the tasks of %s: %w", s.key, err)
		}
		engines, err := s.nodeEngines(ctx, mgr)
		if err != nil {
			return nil, err
		}
		return taskContainers(tasks, engines), nil
	})
}

// taskContainers are the containers of the running tasks among tasks
// whose node's engine is known.
func taskContainers(tasks []swarm.Task, engines map[string]metric.Engine) []metric.Container {
	var out []metric.Container
	for _, t := range tasks {
		if t.Status.State != swarm.TaskStateRunning || t.Status.ContainerStatus == nil {
			continue
		}
		if e, ok := engines[t.NodeID]; ok && t.Status.ContainerStatus.ContainerID != "" {
			out = append(out, metric.Container{ID: t.Status.ContainerStatus.ContainerID, Task: t.ID, Engine: e})
		}
	}
	return out
}

// nodeEngines are the engines of the swarm's nodes that are machines of
// the spec's groups, by node ID.
func (s *scope) nodeEngines(ctx context.Context, mgr client.APIClient) (map[string]metric.Engine, error) {
	nodes, err := mgr.NodeList(ctx, swarm.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list the nodes: %w", err)
	}
	byGroup := map[string][]swarm.Node{}
	for _, n := range nodes {
		if g := n.Spec.Labels[swarmflavor.NodeLabelGroup]; g != "" && n.Spec.Labels[swarmflavor.NodeLabelInstance] != "" {
			byGroup[g] = append(byGroup[g], n)
		}
	}
	out := map[string]metric.Engine{}
	for g, ns := range byGroup {
		t, ok := s.w.Target(g)
		if !ok {
			continue
		}
		descs, err := t.Instance.Describe(ctx, group.Selector(t.Owner, g))
		if err != nil {
			return nil, fmt.Errorf("list group %s: %w", g, err)
		}
		byID := map[instance.ID]instance.Description{}
		for _, d := range descs {
			byID[d.ID] = d
		}
		for _, n := range ns {
			d, ok := byID[instance.ID(n.Spec.Labels[swarmflavor.NodeLabelInstance])]
			if !ok {
				continue
			}
			if e, err := s.r.opts.Engines.Engine(d); err == nil {
				out[n.ID] = e
			}
		}
	}
	return out, nil
}
