package runner_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/spierr"
)

// flaky is the real docker plugin with listings that fail or come back
// empty on demand.
type flaky struct {
	*docker.Plugin
	errors, empties atomic.Int32
}

func (f *flaky) Describe(ctx context.Context, sel map[string]string) ([]instance.Description, error) {
	if f.errors.Add(-1) >= 0 {
		return nil, spierr.Unavailable("flaky", "injected listing failure")
	}
	if f.empties.Add(-1) >= 0 {
		return nil, nil
	}
	return f.Plugin.Describe(ctx, sel)
}

// A listing that fails, or comes back empty once, makes no destroys and no
// creates on the real engine.
func TestFlakyObservationChangesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	spec := w.spec(3, w.image, "")
	w.converge(spec)
	before := w.machines()

	f := &flaky{}
	reg := plugins.NewRegistry()
	if err := reg.RegisterInstance(docker.PluginName, plugins.InstancePlugin{
		ProviderSchema: docker.ProviderSchema(), InstanceSchema: docker.InstanceSchema(),
		New: func(ctx context.Context, cfg json.RawMessage) (instance.Plugin, error) {
			p, err := docker.New(ctx, cfg)
			if err != nil {
				return nil, err
			}
			f.Plugin = p
			return f, nil
		},
	}); err != nil {
		t.Fatal(err)
	}
	reg.RegisterFlavor(vanilla.PluginName, plugins.FlavorPlugin{Schema: vanilla.Schema(),
		New: func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil }})
	w.events = &recorder{} // only what the flaky run does

	r := w.runner(spec, func(o *runner.Options) { o.Registry, o.Resync = reg, 200*time.Millisecond })
	ctx, cancel := context.WithTimeout(t.Context(), boundGroup)
	defer cancel()
	injected := false
	r.Run(ctx, func(r *runner.Runner) bool {
		sts := r.Statuses()
		converged := len(sts) == 1 && sts[0].Converged
		if converged && !injected { // the runner has seen the group: now the listings turn flaky
			injected = true
			f.errors.Store(2)
			f.empties.Store(1) // once: a second empty look in a row confirms a real loss
			return false
		}
		return injected && f.empties.Load() < 0 && converged // faults used up, a good pass after
	}, nil)
	if f.empties.Load() >= 0 {
		t.Fatal("the faults were not all met")
	}
	after := w.machines()
	ids := func(l []string) []string { slices.Sort(l); return l }
	var b, a []string
	for _, m := range before {
		b = append(b, m.ID)
	}
	for _, m := range after {
		a = append(a, m.ID)
	}
	if !slices.Equal(ids(b), ids(a)) {
		t.Fatalf("machines changed across flaky listings:\nbefore %v\nafter  %v", b, a)
	}
	for _, kind := range []string{"created", "create_failed", "destroyed"} {
		if e, ok := w.events.find(kind, ""); ok {
			t.Errorf("flaky listings caused %s", e)
		}
	}
	w.converge(spec) // and nothing was lost for good
}
