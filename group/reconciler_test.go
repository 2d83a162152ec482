package group_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/controller/intents"
	"github.com/drover/drover/flavor"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/reconcile/clocktest"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// testFlavor judges health from the instance state and backend health.
type testFlavor struct{}

func (testFlavor) Validate(context.Context, json.RawMessage, flavor.Allocation) error { return nil }
func (testFlavor) Prepare(_ context.Context, _ json.RawMessage, s instance.Spec, _ flavor.Allocation) (instance.Spec, error) {
	return s, nil
}
func (testFlavor) Drain(context.Context, json.RawMessage, instance.Description) error { return nil }
func (testFlavor) Health(_ context.Context, _ json.RawMessage, d instance.Description) (flavor.Health, error) {
	switch {
	case d.State != instance.StateRunning:
		return flavor.Health{Status: flavor.Unhealthy, Reason: "stopped"}, nil
	case d.Health == instance.HealthUnhealthy:
		return flavor.Health{Status: flavor.Unhealthy, Reason: "healthcheck failing"}, nil
	case d.Health == "unknown":
		return flavor.Health{Status: flavor.Unknown, Reason: "engine not answering"}, nil
	}
	return flavor.Health{Status: flavor.Healthy}, nil
}

type targets map[string]*group.Target

func (t targets) Target(name string) (*group.Target, bool) { g, ok := t[name]; return g, ok }

type events struct {
	mu  sync.Mutex
	all []resource.Event
}

func (e *events) Emit(ev resource.Event) { e.mu.Lock(); e.all = append(e.all, ev); e.mu.Unlock() }
func (e *events) kinds() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s []string
	for _, ev := range e.all {
		s = append(s, ev.Kind+" "+ev.Instance)
	}
	return strings.Join(s, ", ")
}

// specGroup loads a one-group spec.
func specGroup(t testing.TB, size int, image string) *specs.Group {
	t.Helper()
	l, _ := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{})})
	spec, err := l.LoadSources(specs.Source{Name: "t.hcl", Src: []byte(`
group "web" {
  size = ` + itoa(size) + `
  instance "docker" { image = "` + image + `" }
  flavor "vanilla" {}
  health {
    grace           = "1m"
    unhealthy_after = "30s"
  }
}`)})
	if err != nil {
		t.Fatal(err)
	}
	return spec.Groups[0]
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

type rig struct {
	clock   *clocktest.Clock
	plugin  *fake.Plugin
	store   *intents.MemStore
	events  *events
	targets targets
	rec     *group.Reconciler
}

func newRig(t testing.TB, size int) *rig {
	r := &rig{clock: clocktest.New(t0), store: intents.NewMemStore(), events: &events{}}
	r.plugin = fake.New(r.clock.Now)
	r.targets = targets{"web": {Spec: specGroup(t, size, "app:1"), Owner: "test", Instance: r.plugin, Flavor: testFlavor{}}}
	r.restart(t)
	return r
}

