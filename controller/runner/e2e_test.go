package runner_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// world is one end-to-end test: an engine, a unique owner, a data dir.
// Each test has an owner of its own (see testOwner), so that the tests of
// this package run in parallel, and what it made goes at its own end.
type world struct {
	t      testing.TB
	cli    *client.Client
	image  string
	owner  string
	data   string
	events *recorder
}

func newWorld(t testing.TB) *world {
	// The data dir first: cleanups run last-in first-out, so it is
	// removed after the containers whose node sockets it holds.
	data := shortTempDir(t)
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	owner := testOwner(t)
	dockertest.CleanupOwned(t, cli, owner)
	return &world{t: t, cli: cli, image: dockertest.DemoImage(t), owner: owner, data: data, events: &recorder{}}
}

// shortTempDir is a data dir of t's own, removed at its end, short enough
// that node sockets under <data-dir>/nodes stay within the unix socket
// path limit (t.TempDir's names are long).
func shortTempDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "drr")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// runtime is the built-in plugins, told the world's data dir so that node
// sockets and the swarms' CAs live there and not in the user's own data
// dir, and the swarms' managers their swarm flavor records, closed when
// the test ends.
func (w *world) runtime() (*plugins.Registry, *swarm.Clusters) {
	clusters := swarm.NewClusters(w.data)
	w.t.Cleanup(func() { clusters.Close() })
	return plugins.Builtins(plugins.BuiltinOptions{DataDir: w.data, Clusters: clusters}), clusters
}

// testOwner is an owner (and a name prefix) of t's own: the process's
// dockertest name, the start of the test's name and a hash of all of it,
// short enough that machine names stay valid host names.
func testOwner(t testing.TB) string {
	name := strings.ToLower(strings.TrimPrefix(t.Name(), "Test"))
	short := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, name)
	h := fnv.New32a()
	h.Write([]byte(t.Name()))
	return dockertest.Name(t, fmt.Sprintf("%.6s%04x", short, h.Sum32()&0xffff))
}

// spec is a one-group spec of the demo app.
func (w *world) spec(size int, image, extra string) *specs.Spec {
	w.t.Helper()
	src := fmt.Sprintf(`
group "web" {
  size = %d
  instance "docker" { image = %q }
  flavor "vanilla" {}
  health {
    grace           = "20s"
    unhealthy_after = "5s"
  }
  %s
}`, size, image, extra)
	l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{})})
	spec, err := l.LoadSources(specs.Source{Name: "e2e.hcl", Src: []byte(src)})
	if err != nil {
		w.t.Fatal(err)
	}
	return spec
}

func (w *world) runner(spec *specs.Spec, mods ...func(*runner.Options)) *runner.Runner {
	w.t.Helper()
	reg, managers := w.runtime()
	opts := runner.Options{Registry: reg, Managers: managers, Owner: w.owner, DataDir: w.data, Events: w.events, Resync: 5 * time.Second}
	for _, m := range mods {
		m(&opts)
	}
	r, err := runner.New(w.t.Context(), spec, opts)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// converge runs spec until it converges.
func (w *world) converge(spec *specs.Spec) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), boundGroup)
	defer cancel()
	r := w.runner(spec)
	r.Run(ctx, func(r *runner.Runner) bool { return r.Converged() }, nil)
	if !r.Converged() {
		w.t.Fatalf("did not converge: %+v; events:\n%s", r.Statuses(), w.events)
	}
}

// background runs spec until the test ends, as apply --watch does.
func (w *world) background(spec *specs.Spec, mods ...func(*runner.Options)) *runner.Runner {
	ctx, cancel := context.WithCancel(w.t.Context())
	done := make(chan struct{})
	r := w.runner(spec, mods...)
	go func() { r.Run(ctx, nil, nil); close(done) }()
	w.t.Cleanup(func() { cancel(); <-done })
	return r
}

