package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
	"github.com/drover/drover/spierr"
)

// specHeader makes a spec loadable: the swarm "demo" with a manager group
// (its machines are never made here: the swarm is the fixture's).
const specHeader = `
provider "docker" "local" {}
swarm "demo" {}
group "managers" {
  size = 1
  instance "docker" {
    image = "drover/node:bookworm"
    node  = true
  }
  flavor "swarm" {
    swarm = swarm.demo
    role  = "manager"
  }
}
`

// startSwarm starts a swarm of a manager and a worker node container with
// the demo image, also tagged demoNext; it returns the host's engine too.
func startSwarm(t *testing.T) (*client.Client, *dockertest.NodeSwarm) {
	t.Helper()
	host := dockertest.Client(t)
	dockertest.Cleanup(t, host)
	img := dockertest.DemoImage(t)
	sw := dockertest.StartSwarm(t, host, dockertest.SwarmOptions{Managers: 1, Workers: 1, Preload: []string{img}})
	for _, n := range sw.Nodes {
		if err := n.Client.ImageTag(context.Background(), img, demoNext); err != nil {
			t.Fatal(err)
		}
	}
	return host, sw
}

// load loads a spec of body (services and networks on swarm.demo).
func load(t testing.TB, body string) *specs.Spec {
	t.Helper()
	ld, err := specs.NewLoader(specs.Options{Schemas: schemas()})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := ld.LoadSources(specs.Source{Name: "test.hcl", Src: []byte(specHeader + body)})
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return spec
}

// schemas are the built-in plugins' schemas, which a test spec's group
// (the swarm's manager group) needs to load.
func schemas() specs.SchemaSource { return plugins.Builtins(plugins.BuiltinOptions{}) }

// managers serves one client as the manager of every swarm, or, while
// none is set, says no manager is known.
type managers struct {
	mu  sync.Mutex
	cli client.APIClient
}

func (m *managers) Manager(_ context.Context, _, swarmName string) (client.APIClient, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cli == nil {
		return nil, spierr.Unavailable("test.Manager", "no manager of swarm %s yet", swarmName)
	}
	return m.cli, nil
}

func (m *managers) set(cli client.APIClient) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cli = cli
}

// targets serves the resources of a spec, which apply replaces.
type targets struct {
	mu    sync.Mutex
	spec  *specs.Spec
	owner string
	gen   int64
}

func (ts *targets) Service(name string) (*service.Target, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, s := range ts.spec.Services {
		if s.Name == name {
			return &service.Target{Spec: s, Owner: ts.owner, Generation: ts.gen}, true
		}
	}
	return nil, false
}

func (ts *targets) Network(name string) (*service.NetworkTarget, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, n := range ts.spec.Networks {
		if n.Name == name {
			return &service.NetworkTarget{Spec: n, Owner: ts.owner, Generation: ts.gen}, true
		}
	}
	return nil, false
}

func (ts *targets) Declared(swarmName string) (services, networks []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, s := range ts.spec.Services {
		if s.Swarm == swarmName {
			services = append(services, s.Name)
		}
	}
	for _, n := range ts.spec.Networks {
		if n.Swarm == swarmName {
			networks = append(networks, n.Name)
		}
	}
	return services, networks
}

// sink records events.
type sink struct {
	mu     sync.Mutex
	events []resource.Event
}