// restart builds a new reconciler on the same world and store, as after a
// crash: its memory is gone.
func (r *rig) restart(t testing.TB) {
	rec, err := group.New(r.targets, group.Options{Intents: r.store, Clock: r.clock, Events: r.events, BreakerBackoff: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.rec = rec
}

func (r *rig) pass(t testing.TB) reconcile.Result {
	t.Helper()
	res, _ := r.rec.Reconcile(t.Context(), "web")
	return res
}

// converge runs passes until the group converges.
func (r *rig) converge(t *testing.T) {
	t.Helper()
	for i := 0; i < 20; i++ {
		r.pass(t)
		if st, _ := r.rec.Status("web"); st.Converged {
			return
		}
		r.clock.Advance(time.Second)
	}
	st, _ := r.rec.Status("web")
	t.Fatalf("did not converge: %+v; instances %v; events %s", st, r.plugin.Names(), r.events.kinds())
}

func TestReconcileConvergesAndHeals(t *testing.T) {
	r := newRig(t, 3)
	r.converge(t)
	if got := strings.Join(r.plugin.Names(), ","); got != "test-web-1,test-web-2,test-web-3" {
		t.Fatalf("instances %s", got)
	}
	r.plugin.Remove("test-web-2") // docker rm -f
	r.converge(t)
	if got := strings.Join(r.plugin.Names(), ","); got != "test-web-1,test-web-2,test-web-3" {
		t.Fatalf("after a loss: %s", got)
	}
	if k := r.events.kinds(); !strings.Contains(k, "lost web-2") || !strings.Contains(k, "created web-2") {
		t.Fatalf("events %s", k)
	}
	r.plugin.Set("test-web-3", instance.StateStopped, "") // docker kill
	r.converge(t)
	if got := strings.Join(r.plugin.Names(), ","); got != "test-web-1,test-web-2,test-web-3" {
		t.Fatalf("after a death: %s", got)
	}
}

// A failed or empty observation makes no destroys and no creates.
func TestReconcileFlakyObservation(t *testing.T) {
	r := newRig(t, 4)
	r.converge(t)
	before := r.plugin.Calls()
	r.plugin.Inject(fake.Faults{DescribeErrors: 1})
	if _, err := r.rec.Reconcile(t.Context(), "web"); err != nil {
		t.Fatalf("a failed observation is not an error of the pass: %v", err)
	}
	r.plugin.Inject(fake.Faults{DescribeEmpty: 1})
	r.pass(t)
	r.pass(t) // the listing is back: nothing to do
	after := r.plugin.Calls()
	if after.Provision != before.Provision || after.Destroy != before.Destroy {
		t.Fatalf("flaky observations caused %d creates and %d destroys", after.Provision-before.Provision, after.Destroy-before.Destroy)
	}
	if st, _ := r.rec.Status("web"); !st.Converged {
		t.Fatalf("status %+v", st)
	}
}

// A create whose reply is lost stays recorded: the next pass, even in a
// restarted reconciler, sees the instance instead of creating another.
func TestReconcileLostReplyNoDuplicate(t *testing.T) {
	r := newRig(t, 2)
	r.plugin.Inject(fake.Faults{LostReplies: 2})
	r.pass(t)
	r.restart(t)
	r.converge(t)
	if got := strings.Join(r.plugin.Names(), ","); got != "test-web-1,test-web-2" {
		t.Fatalf("instances %s", got)
	}
	if c := r.plugin.Calls(); c.Provision != 2 {
		t.Fatalf("%d provisions, want 2", c.Provision)
	}
	if left, _ := r.store.List(t.Context(), "web"); len(left) != 0 {
		t.Fatalf("intents left: %v", left)
	}
}

// Replacements that keep dying open the crash-loop breaker: creates stop
// until its backoff ends.
func TestReconcileCrashLoopBreaker(t *testing.T) {
	r := newRig(t, 1)
	r.pass(t) // create web-1
	for i := 0; i < 6; i++ {
		for _, n := range r.plugin.Names() {
			r.plugin.Set(n, instance.StateStopped, "")
		}
		r.pass(t) // destroy the dead one, create a replacement (unless the breaker is open)
		r.pass(t)
	}
	c := r.plugin.Calls()
	if c.Provision > 4 {
		t.Fatalf("%d creates: the breaker did not stop the loop", c.Provision)
	}
	st, _ := r.rec.Status("web")
	if !strings.Contains(strings.Join(st.Waiting, ";"), "crash-loop backoff") {
		t.Fatalf("status %+v", st)
	}
	r.clock.Advance(time.Minute) // backoff over: it tries again
	r.pass(t)
	if r.plugin.Calls().Provision != c.Provision+1 {
		t.Fatalf("no retry after the backoff")
	}
}

// An implausible drop is held once, then acted on.
func TestReconcileDropHeldOnce(t *testing.T) {
	r := newRig(t, 4)
	r.converge(t)
	for _, n := range []string{"test-web-1", "test-web-2", "test-web-3"} {
		r.plugin.Remove(n)
	}
	r.pass(t)
	if c := r.plugin.Calls(); c.Provision != 4 {
		t.Fatalf("acted on the first look: %d provisions", c.Provision)
	}
	r.converge(t)
	if len(r.plugin.Names()) != 4 {
		t.Fatalf("instances %v", r.plugin.Names())
	}
}

// A pass abandoned at shutdown leaves the last status as it was: a
// converged group must not read as failed because its runner stopped.
func TestReconcileCancelledPassKeepsStatus(t *testing.T) {
	r := newRig(t, 2)
	r.converge(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.rec.Reconcile(ctx, "web"); err == nil {
		t.Fatal("a cancelled pass returned no error")
	}
	if st, _ := r.rec.Status("web"); !st.Converged || st.Held != "" || st.LastError != "" {
		t.Fatalf("status after a cancelled pass: %+v", st)
	}
}
