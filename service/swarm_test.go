package service_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// How long a test waits for a swarm to get somewhere.
const (
	settle   = 60 * time.Second
	demoNext = "drover/demo-app:next" // the demo image under another tag
)

// TestSwarm runs the reconciler against a real swarm of node containers:
// one manager and one worker with the demo image (also tagged demoNext),
// shared by the subtests, which use names and owners of their own.
func TestSwarm(t *testing.T) {
	_, sw := startSwarm(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *dockertest.NodeSwarm)
	}{
		{"Lifecycle", testLifecycle},
		{"EveryField", testEveryField},
		{"Drift", testDrift},
		{"NotOurs", testNotOurs},
		{"DependsOn", testDependsOn},
		{"FailedUpdate", testFailedUpdate},
		{"Networks", testNetworks},
		{"NoManager", testNoManager},
		{"Global", testGlobal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, sw)
		})
	}
}

// testLifecycle: create, converge with N running, a second pass that does
// nothing, then an env and an image change rolled out per the update
// config.
func testLifecycle(t *testing.T, sw *dockertest.NodeSwarm) {
	spec := func(image, greeting string) string {
		return fmt.Sprintf(`
service "lc-web" {
  swarm    = swarm.demo
  image    = %q
  replicas = 3
  env      = { GREETING = %q }
  update {
    parallelism = 2
    order       = "start-first"
    monitor     = "1s"
  }
}`, image, greeting)
	}
	e := newEnv(t, sw, "t-lifecycle", spec(dockertest.DemoImageName, "one"))
	if p, err := e.r.PlanService(context.Background(), "lc-web"); err != nil || p.Action != service.ActionCreate {
		t.Fatalf("plan before create = %+v, %v", p, err)
	}
	st := e.converge("lc-web", settle)
	if st.Running != 3 || st.Desired != 3 || st.Key != resource.Service.KeyOf("lc-web") || st.Generation != 1 || st.LastError != "" {
		t.Errorf("status = %+v", st)
	}
	before := e.inspect("lc-web")
	if l := before.Spec.Labels; l[service.LabelOwner] != "t-lifecycle" || l[service.LabelSwarm] != "demo" || l[service.LabelConfig] == "" {
		t.Errorf("labels = %v", l)
	}
	for range 2 {
		if st := e.pass("lc-web"); !st.Converged {
			t.Errorf("a pass after convergence: %+v", st)
		}
	}
	if after := e.inspect("lc-web"); after.Version != before.Version {
		t.Errorf("a pass over a converged service updated it: version %d -> %d", before.Version.Index, after.Version.Index)
	}
	if p, err := e.r.PlanService(context.Background(), "lc-web"); err != nil || p.Action != service.ActionNone || len(p.Changes) > 0 {
		t.Errorf("plan of a converged service = %+v, %v", p, err)
	}
	if n := e.events.count("service.lc-web", service.EventCreated); n != 1 {
		t.Errorf("%d created events", n)
	}

	// An env change.
	e.apply(spec(dockertest.DemoImageName, "two"))
	p, err := e.r.PlanService(context.Background(), "lc-web")
	if err != nil || p.Action != service.ActionUpdate || !slices.Equal(p.Changes, []string{"env: ~GREETING"}) {
		t.Errorf("plan of an env change = %+v, %v", p, err)
	}
	e.converge("lc-web", settle)
	got := e.inspect("lc-web")
	if !slices.Contains(got.Spec.TaskTemplate.ContainerSpec.Env, "GREETING=two") || got.UpdateStatus == nil || got.UpdateStatus.State != swarm.UpdateStateCompleted {
		t.Errorf("after the env change: env %q, update status %+v", got.Spec.TaskTemplate.ContainerSpec.Env, got.UpdateStatus)
	}
	if u := got.Spec.UpdateConfig; u.Parallelism != 2 || u.Order != "start-first" {
		t.Errorf("update config = %+v", u)
	}

	// An image change.
	e.apply(spec(demoNext, "two"))
	st = e.converge("lc-web", settle)
	if r := e.running("lc-web"); r[demoNext] != 3 || len(r) != 1 {
		t.Errorf("running after the image change: %v", r)
	}
	if n := e.events.count("service.lc-web", service.EventUpdated); n != 2 {
		t.Errorf("%d updated events, want 2", n)
	}
	if st.Generation != 3 || st.UpdateState != "completed" {
		t.Errorf("status = %+v", st)
	}
}