// machines lists the owner's containers.
func (w *world) machines() []container.Summary {
	w.t.Helper()
	list, err := w.list()
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

func (w *world) list() ([]container.Summary, error) {
	return w.cli.ContainerList(w.t.Context(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", instance.TagOwner+"="+w.owner))})
}

// healthy returns the sorted drover names of the running, healthy machines.
func (w *world) healthy() []string {
	list, _ := w.list() // may run off the test goroutine: an error gives none
	return healthyNames(list)
}

func healthyNames(list []container.Summary) []string {
	var names []string
	for _, c := range list {
		if c.State == "running" && strings.Contains(c.Status, "(healthy)") {
			names = append(names, c.Labels[group.TagName])
		}
	}
	slices.SortFunc(names, func(a, b string) int { // web-9 before web-10
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	return names
}

func (w *world) waitHealthy(n int) []string {
	w.t.Helper()
	var names []string
	dockertest.WaitFor(w.t, boundGroup, func() (bool, error) {
		names = w.healthy()
		return len(names) == n && len(w.machines()) == n, fmt.Errorf("%d healthy of %d machines: %v", len(names), len(w.machines()), names)
	})
	return names
}

func (w *world) machine(name string) container.Summary {
	for _, c := range w.machines() {
		if c.Labels[group.TagName] == name {
			return c
		}
	}
	w.t.Fatalf("no machine %s", name)
	return container.Summary{}
}

type recorder struct {
	mu  sync.Mutex
	all []resource.Event
}

func (r *recorder) Emit(e resource.Event) { r.mu.Lock(); r.all = append(r.all, e); r.mu.Unlock() }
func (r *recorder) find(kind, inst string) (resource.Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.all {
		if e.Kind == kind && (inst == "" || e.Instance == inst) {
			return e, true
		}
	}
	return resource.Event{}, false
}
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.all {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

// A group of five heals within seconds of a docker rm -f, and the events
// say why.
func TestApplyHeals(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.background(w.spec(5, w.image, ""))
	names := w.waitHealthy(5)
	if !slices.Equal(names, []string{"web-1", "web-2", "web-3", "web-4", "web-5"}) {
		t.Fatalf("machines %v", names)
	}
	// The engine can call the machines healthy before drover's next pass
	// has seen them; a machine drover never saw cannot be reported lost.
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		return r.Converged(), fmt.Errorf("not converged: %+v", r.Statuses())
	})
	c := w.machine("web-3")
	for _, k := range []string{instance.TagOwner, instance.TagGroup, instance.TagConfig, group.TagName} {
		if c.Labels[k] == "" {
			t.Errorf("label %s missing on %v", k, c.Labels)
		}
	}
	start := time.Now()
	if err := w.cli.ContainerRemove(t.Context(), c.ID, container.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		for _, m := range w.machines() {
			if m.Labels[group.TagName] == "web-3" && m.State == "running" && m.ID != c.ID {
				return true, nil
			}
		}
		return false, fmt.Errorf("no replacement running")
	})
	t.Logf("replacement running %s after docker rm -f", time.Since(start).Round(time.Millisecond))
	if e, ok := w.events.find("lost", "web-3"); !ok || !strings.Contains(e.Reason, "gone without drover") {
		t.Errorf("no lost event for web-3:\n%s", w.events)
	}
	if e, ok := w.events.find("created", "web-3"); !ok || e.Reason != "missing" {
		t.Errorf("no created event for web-3:\n%s", w.events)
	}
	w.waitHealthy(5)
}

// A rolling update of the image never has fewer than size - max_unavailable
// healthy machines, and ends with all of them on the new image.
func TestRollingUpdateKeepsAvailability(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.converge(w.spec(4, w.image, ""))
	newImage := dockertest.Name(t, "img") + ":v2"
	if err := w.cli.ImageTag(t.Context(), w.image, newImage); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.cli.ImageRemove(context.WithoutCancel(t.Context()), newImage, image.RemoveOptions{}) })

	minHealthy, maxTotal := 99, 0
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // a monitor: it samples, it does not wait for anything
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if list, err := w.list(); err == nil {
				minHealthy, maxTotal = min(minHealthy, len(healthyNames(list))), max(maxTotal, len(list))
			}
		}
	}()
	w.converge(w.spec(4, newImage, ""))
	close(stop)
	<-sampled
	if minHealthy < 4 || maxTotal > 5 {
		t.Errorf("during the update: at least %d healthy (want >= 4), at most %d machines (want <= 5)", minHealthy, maxTotal)
	}
	for _, m := range w.machines() {
		if m.Image != newImage {
			t.Errorf("%s runs %s after the update", m.Labels[group.TagName], m.Image)
		}
	}
	t.Logf("update: at least %d healthy, at most %d machines", minHealthy, maxTotal)
}

// 5 -> 2 gives up the unhealthy machine first, then the newest; 2 -> 5
// fills the lowest free names. Then destroy removes the spec's machines
// and nothing else: not a container without drover's labels, not another
// owner's machine of the same group.
func TestScaleDownVictimOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.converge(w.spec(3, w.image, ""))
	w.converge(w.spec(5, w.image, "")) // web-4 and web-5 are newer
	sick := w.machine("web-2")
	ip := ""
	for _, n := range sick.NetworkSettings.Networks {
		ip = n.IPAddress
	}
	resp, err := http.Post("http://"+ip+":8080/sick", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		return strings.Contains(w.machine("web-2").Status, "(unhealthy)"), fmt.Errorf("web-2 is %s", w.machine("web-2").Status)
	})
	w.converge(w.spec(2, w.image, ""))
	if got := w.healthy(); !slices.Equal(got, []string{"web-1", "web-3"}) {
		t.Fatalf("after 5 -> 2: %v; events:\n%s", got, w.events)
	}
	w.converge(w.spec(5, w.image, ""))
	if got := w.healthy(); !slices.Equal(got, []string{"web-1", "web-2", "web-3", "web-4", "web-5"}) {
		t.Fatalf("after 2 -> 5: %v", got)
	}

	foreign := w.plainContainer(map[string]string{})
	otherOwner := w.plainContainer(map[string]string{instance.TagOwner: w.owner + "x", instance.TagGroup: "web"})
	w.converge(runner.ForDestroy(w.spec(5, w.image, "")))
	if n := len(w.machines()); n != 0 {
		t.Fatalf("%d of the spec's machines remain after destroy", n)
	}
	for _, id := range []string{foreign, otherOwner} {
		if _, err := w.cli.ContainerInspect(t.Context(), id); err != nil {
			t.Errorf("destroy removed a container it does not own: %v", err)
		}
	}
}

func (w *world) plainContainer(labels map[string]string) string {
	w.t.Helper()
	for k, v := range dockertest.Label(w.t) {
		labels[k] = v
	}
	c, err := w.cli.ContainerCreate(w.t.Context(), &container.Config{Image: w.image, Labels: labels}, nil, nil, nil, "")
	if err != nil {
		w.t.Fatal(err)
	}
	return c.ID
}