func (s *sink) Emit(e resource.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

// count counts the events of a resource and kind.
func (s *sink) count(key, kind string) int { return len(s.find(key, kind)) }

// find returns the events of a resource and kind.
func (s *sink) find(key, kind string) []resource.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []resource.Event
	for _, e := range s.events {
		if e.Resource.String() == key && e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, e := range s.events {
		b.WriteString("\n  " + e.String())
	}
	return b.String()
}

// env is one test's reconciler on the shared swarm, with its own owner.
type env struct {
	t        *testing.T
	sw       *dockertest.NodeSwarm
	cli      *client.Client // the manager
	managers *managers
	targets  *targets
	events   *sink
	r        *service.Reconciler
}

func newEnv(t *testing.T, sw *dockertest.NodeSwarm, owner, body string) *env {
	t.Helper()
	e := &env{t: t, sw: sw, cli: sw.Manager(), managers: &managers{}, events: &sink{}}
	e.managers.set(e.cli)
	e.targets = &targets{owner: owner, spec: load(t, body), gen: 1}
	var err error
	e.r, err = service.New(e.targets, service.Options{Managers: e.managers, Events: e.events, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("events:%s", e.events)
		}
		// Free the shared swarm of this test's services.
		ctx := context.Background()
		list, _ := e.cli.ServiceList(ctx, swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("label", service.LabelOwner+"="+owner))})
		for _, s := range list {
			_ = e.cli.ServiceRemove(ctx, s.ID)
		}
	})
	return e
}

// apply switches to a new spec.
func (e *env) apply(body string) {
	e.t.Helper()
	spec := load(e.t, body)
	e.targets.mu.Lock()
	defer e.targets.mu.Unlock()
	e.targets.spec, e.targets.gen = spec, e.targets.gen+1
}

// pass reconciles a service once, failing on an error.
func (e *env) pass(name string) service.Status {
	e.t.Helper()
	if _, err := e.r.ReconcileService(context.Background(), name); err != nil {
		e.t.Fatalf("reconcile service %s: %v", name, err)
	}
	st, _ := e.r.Status(resource.Service.KeyOf(name))
	return st
}

// converge reconciles a service until it converges.
func (e *env) converge(name string, timeout time.Duration) service.Status {
	e.t.Helper()
	var st service.Status
	dockertest.WaitFor(e.t, timeout, func() (bool, error) {
		st = e.pass(name)
		return st.Converged, fmt.Errorf("service %s: %+v", name, st)
	})
	return st
}

// until reconciles a service until cond holds of its status.
func (e *env) until(name string, timeout time.Duration, cond func(service.Status) bool) service.Status {
	e.t.Helper()
	var st service.Status
	dockertest.WaitFor(e.t, timeout, func() (bool, error) {
		st = e.pass(name)
		return cond(st), fmt.Errorf("service %s: %+v", name, st)
	})
	return st
}

// inspect returns the service named name.
func (e *env) inspect(name string) swarm.Service {
	e.t.Helper()
	s, _, err := e.cli.ServiceInspectWithRaw(context.Background(), name, swarm.ServiceInspectOptions{})
	if err != nil {
		e.t.Fatalf("inspect service %s: %v", name, err)
	}
	return s
}

// exists says whether a service named name exists.
func (e *env) exists(name string) bool {
	e.t.Helper()
	list, err := e.cli.ServiceList(context.Background(), swarm.ServiceListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		e.t.Fatal(err)
	}
	return slices.ContainsFunc(list, func(s swarm.Service) bool { return s.Spec.Name == name })
}

// running counts a service's running tasks, by image.
func (e *env) running(name string) map[string]int {
	e.t.Helper()
	list, err := e.cli.TaskList(context.Background(), swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", name), filters.Arg("desired-state", "running"))})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, tk := range list {
		if tk.Status.State == swarm.TaskStateRunning {
			out[tk.Spec.ContainerSpec.Image]++
		}
	}
	return out
}

// handUpdate changes a service as `docker service update` would.
func (e *env) handUpdate(name string, change func(*swarm.ServiceSpec)) {
	e.t.Helper()
	s := e.inspect(name)
	change(&s.Spec)
	if _, err := e.cli.ServiceUpdate(context.Background(), s.ID, s.Version, s.Spec, swarm.ServiceUpdateOptions{}); err != nil {
		e.t.Fatalf("update service %s by hand: %v", name, err)
	}
}

// removeAfter removes services by hand when the test ends.
func (e *env) removeAfter(names ...string) {
	e.t.Cleanup(func() {
		for _, n := range names {
			_ = e.cli.ServiceRemove(context.Background(), n)
		}
	})
}