// everyField is a service using every field drover maps, attached to a
// network drover creates.
const everyField = `
network "ef-net" {
  swarm      = swarm.demo
  attachable = true
  subnet     = "10.77.0.0/24"
  labels     = { team = "a" }
}

service "ef-web" {
  swarm                 = swarm.demo
  image                 = "drover/demo-app"
  entrypoint            = ["/demo-app"]
  command               = ["-listen", ":8081"]
  env                   = { GREETING = "every", B = "2" }
  labels                = { tier = "front" }
  container_labels      = { app = "web" }
  user                  = "1000:1000"
  workdir               = "/"
  replicas              = 2
  ports                 = ["18081:8081", "19001/udp"]
  networks              = [network.ef-net]
  constraints           = ["node.role == worker", "node.hostname != nowhere"]
  placement_preferences = ["spread=node.labels.zone"]
  max_replicas_per_node = 2
  stop_grace_period     = "3s"
  mount {
    type   = "volume"
    source = "ef-data"
    target = "/data"
  }
  mount {
    type   = "tmpfs"
    target = "/scratch"
  }
  mount {
    type      = "bind"
    source    = "/etc"
    target    = "/host-etc"
    read_only = true
  }
  resources {
    reserve_cpu    = 0.01
    reserve_memory = "8MB"
    limit_cpu      = 0.5
    limit_memory   = "64MB"
  }
  healthcheck {
    test         = ["CMD", "/demo-app", "-check", "-listen", ":8081"]
    interval     = "1s"
    timeout      = "1s"
    retries      = 2
    start_period = "1s"
  }
  log {
    driver  = "json-file"
    options = { "max-size" = "1m" }
  }
  update {
    parallelism       = 2
    delay             = "1s"
    failure_action    = "rollback"
    monitor           = "2s"
    max_failure_ratio = 0.5
    order             = "start-first"
  }
  rollback {
    parallelism = 0
    monitor     = "1s"
  }
  restart {
    condition    = "on-failure"
    delay        = "1s"
    max_attempts = 5
    window       = "10s"
  }
}
`

// testEveryField: a service that uses every field converges, and passes
// after that change nothing: no permanent diff.
func testEveryField(t *testing.T, sw *dockertest.NodeSwarm) {
	e := newEnv(t, sw, "t-every", everyField)
	ctx := context.Background()
	st := e.pass("ef-web")
	if st.Converged || !strings.Contains(st.Reason, "waiting for network.ef-net") || e.exists("ef-web") {
		t.Fatalf("a service whose network is missing: %+v", st)
	}
	if _, err := e.r.ReconcileNetwork(ctx, "ef-net"); err != nil {
		t.Fatal(err)
	}
	e.converge("ef-web", settle)
	before := e.inspect("ef-web")
	for range 3 {
		if st := e.pass("ef-web"); !st.Converged {
			t.Fatalf("a pass after convergence: %+v", st)
		}
	}
	if after := e.inspect("ef-web"); after.Version != before.Version {
		t.Fatalf("permanent diff: a pass updated the service (version %d -> %d)", before.Version.Index, after.Version.Index)
	}
	if p, err := e.r.PlanService(ctx, "ef-web"); err != nil || p.Action != service.ActionNone {
		t.Errorf("plan = %+v, %v", p, err)
	}
	if n := len(e.events.events); n != 2 {
		t.Errorf("events: %s", e.events)
	}
	// The spec as swarm has it.
	s := before.Spec
	cs := s.TaskTemplate.ContainerSpec
	net, err := e.cli.NetworkInspect(ctx, "ef-net", network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.TaskTemplate.Networks) != 1 || s.TaskTemplate.Networks[0].Target != net.ID {
		t.Errorf("networks = %+v, want %s", s.TaskTemplate.Networks, net.ID)
	}
	if cs.Image != "drover/demo-app:latest" || cs.User != "1000:1000" || *cs.StopGracePeriod != 3*time.Second || len(cs.Mounts) != 3 || cs.Healthcheck.Interval != time.Second {
		t.Errorf("container spec = %+v", cs)
	}
	if p := s.TaskTemplate.Placement; len(p.Constraints) != 2 || p.MaxReplicas != 2 || len(p.Preferences) != 1 {
		t.Errorf("placement = %+v", p)
	}
	if r := s.TaskTemplate.Resources; r.Limits.MemoryBytes != 64e6 || r.Limits.NanoCPUs != 5e8 {
		t.Errorf("resources = %+v", r)
	}
	// The tasks run on the worker, per the constraint.
	workers := sw.Workers()
	if len(workers) != 1 {
		t.Fatal("the fixture has no worker")
	}
	tasks, err := workers[0].Client.ContainerList(ctx, containerListRunning("ef-web"))
	if err != nil || len(tasks) != 2 {
		t.Errorf("containers of ef-web on the worker: %d, %v", len(tasks), err)
	}
}

