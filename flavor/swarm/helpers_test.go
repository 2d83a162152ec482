package swarm_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/flavor"
	swarmflavor "github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/docker/dockertest"
)

// callTimeout bounds one plugin call in the tests.
const callTimeout = 2 * time.Minute

// env is a test's machinery: the host engine, the docker provider in node
// mode (with a short private socket directory), the flavor under test and
// the owner and network of the test's machines.
type env struct {
	t        *testing.T
	cli      *client.Client
	prov     *docker.Plugin
	clusters *swarmflavor.Clusters
	flavor   *swarmflavor.Plugin
	owner    string
	network  string
	image    string
	demo     string
	swarm    string

	mu    sync.Mutex
	names map[instance.ID]string
}

// newEnv prepares a test whose machines are tagged with owner suffix.
func newEnv(t *testing.T, suffix string) *env {
	t.Helper()
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	e := &env{
		t: t, cli: cli, owner: dockertest.Name(t, suffix), network: dockertest.Name(t, suffix+"-net"),
		image: dockertest.NodeImage(t, cli), demo: dockertest.DemoImage(t), swarm: "sw-" + suffix, names: map[instance.ID]string{},
	}
	dir, err := os.MkdirTemp("", "sw")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(docker.Config{SocketDir: dir})
	if e.prov, err = docker.New(t.Context(), cfg); err != nil {
		t.Fatalf("docker.New: %v", err)
	}
	e.clusters = swarmflavor.NewClusters("")
	e.flavor = swarmflavor.New(e.clusters, swarmflavor.Options{})
	t.Cleanup(func() {
		e.destroyAll()
		_ = e.clusters.Close()
		_ = e.prov.Close()
		_ = os.RemoveAll(dir)
	})
	return e
}

// ctx is a context bounded by callTimeout that ends with the test.
func (e *env) ctx() context.Context {
	c, cancel := context.WithTimeout(e.t.Context(), callTimeout)
	e.t.Cleanup(cancel)
	return c
}

// props are a group's flavor properties.
func (e *env) props(role string, labels map[string]string, drain time.Duration) json.RawMessage {
	b, err := json.Marshal(map[string]any{"swarm": e.swarm, "role": role, "labels": labels, "drain_timeout": drain})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// provision makes machines of a group, named group-1.. (from first), in
// parallel, after the flavor's Prepare.
func (e *env) provision(group string, props json.RawMessage, first, n int) {
	e.t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.provision1(group, props, first+i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			e.t.Fatal(err)
		}
	}
	e.t.Logf("%d node(s) of %s up in %v", n, group, time.Since(start).Round(time.Millisecond))
}

func (e *env) provision1(group string, props json.RawMessage, i int) error {
	name := group + "-" + strconv.Itoa(i)
	instProps, _ := json.Marshal(docker.Properties{
		Image: e.image, Node: true, PreloadImages: []string{e.demo}, Networks: []string{e.network},
	})
	spec := instance.Spec{
		Name:       e.owner + "-" + name,
		Properties: instProps,
		Tags: dockertest.Tags(e.t, map[string]string{
			instance.TagOwner: e.owner, instance.TagGroup: group, "drover.name": name,
		}),
	}
	spec, err := e.flavor.Prepare(e.ctx(), props, spec, flavor.Allocation{Group: group})
	if err != nil {
		return err
	}
	id, err := e.prov.Provision(e.ctx(), spec)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.names[id] = name
	e.mu.Unlock()
	return nil
}

// list is the group's listing, as the group reconciler gets it.
func (e *env) list(group string) []instance.Description {
	e.t.Helper()
	descs, err := e.prov.Describe(e.ctx(), map[string]string{instance.TagOwner: e.owner, instance.TagGroup: group})
	if err != nil {
		e.t.Fatalf("Describe: %v", err)
	}
	slices.SortFunc(descs, func(a, b instance.Description) int { return cmp.Compare(a.Tags["drover.name"], b.Tags["drover.name"]) })
	return descs
}

// inst returns the listed machine called name.
func (e *env) inst(group, name string) instance.Description {
	e.t.Helper()
	for _, d := range e.list(group) {
		if d.Tags["drover.name"] == name {
			return d
		}
	}
	e.t.Fatalf("no machine %s in group %s", name, group)
	return instance.Description{}
}

// observe runs one Observe of the group with a fresh listing.
func (e *env) observe(group string, props json.RawMessage) {
	e.t.Helper()
	if err := e.flavor.Observe(e.ctx(), props, flavor.Allocation{Group: group}, e.list(group)); err != nil {
		e.t.Fatalf("Observe(%s): %v", group, err)
	}
}

// health is every listed machine's health, by name.
func (e *env) health(group string, props json.RawMessage) map[string]flavor.Health {
	e.t.Helper()
	out := map[string]flavor.Health{}
	for _, d := range e.list(group) {
		h, err := e.flavor.Health(e.ctx(), props, d)
		if err != nil {
			e.t.Fatalf("Health(%s): %v", d.Tags["drover.name"], err)
		}
		out[d.Tags["drover.name"]] = h
	}
	return out
}

// waitHealthy observes the groups until every machine of them is healthy.
func (e *env) waitHealthy(timeout time.Duration, groups map[string]json.RawMessage) {
	e.t.Helper()
	start := time.Now()
	var order []string
	for g := range groups {
		order = append(order, g)
	}
	slices.Sort(order) // managers before workers, by the names the tests use
	dockertest.WaitFor(e.t, timeout, func() (bool, error) {
		var bad []string
		for _, g := range order {
			e.observe(g, groups[g])
			for name, h := range e.health(g, groups[g]) {
				if h.Status != flavor.Healthy {
					bad = append(bad, name+": "+string(h.Status)+" "+h.Reason)
				}
			}
		}
		if len(bad) > 0 {
			return false, fmt.Errorf("not healthy: %v", bad)
		}
		return true, nil
	})
	e.t.Logf("all of %v healthy after %v", order, time.Since(start).Round(time.Millisecond))
}

// manager is a client of a manager of the test's swarm.
func (e *env) manager() client.APIClient {
	e.t.Helper()
	m, err := e.clusters.Manager(e.ctx(), e.owner, e.swarm)
	if err != nil {
		e.t.Fatalf("Manager: %v", err)
	}
	return m
}

// nodes lists the swarm's nodes.
func (e *env) nodes() []swarm.Node {
	e.t.Helper()
	nodes, err := e.manager().NodeList(e.ctx(), swarm.NodeListOptions{})
	if err != nil {
		e.t.Fatalf("NodeList: %v", err)
	}
	return nodes
}

// nodeOf returns the node labelled with the machine's id, if any.
func (e *env) nodeOf(id instance.ID) (swarm.Node, bool) {
	for _, n := range e.nodes() {
		if n.Spec.Labels[swarmflavor.NodeLabelInstance] == string(id) {
			return n, true
		}
	}
	return swarm.Node{}, false
}

// kill kills a machine's container, as a crash would.
func (e *env) kill(id instance.ID) {
	e.t.Helper()
	if err := e.cli.ContainerKill(e.ctx(), string(id), "KILL"); err != nil {
		e.t.Fatalf("kill: %v", err)
	}
}

// destroyAll destroys the test's machines (and so their socket
// directories) when it ends.
func (e *env) destroyAll() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	descs, err := e.prov.Describe(ctx, map[string]string{instance.TagOwner: e.owner})
	if err != nil {
		e.t.Logf("cleanup: %v", err)
		return
	}
	for _, d := range descs {
		_ = e.prov.Destroy(ctx, d.ID, instance.DestroyTerminate)
	}
}
