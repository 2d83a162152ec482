package metrics

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

func newMetrics(t *testing.T) (*Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

func TestNewRegistersRuntimeCollectors(t *testing.T) {
	_, reg := newMetrics(t)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		seen[f.GetName()] = true
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if !seen[name] {
			t.Errorf("%s not gathered", name)
		}
	}
	if _, err := New(reg); err == nil {
		t.Error("New registered twice on one registry without error")
	}
}

func TestLint(t *testing.T) {
	m, reg := newMetrics(t)
	m.Event(resource.Event{Kind: "created"})
	m.Instances(resource.NewStatus(resource.Group.KeyOf("web")))
	problems, err := testutil.GatherAndLint(reg, "drover_actions_total", "drover_instances", "drover_reconcile_duration_seconds")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

type reconcileFunc func(context.Context, resource.Key) (reconcile.Result, error)

func (f reconcileFunc) Reconcile(ctx context.Context, key resource.Key) (reconcile.Result, error) {
	return f(ctx, key)
}

func TestReconcilerResults(t *testing.T) {
	m, reg := newMetrics(t)
	failed := errors.New("boom")
	outcomes := map[string]struct {
		res reconcile.Result
		err error
	}{
		"a": {res: reconcile.Result{}},
		"b": {res: reconcile.Result{Requeue: true}},
		"c": {err: failed},
		"d": {err: context.Canceled},                         // abandoned
		"e": {err: errors.Join(failed, context.Canceled)},    // abandoned, as group.Reconciler reports it
		"f": {err: fmt.Errorf("pass: %w", context.Canceled)}, // abandoned
	}
	r := m.Reconciler(reconcileFunc(func(ctx context.Context, key resource.Key) (reconcile.Result, error) {
		return outcomes[key.Name].res, outcomes[key.Name].err
	}))

	for _, key := range []string{"a", "b", "c"} {
		res, err := r.Reconcile(t.Context(), resource.Group.KeyOf(key))
		if res != outcomes[key].res || !errors.Is(err, outcomes[key].err) {
			t.Errorf("%s: got (%v, %v), want the inner reconciler's", key, res, err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, key := range []string{"d", "e", "f"} {
		_, _ = r.Reconcile(ctx, resource.Group.KeyOf(key))
	}
	_, _ = r.Reconcile(t.Context(), resource.Group.KeyOf("d")) // ctx's error without ctx ending: a failure

	want := map[string]uint64{
		"group.a,ok": 1, "group.b,ok": 1, "group.c,error": 1, "group.d,error": 1,
		"group.d,abandoned": 1, "group.e,abandoned": 1, "group.f,abandoned": 1,
	}
	got := histogramCounts(t, reg, "drover_reconcile_duration_seconds")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pass counts:\n got %v\nwant %v", got, want)
	}
}

// histogramCounts returns the sample count of each series of histogram
// name, by its label values joined with commas.
func histogramCounts(t *testing.T, g prometheus.Gatherer, name string) map[string]uint64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, mt := range f.GetMetric() {
			var values []string
			for _, l := range mt.GetLabel() {
				values = append(values, l.GetValue())
			}
			out[strings.Join(values, ",")] = mt.GetHistogram().GetSampleCount()
		}
	}
	return out
}

func TestEvent(t *testing.T) {
	for _, tc := range []struct{ kind, wantKind, wantResult string }{
		{"created", "create", "ok"},
		{"create_failed", "create", "error"},
		{"destroyed", "destroy", "ok"},
		{"destroy_failed", "destroy", "error"},
		{"lost", "lost", "observed"},
		{"held", "hold", "observed"},
		{"converged", "converged", "ok"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			m, _ := newMetrics(t)
			m.Event(resource.Event{Resource: resource.Group.KeyOf("web"), Kind: tc.kind})
			if n := testutil.CollectAndCount(m.actions); n != 1 {
				t.Errorf("%d series, want 1", n)
			}
			if v := testutil.ToFloat64(m.actions.WithLabelValues(tc.wantKind, tc.wantResult)); v != 1 {
				t.Errorf("drover_actions_total{kind=%q,result=%q} = %v, want 1", tc.wantKind, tc.wantResult, v)
			}
		})
	}
}

func TestInstancesAndForget(t *testing.T) {
	m, reg := newMetrics(t)
	m.Instances(groupStatus("web", resource.Counts{
		Desired: 3, Total: 4, Ready: 2, Starting: 1, Unhealthy: 1, Dead: 0, Outdated: 2, Creating: 1,
	}))
	m.Instances(groupStatus("db", resource.Counts{Desired: 1, Ready: 1}))
	m.Instances(groupStatus("web", resource.Counts{Desired: 3, Ready: 3})) // overwrites
	api := resource.NewStatus(resource.Service.KeyOf("api"))
	api.Observed = resource.Counts{Desired: 2, Total: 2, Ready: 2}
	m.Instances(api) // a service's tasks are no machines: not counted

	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP drover_instances Instances of each group as its last reconcile pass saw them, by state (desired, ready, starting, unhealthy, dead, outdated, creating).
# TYPE drover_instances gauge
drover_instances{group="db",state="creating"} 0
drover_instances{group="db",state="dead"} 0
drover_instances{group="db",state="desired"} 1
drover_instances{group="db",state="outdated"} 0
drover_instances{group="db",state="ready"} 1
drover_instances{group="db",state="starting"} 0
drover_instances{group="db",state="unhealthy"} 0
drover_instances{group="web",state="creating"} 0
drover_instances{group="web",state="dead"} 0
drover_instances{group="web",state="desired"} 3
drover_instances{group="web",state="outdated"} 0
drover_instances{group="web",state="ready"} 3
drover_instances{group="web",state="starting"} 0
drover_instances{group="web",state="unhealthy"} 0
`), "drover_instances")
	if err != nil {
		t.Error(err)
	}

	m.Forget("web")
	if n := testutil.CollectAndCount(m.instances); n != 7 {
		t.Errorf("%d series after Forget(web), want db's 7", n)
	}
	if v := testutil.ToFloat64(m.instances.WithLabelValues("db", "desired")); v != 1 {
		t.Errorf("db desired = %v after Forget(web), want 1", v)
	}
}

// groupStatus is the status of group name with counts c.
func groupStatus(name string, c resource.Counts) resource.Status {
	st := resource.NewStatus(resource.Group.KeyOf(name))
	st.Desired, st.Observed = c.Desired, c
	return st
}

func TestQueueDepth(t *testing.T) {
	m, reg := newMetrics(t)
	depth := 3
	if err := m.QueueDepth(func() int { return depth }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []int{3, 7} {
		depth = want
		err := testutil.GatherAndCompare(reg, strings.NewReader(fmt.Sprintf(`
# HELP drover_queue_depth Keys waiting in the reconcile queue.
# TYPE drover_queue_depth gauge
drover_queue_depth %d
`, want)), "drover_queue_depth")
		if err != nil {
			t.Error(err)
		}
	}
	if err := m.QueueDepth(func() int { return 0 }); err == nil {
		t.Error("a second QueueDepth registered without error")
	}
}