// testDrift: a hand `docker service scale` is corrected under drift =
// "correct" and reported (once) under drift = "report".
func testDrift(t *testing.T, sw *dockertest.NodeSwarm) {
	e := newEnv(t, sw, "t-drift", `
service "dr-fix" {
  swarm    = swarm.demo
  image    = "drover/demo-app"
  replicas = 1
}
service "dr-keep" {
  swarm    = swarm.demo
  image    = "drover/demo-app"
  replicas = 1
  drift    = "report"
}`)
	for _, name := range []string{"dr-fix", "dr-keep"} {
		e.converge(name, settle)
		e.handUpdate(name, func(s *swarm.ServiceSpec) { n := uint64(2); s.Mode.Replicated.Replicas = &n })
	}

	st := e.pass("dr-fix")
	if n := e.events.count("service.dr-fix", service.EventDriftCorrected); n != 1 || st.Drift {
		t.Errorf("drift = correct: %d drift_corrected events, status %+v", n, st)
	}
	if r := e.inspect("dr-fix").Spec.Mode.Replicated.Replicas; *r != 1 {
		t.Errorf("drift = correct: replicas %d after the pass", *r)
	}
	e.converge("dr-fix", settle)

	for range 3 {
		st = e.pass("dr-keep")
	}
	if !st.Drift || st.Converged || !strings.Contains(st.Reason, "replicas: 2 -> 1") {
		t.Errorf("drift = report: status %+v", st)
	}
	if n := e.events.count("service.dr-keep", service.EventDrift); n != 1 {
		t.Errorf("drift = report: %d drift events over 3 passes, want 1", n)
	}
	if r := e.inspect("dr-keep").Spec.Mode.Replicated.Replicas; *r != 2 {
		t.Errorf("drift = report: replicas %d, want the hand's 2", *r)
	}
	if p, err := e.r.PlanService(context.Background(), "dr-keep"); err != nil || p.Action != service.ActionNone || len(p.Changes) != 1 {
		t.Errorf("plan of reported drift = %+v, %v", p, err)
	}
}

// testNotOurs: a service of the same name without drover's owner label is
// reported and never touched, by a pass or by the sweep; the sweep removes
// an owned service the spec no longer declares.
func testNotOurs(t *testing.T, sw *dockertest.NodeSwarm) {
	e := newEnv(t, sw, "t-notours", `
service "no-theirs" {
  swarm = swarm.demo
  image = "drover/demo-app"
}
service "no-gone" {
  swarm = swarm.demo
  image = "drover/demo-app"
}`)
	ctx := context.Background()
	n := uint64(1)
	resp, err := e.cli.ServiceCreate(ctx, swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: "no-theirs", Labels: map[string]string{"made-by": "hand", service.LabelSwarm: "demo"}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: demoNext}},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}},
	}, swarm.ServiceCreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.removeAfter("no-theirs")
	before := e.inspect("no-theirs")
	for range 2 {
		st := e.pass("no-theirs")
		if st.Converged || !strings.Contains(st.LastError, "without the label drover.owner=t-notours") {
			t.Errorf("status of a service not ours: %+v", st)
		}
	}
	if p, err := e.r.PlanService(ctx, "no-theirs"); err != nil || p.Action != service.ActionNone {
		t.Errorf("plan of a service not ours = %+v, %v", p, err)
	}
	e.converge("no-gone", settle)

	// no-gone leaves the spec; the sweep removes it, not no-theirs.
	e.apply("") // no-theirs is not declared either now
	if _, err := e.r.Sweep(ctx, "t-notours", "demo"); err != nil {
		t.Fatal(err)
	}
	if e.exists("no-gone") {
		t.Error("the sweep left an undeclared service of ours")
	}
	if _, ok := e.r.Status(resource.Service.KeyOf("no-gone")); ok {
		t.Error("a removed service keeps a status")
	}
	after := e.inspect("no-theirs")
	if after.ID != resp.ID || after.Version != before.Version {
		t.Errorf("a service not ours was touched: version %d -> %d", before.Version.Index, after.Version.Index)
	}
	if n := e.events.count("service.no-gone", service.EventRemoved); n != 1 {
		t.Errorf("%d removed events", n)
	}
	// Another owner's sweep of the same swarm removes nothing of ours.
	other := newEnv(t, sw, "t-other", "")
	e.apply(`
service "no-gone" {
  swarm = swarm.demo
  image = "drover/demo-app"
}`)
	e.converge("no-gone", settle)
	if _, err := other.r.Sweep(ctx, "t-other", "demo"); err != nil {
		t.Fatal(err)
	}
	if !e.exists("no-gone") {
		t.Error("another owner's sweep removed our service")
	}
}

