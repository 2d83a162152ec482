package runner_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	dswarm "github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// swarmWorld is a swarm of node containers that drover forms and keeps.
type swarmWorld struct {
	*world
	node     string // node image
	v2       string // a second tag of the demo image, for rolling updates
	network  string
	registry *plugins.Registry
	managers *swarm.Clusters // the registry's swarm flavor's
}

// newSwarmWorld waits for its turn (see oneSwarmAtATime), then makes a
// world whose network and image tag are the test's own.
func newSwarmWorld(t testing.TB) *swarmWorld {
	oneSwarmAtATime(t)
	w := &swarmWorld{world: newWorld(t)}
	w.network = w.owner + "-net"
	w.node = dockertest.NodeImage(t, w.cli)
	w.v2 = "drover-test/demo-app:v2-" + strings.TrimPrefix(w.owner, dockertest.NamePrefix)
	if err := w.cli.ImageTag(t.Context(), w.image, w.v2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.cli.ImageRemove(context.WithoutCancel(t.Context()), w.v2, image.RemoveOptions{}) })
	w.registry, w.managers = w.world.runtime()
	return w
}

// swarmSpec is managers and workers of node containers and a published
// service of replicas on the workers.
func (w *swarmWorld) swarmSpec(managers, workers, replicas int, image, drift string) *specs.Spec {
	w.t.Helper()
	node := fmt.Sprintf(`instance "docker" {
    image          = %q
    node           = true
    networks       = [%q]
    preload_images = [%q, %q]
  }`, w.node, w.network, w.image, w.v2)
	src := fmt.Sprintf(`
swarm "t" {}
group "managers" {
  size = %d
  %s
  flavor "swarm" {
    swarm = swarm.t
    role  = "manager"
  }
  health { grace = "90s" }
}
group "workers" {
  size = %d
  %s
  flavor "swarm" {
    swarm  = swarm.t
    role   = "worker"
    labels = { zone = "a" }
  }
  health { grace = "90s" }
}
service "web" {
  swarm       = swarm.t
  image       = %q
  replicas    = %d
  ports       = ["8080"]       # on a random port of each task's node:
  publish_mode = "host"        # this kernel has no IPVS for the routing mesh
  constraints = ["node.role == worker"]
  drift       = %q
  update {
    parallelism = 2
    order       = "start-first"
  }
  restart { delay = "1s" }
  healthcheck { # the image's own checks every 2s; a task is running once healthy
    test     = ["CMD", "/demo-app", "-check"]
    interval = "250ms"
    timeout  = "5s"  # an exec in a node container can take seconds on a loaded machine
    retries  = 3
  }
}`, managers, node, workers, node, image, replicas, drift)
	if workers == 0 {
		src = strings.Replace(src, `constraints = ["node.role == worker"]`, "", 1)
	}
	l, _ := specs.NewLoader(specs.Options{Schemas: w.registry})
	spec, err := l.LoadSources(specs.Source{Name: "swarm.hcl", Src: []byte(src)})
	if err != nil {
		w.t.Fatal(err)
	}
	return spec
}

// start runs spec in the background until the test ends.
func (w *swarmWorld) start(spec *specs.Spec) *runner.Runner {
	w.t.Helper()
	r, err := runner.New(w.t.Context(), spec, runner.Options{Registry: w.registry, Managers: w.managers, Engines: w.managers, Owner: w.owner, DataDir: w.data, Events: w.events, Resync: 5 * time.Second})
	if err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(w.t.Context())
	done := make(chan struct{})
	go func() { r.Run(ctx, nil, nil); close(done) }()
	w.t.Cleanup(func() { cancel(); <-done })
	return r
}

func (w *swarmWorld) converged(r *runner.Runner, within time.Duration) {
	w.t.Helper()
	dockertest.WaitFor(w.t, within, func() (bool, error) {
		return r.Converged(), fmt.Errorf("not converged: %s; events:\n%s", w.state(r), w.events)
	})
}

func (w *swarmWorld) state(r *runner.Runner) string {
	var parts []string
	for _, st := range r.Statuses() {
		parts = append(parts, fmt.Sprintf("%s %d/%d ready (%s %s)", st.Resource, st.Observed.Ready, st.Desired, st.Reason, st.LastError))
	}
	return strings.Join(parts, "; ")
}