// testDependsOn: a service is created only once what it depends on runs a
// task.
func testDependsOn(t *testing.T, sw *dockertest.NodeSwarm) {
	e := newEnv(t, sw, "t-deps", `
service "dep-db" {
  swarm = swarm.demo
  image = "drover/demo-app"
}
service "dep-app" {
  swarm      = swarm.demo
  image      = "drover/demo-app"
  depends_on = [service.dep-db]
}`)
	ctx := context.Background()
	res, err := e.r.ReconcileService(ctx, "dep-app")
	st, _ := e.r.Status(resource.Service.KeyOf("dep-app"))
	if err != nil || res.RequeueAfter == 0 || !strings.Contains(st.Reason, "waiting for service.dep-db") || e.exists("dep-app") {
		t.Fatalf("before its dependency exists: %+v %v, status %+v", res, err, st)
	}
	e.pass("dep-db") // created, but it runs no task yet
	if st := e.pass("dep-app"); !e.exists("dep-app") && !strings.Contains(st.Reason, "dep-db, which it depends on, to run a task") {
		t.Errorf("while its dependency starts: %+v", st)
	}
	e.converge("dep-db", settle)
	e.converge("dep-app", settle)
	db, app := e.inspect("dep-db"), e.inspect("dep-app")
	if !app.CreatedAt.After(db.CreatedAt) {
		t.Errorf("dep-app created at %v, before dep-db at %v", app.CreatedAt, db.CreatedAt)
	}
}

// testFailedUpdate: an update swarm rolls back (an image no node has) is
// reported once and not pushed again; a changed spec is.
func testFailedUpdate(t *testing.T, sw *dockertest.NodeSwarm) {
	spec := func(image string) string {
		return fmt.Sprintf(`
service "fu-web" {
  swarm    = swarm.demo
  image    = %q
  replicas = 1
  update {
    failure_action = "rollback"
    monitor        = "2s"
  }
  rollback {
    monitor = "1s"
  }
}`, image)
	}
	e := newEnv(t, sw, "t-failed", spec(dockertest.DemoImageName))
	e.converge("fu-web", settle)
	e.apply(spec("drover/no-such-image:1"))
	e.pass("fu-web")
	if n := e.events.count("service.fu-web", service.EventUpdated); n != 1 {
		t.Fatalf("%d updated events", n)
	}
	st := e.until("fu-web", settle, func(st service.Status) bool { return st.UpdateState == "rollback_completed" })
	before := e.inspect("fu-web")
	for range 3 {
		st = e.pass("fu-web")
	}
	if after := e.inspect("fu-web"); after.Version != before.Version {
		t.Errorf("the rolled-back spec was pushed again: version %d -> %d", before.Version.Index, after.Version.Index)
	}
	if n := e.events.count("service.fu-web", service.EventUpdateRolledBack); n != 1 {
		t.Errorf("%d update_rolled_back events, want 1", n)
	}
	if n := e.events.count("service.fu-web", service.EventUpdated); n != 1 {
		t.Errorf("%d updated events, want 1", n)
	}
	if st.Converged || !strings.Contains(st.Reason, "rolled back") {
		t.Errorf("status = %+v", st)
	}
	dockertest.WaitFor(t, settle, func() (bool, error) {
		r := e.running("fu-web")
		return r[dockertest.DemoImageName] == 1, fmt.Errorf("running after the rollback: %v", r)
	})
	// A changed spec is pushed.
	e.apply(spec(demoNext))
	e.converge("fu-web", settle)
	if n := e.events.count("service.fu-web", service.EventUpdated); n != 2 {
		t.Errorf("%d updated events after a spec change, want 2", n)
	}
}