// manager returns a client of the swarm's manager container named.
func (w *swarmWorld) nodeClient(name string) *client.Client {
	w.t.Helper()
	c := w.machine(name)
	cli, err := client.NewClientWithOpts(client.WithHost(c.Labels[instance.TagEngine]), client.WithAPIVersionNegotiation())
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { cli.Close() })
	return cli
}

// running counts the service's tasks running on nodes that are ready, by
// node id.
func running(ctx context.Context, m *client.Client, svc string) (map[string]int, int, error) {
	tasks, err := m.TaskList(ctx, dswarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc), filters.Arg("desired-state", "running"))})
	if err != nil {
		return nil, 0, err
	}
	nodes, err := m.NodeList(ctx, dswarm.NodeListOptions{})
	if err != nil {
		return nil, 0, err
	}
	ready := map[string]bool{}
	for _, n := range nodes {
		ready[n.ID] = n.Status.State == dswarm.NodeStateReady
	}
	per, total := map[string]int{}, 0
	for _, t := range tasks {
		if t.Status.State == dswarm.TaskStateRunning && ready[t.NodeID] {
			per[t.NodeID]++
			total++
		}
	}
	return per, total, nil
}

// taskURLs are the HTTP addresses of a service's running tasks: their
// node's address and the host port each task published.
func taskURLs(ctx context.Context, m *client.Client, svc string) ([]string, error) {
	tasks, err := m.TaskList(ctx, dswarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc), filters.Arg("desired-state", "running"))})
	if err != nil {
		return nil, err
	}
	var urls []string
	for _, t := range tasks {
		n, _, err := m.NodeInspectWithRaw(ctx, t.NodeID)
		if err != nil || t.Status.State != dswarm.TaskStateRunning || t.Status.PortStatus.Ports == nil {
			continue
		}
		for _, p := range t.Status.PortStatus.Ports {
			urls = append(urls, fmt.Sprintf("http://%s:%d/", n.Status.Addr, p.PublishedPort))
		}
	}
	return urls, nil
}

func httpOK(url string) error {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", url, resp.Status, body)
	}
	return nil
}

// A swarm of 1 manager and 2 workers with a published 6-replica service:
// it answers; a killed worker's tasks run elsewhere within seconds and a
// replacement joins; an image change rolls; a hand-made scale is reverted.
func TestSwarmEndToEnd(t *testing.T) {
	t.Parallel()
	w := newSwarmWorld(t)
	start := time.Now()
	r := w.start(w.swarmSpec(1, 2, 6, w.image, "correct"))
	w.converged(r, boundSwarm)
	t.Logf("apply to converged: %v", time.Since(start).Round(100*time.Millisecond))
	m := w.nodeClient("managers-1")
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		urls, err := taskURLs(t.Context(), m, "web")
		if err != nil || len(urls) != 6 {
			return false, fmt.Errorf("%d task URLs (%v)", len(urls), err)
		}
		for _, u := range urls {
			if err := httpOK(u); err != nil {
				return false, err
			}
		}
		return true, nil
	})

	// Kill a worker: its tasks must run elsewhere fast, no more lost than it held.
	per, _, err := running(t.Context(), m, "web")
	if err != nil {
		t.Fatal(err)
	}
	victim := w.machine("workers-1")
	victimNode := nodeOf(t, m, victim.ID)
	held := per[victimNode]
	killed := time.Now()
	if err := w.cli.ContainerKill(t.Context(), victim.ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		per, total, err := running(t.Context(), m, "web")
		alive := total - per[victimNode] // swarm calls the dead node ready until its heartbeat lapses
		if err == nil && alive < 6-held {
			t.Errorf("only %d replicas running on live nodes: the dead worker held %d of 6", alive, held)
		}
		return err == nil && alive == 6, fmt.Errorf("%d running on live nodes (%v)", alive, err)
	})
	t.Logf("worker killed holding %d of 6 replicas: all 6 running again after %v", held, time.Since(killed).Round(10*time.Millisecond))
	// When the victim held no replicas, the wait above ends at once: the
	// node's removal is awaited on its own.
	dockertest.WaitFor(t, 15*time.Second, func() (bool, error) {
		n, _, _ := m.NodeInspectWithRaw(t.Context(), victimNode)
		return n.ID == "", fmt.Errorf("the dead worker's node %s is still in the swarm", victimNode)
	})
	t.Logf("the dead worker's node removed %v after the kill", time.Since(killed).Round(10*time.Millisecond))
	w.converged(r, boundSwarm)
	if nodes, _ := m.NodeList(t.Context(), dswarm.NodeListOptions{}); len(nodes) != 3 {
		t.Errorf("%d nodes after the replacement joined, want 3", len(nodes))
	}

	// A new image rolls out per the update config.
	if err := r.Update(t.Context(), w.swarmSpec(1, 2, 6, w.v2, "correct"), nil); err != nil {
		t.Fatal(err)
	}
	w.converged(r, boundSwarm)
	svc, _, err := m.ServiceInspectWithRaw(t.Context(), "web", dswarm.ServiceInspectOptions{})
	if err != nil || svc.Spec.TaskTemplate.ContainerSpec.Image != w.v2 || svc.UpdateStatus == nil || svc.UpdateStatus.State != dswarm.UpdateStateCompleted {
		t.Fatalf("after the image change: %+v (update %+v, err %v)", svc.Spec.TaskTemplate.ContainerSpec, svc.UpdateStatus, err)
	}

	// Scaled by hand: reverted.
	scale(t, m, "web", 2)
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		s, _, err := m.ServiceInspectWithRaw(t.Context(), "web", dswarm.ServiceInspectOptions{})
		return err == nil && *s.Spec.Mode.Replicated.Replicas == 6, fmt.Errorf("replicas %v (%v)", s.Spec.Mode.Replicated, err)
	})
}

// With 3 managers, one killed: quorum is never lost, the dead manager
// leaves the swarm and a new one joins.
func TestSwarmManagerLoss(t *testing.T) {
	t.Parallel()
	w := newSwarmWorld(t)
	r := w.start(w.swarmSpec(3, 0, 2, w.image, "correct"))
	w.converged(r, boundSwarm)
	m := w.nodeClient("managers-1")
	victim := w.machine("managers-3")
	victimNode := nodeOf(t, m, victim.ID)
	if err := w.cli.ContainerKill(t.Context(), victim.ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	dockertest.WaitFor(t, boundSwarm, func() (bool, error) {
		if _, err := m.SwarmInspect(t.Context()); err != nil {
			t.Fatalf("quorum lost: %v", err)
		}
		_, _, gone := m.NodeInspectWithRaw(t.Context(), victimNode)
		return gone != nil && r.Converged(), fmt.Errorf("dead manager removed: %v; %s", gone != nil, w.state(r))
	})
	// The replacement has joined; swarm calls it reachable once its raft
	// connection is up, which can lag the join on a loaded machine.
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		nodes, err := m.NodeList(t.Context(), dswarm.NodeListOptions{Filters: filters.NewArgs(filters.Arg("role", "manager"))})
		var reachable []string
		for _, n := range nodes {
			if n.ManagerStatus != nil && n.ManagerStatus.Reachability == dswarm.ReachabilityReachable {
				reachable = append(reachable, n.Description.Hostname)
			}
		}
		return len(reachable) == 3, fmt.Errorf("reachable managers after the replacement: %v (%v)", reachable, err)
	})
}

// nodeOf finds a machine's swarm node by drover's node label.
func nodeOf(t testing.TB, m *client.Client, containerID string) string {
	t.Helper()
	nodes, err := m.NodeList(t.Context(), dswarm.NodeListOptions{Filters: filters.NewArgs(filters.Arg("node.label", "drover.instance="+containerID))})
	if err != nil || len(nodes) != 1 {
		t.Fatalf("the node of container %s: %d found (%v)", containerID, len(nodes), err)
	}
	return nodes[0].ID
}

func scale(t *testing.T, m *client.Client, name string, n uint64) {
	t.Helper()
	s, _, err := m.ServiceInspectWithRaw(t.Context(), name, dswarm.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Spec.Mode.Replicated.Replicas = &n
	if _, err := m.ServiceUpdate(t.Context(), s.ID, s.Version, s.Spec, dswarm.ServiceUpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