// testNetworks: a network is created with its config, converges, is kept
// while a service uses it even when its spec changes, recreated once none
// does, and swept when undeclared.
func testNetworks(t *testing.T, sw *dockertest.NodeSwarm) {
	netSpec := func(subnet string, withService bool) string {
		s := fmt.Sprintf(`
network "nw-net" {
  swarm      = swarm.demo
  attachable = true
  internal   = true
  encrypted  = true
  subnet     = %q
  labels     = { team = "b" }
}`, subnet)
		if withService {
			s += `
service "nw-web" {
  swarm    = swarm.demo
  image    = "drover/demo-app"
  networks = [network.nw-net]
}`
		}
		return s
	}
	e := newEnv(t, sw, "t-nets", netSpec("10.78.0.0/24", true))
	ctx := context.Background()
	// Passes right after the create may find it not yet allocated: they
	// wait, they do not take it for different.
	dockertest.WaitFor(t, settle, func() (bool, error) {
		_, err := e.r.ReconcileNetwork(ctx, "nw-net")
		st, _ := e.r.Status(resource.Network.KeyOf("nw-net"))
		return st.Converged && st.Passes >= 2, fmt.Errorf("%+v (%v)", st, err)
	})
	if e.events.count("network.nw-net", service.EventCreated) != 1 || e.events.count("network.nw-net", service.EventUpdated) != 0 {
		t.Fatalf("events %s", e.events)
	}
	n, err := e.cli.NetworkInspect(ctx, "nw-net", network.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, encrypted := n.Options["encrypted"]
	if n.Driver != "overlay" || n.Scope != "swarm" || !n.Attachable || !n.Internal || !encrypted || n.IPAM.Config[0].Subnet != "10.78.0.0/24" ||
		n.Labels["team"] != "b" || n.Labels[service.LabelOwner] != "t-nets" {
		t.Errorf("network = %+v", n)
	}
	e.converge("nw-web", settle)

	// A new subnet cannot be applied while nw-web uses the network.
	e.apply(netSpec("10.79.0.0/24", true))
	if _, err := e.r.ReconcileNetwork(ctx, "nw-net"); err != nil {
		t.Fatal(err)
	}
	st, _ := e.r.Status(resource.Network.KeyOf("nw-net"))
	if st.Converged || !strings.Contains(st.Reason, "subnet: 10.78.0.0/24 -> 10.79.0.0/24") || !strings.Contains(st.Reason, "nw-web") {
		t.Errorf("a changed network in use: %+v", st)
	}
	// nw-web leaves the spec and is swept; then the network is recreated.
	e.apply(netSpec("10.79.0.0/24", false))
	if _, err := e.r.Sweep(ctx, "t-nets", "demo"); err != nil {
		t.Fatal(err)
	}
	dockertest.WaitFor(t, settle, func() (bool, error) {
		_, err := e.r.ReconcileNetwork(ctx, "nw-net")
		st, _ := e.r.Status(resource.Network.KeyOf("nw-net"))
		return st.Converged, fmt.Errorf("%+v (%v)", st, err)
	})
	if n, err := e.cli.NetworkInspect(ctx, "nw-net", network.InspectOptions{}); err != nil || len(n.IPAM.Config) == 0 || n.IPAM.Config[0].Subnet != "10.79.0.0/24" {
		t.Errorf("recreated network: %+v, %v", n.IPAM, err)
	}
	if n := e.events.count("network.nw-net", service.EventUpdated); n != 1 {
		t.Errorf("%d updated (recreated) events for the network, want 1", n)
	}
	// Undeclared, it is swept.
	e.apply("")
	dockertest.WaitFor(t, settle, func() (bool, error) {
		res, err := e.r.Sweep(ctx, "t-nets", "demo")
		_, ierr := e.cli.NetworkInspect(ctx, "nw-net", network.InspectOptions{})
		return err == nil && ierr != nil && res == (reconcile.Result{}), errors.Join(err, fmt.Errorf("result %+v", res))
	})
	if n := e.events.count("network.nw-net", service.EventRemoved); n != 1 {
		t.Errorf("%d removed events for the network", n)
	}
}

// testNoManager: without a manager a pass waits, with a reason, and no
// error; a plan says it cannot tell.
func testNoManager(t *testing.T, sw *dockertest.NodeSwarm) {
	e := newEnv(t, sw, "t-nomgr", `
network "nm-net" {
  swarm = swarm.demo
}
service "nm-web" {
  swarm = swarm.demo
  image = "drover/demo-app"
}`)
	e.managers.set(nil)
	ctx := context.Background()
	for _, pass := range []func() (reconcile.Result, error){
		func() (reconcile.Result, error) { return e.r.ReconcileService(ctx, "nm-web") },
		func() (reconcile.Result, error) { return e.r.ReconcileNetwork(ctx, "nm-net") },
		func() (reconcile.Result, error) { return e.r.Sweep(ctx, "t-nomgr", "demo") },
	} {
		res, err := pass()
		if err != nil || res.RequeueAfter <= 0 {
			t.Errorf("without a manager: %+v, %v", res, err)
		}
	}
	for _, key := range []resource.Key{resource.Service.KeyOf("nm-web"), resource.Network.KeyOf("nm-net")} {
		if st, _ := e.r.Status(key); st.Converged || st.Reason != "waiting for a manager of swarm demo" || st.LastError != "" {
			t.Errorf("%s: status %+v", key, st)
		}
	}
	if p, err := e.r.PlanService(ctx, "nm-web"); err != nil || p.Action != service.ActionUnknown {
		t.Errorf("plan without a manager = %+v, %v", p, err)
	}
	// Not in the spec: nothing to do, no status.
	if res, err := e.r.ReconcileService(ctx, "nm-nothing"); err != nil || res != (reconcile.Result{}) {
		t.Errorf("a service not in the spec: %+v, %v", res, err)
	}
	if _, ok := e.r.Status(resource.Service.KeyOf("nm-nothing")); ok {
		t.Error("a service not in the spec has a status")
	}
}

// containerListRunning selects the running containers of a service's tasks.
func containerListRunning(name string) container.ListOptions {
	return container.ListOptions{Filters: filters.NewArgs(filters.Arg("label", "com.docker.swarm.service.name="+name))}
}

// testGlobal: a global service wants a task on every node; its port,
// published in host mode, answers on every node. (The routing mesh,
// publish_mode = "ingress", needs IPVS, which this machine's kernel may
// lack.)
func testGlobal(t *testing.T, sw *dockertest.NodeSwarm) {
	e := newEnv(t, sw, "t-global", `
service "gl-agent" {
  swarm        = swarm.demo
  image        = "drover/demo-app"
  mode         = "global"
  ports        = ["18090:8080"]
  publish_mode = "host"
  env          = { GREETING = "global" }
}`)
	if st := e.pass("gl-agent"); st.Converged {
		t.Errorf("converged at its creation: %+v", st)
	}
	st := e.converge("gl-agent", settle)
	if st.Desired != len(sw.Nodes) || st.Running != len(sw.Nodes) {
		t.Errorf("status = %+v, want %d running", st, len(sw.Nodes))
	}
	if s := e.inspect("gl-agent"); s.Spec.Mode.Global == nil {
		t.Errorf("mode = %+v", s.Spec.Mode)
	}
	for _, n := range sw.Nodes {
		url := "http://" + n.IP + ":18090/"
		dockertest.WaitFor(t, settle, func() (bool, error) {
			resp, err := http.Get(url)
			if err != nil {
				return false, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return resp.StatusCode == http.StatusOK && strings.Contains(string(b), "global"), fmt.Errorf("GET %s: %s %q %v", url, resp.Status, b, err)
		})
	}
}
