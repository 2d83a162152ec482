package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
)

func TestInstrumentCountsCalls(t *testing.T) {
	m, reg := newMetrics(t)
	inner := fake.New(nil)
	p := m.Instrument("fake", inner)
	ctx := t.Context()

	if err := p.Validate(ctx, json.RawMessage(`{}`)); err != nil {
		t.Fatal(err)
	}
	id, err := p.Provision(ctx, instance.Spec{Name: "web-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Provision(ctx, instance.Spec{Name: "web-1"}); err == nil {
		t.Fatal("provisioning a name in use succeeded")
	}
	inner.Inject(fake.Faults{DescribeErrors: 1})
	if _, err := p.Describe(ctx, nil); err == nil {
		t.Fatal("injected Describe failure was not returned")
	}
	ds, err := p.Describe(ctx, nil)
	if err != nil || len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("Describe = %v, %v; want the instance provisioned", ds, err)
	}
	if err := p.Destroy(ctx, id, ""); err != nil {
		t.Fatal(err)
	}

	if got, want := inner.Calls(), (fake.Calls{Provision: 2, Describe: 2, Destroy: 1}); got != want {
		t.Errorf("inner calls = %+v, want %+v", got, want)
	}
	for _, c := range []struct {
		call, result string
		want         float64
	}{
		{"validate", "ok", 1}, {"provision", "ok", 1}, {"provision", "error", 1},
		{"describe", "ok", 1}, {"describe", "error", 1}, {"destroy", "ok", 1},
	} {
		if v := testutil.ToFloat64(m.providerCalls.WithLabelValues("fake", c.call, c.result)); v != c.want {
			t.Errorf("calls{%s,%s} = %v, want %v", c.call, c.result, v, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.providerCalls); n != 6 {
		t.Errorf("%d call series, want 6", n)
	}
	got := histogramCounts(t, reg, "drover_provider_call_duration_seconds")
	// Labels come sorted by name: call, then provider.
	want := map[string]uint64{"validate,fake": 1, "provision,fake": 2, "describe,fake": 2, "destroy,fake": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("duration counts:\n got %v\nwant %v", got, want)
	}
}

// Stubs of the optional capabilities, to combine with fake.Plugin.
type (
	watchStub struct{}
	labelStub struct{}
	cpuStub   struct{}
)

func (watchStub) Watch(context.Context, map[string]string) (<-chan instance.Change, error) {
	ch := make(chan instance.Change, 1)
	ch <- instance.Change{ID: "fake-1", Action: "die"}
	close(ch)
	return ch, nil
}

func (labelStub) Label(context.Context, instance.ID, map[string]string) error {
	return errors.New("unsupported")
}

func (cpuStub) CPU(context.Context, []instance.ID) (map[instance.ID]float64, error) {
	return map[instance.ID]float64{"fake-1": 0.5}, nil
}

// capabilities says which optional capabilities p has, as the controller
// finds them, as a bit set:
// 1 Watcher, 2 Labeller, 4 MetricsSource.
func capabilities(p instance.Plugin) int {
	c := 0
	if _, ok := instance.Capability[instance.Watcher](p); ok {
		c |= 1
	}
	if _, ok := instance.Capability[instance.Labeller](p); ok {
		c |= 2
	}
	if _, ok := instance.Capability[instance.MetricsSource](p); ok {
		c |= 4
	}
	return c
}

func TestInstrumentKeepsExactlyTheCapabilities(t *testing.T) {
	f := fake.New(nil)
	inners := []instance.Plugin{
		f,
		struct {
			*fake.Plugin
			watchStub
		}{f, watchStub{}},
		struct {
			*fake.Plugin
			labelStub
		}{f, labelStub{}},
		struct {
			*fake.Plugin
			watchStub
			labelStub
		}{f, watchStub{}, labelStub{}},
		struct {
			*fake.Plugin
			cpuStub
		}{f, cpuStub{}},
		struct {
			*fake.Plugin
			watchStub
			cpuStub
		}{f, watchStub{}, cpuStub{}},
		struct {
			*fake.Plugin
			labelStub
			cpuStub
		}{f, labelStub{}, cpuStub{}},
		struct {
			*fake.Plugin
			watchStub
			labelStub
			cpuStub
		}{f, watchStub{}, labelStub{}, cpuStub{}},
	}
	for want, inner := range inners {
		if capabilities(inner) != want {
			t.Fatalf("test plugin %d has capabilities %03b, want %03b", want, capabilities(inner), want)
		}
		m, _ := newMetrics(t)
		p := m.Instrument("p", inner)
		if got := capabilities(p); got != want {
			t.Errorf("instrumented plugin with capabilities %03b has %03b", want, got)
		}
		callCapabilities(t, p)
		for bit, c := range []struct{ call, result string }{{"watch", "ok"}, {"label", "error"}, {"cpu", "ok"}} {
			wantCount := 0.0
			if want&(1<<bit) != 0 {
				wantCount = 1
			}
			if n := testutil.ToFloat64(m.providerCalls.WithLabelValues("p", c.call, c.result)); n != wantCount {
				t.Errorf("capabilities %03b: %s counted %v times, want %v", want, c.call, n, wantCount)
			}
		}
	}
}

// callCapabilities calls each optional capability p has once and checks
// that the stub's answer comes through.
func callCapabilities(t *testing.T, p instance.Plugin) {
	t.Helper()
	ctx := t.Context()
	if w, ok := instance.Capability[instance.Watcher](p); ok {
		ch, err := w.Watch(ctx, nil)
		if c := <-ch; err != nil || c.Action != "die" {
			t.Errorf("Watch = %v, %v; want the stub's change", c, err)
		}
	}
	if l, ok := instance.Capability[instance.Labeller](p); ok {
		if err := l.Label(ctx, "fake-1", nil); err == nil || err.Error() != "unsupported" {
			t.Errorf("Label = %v, want the stub's error", err)
		}
	}
	if s, ok := instance.Capability[instance.MetricsSource](p); ok {
		if cpu, err := s.CPU(ctx, nil); err != nil || cpu["fake-1"] != 0.5 {
			t.Errorf("CPU = %v, %v; want the stub's", cpu, err)
		}
	}
}

type lagStub struct{}

func (lagStub) ListLag() time.Duration { return 42 * time.Second }

// Capabilities that are not calls are read through the wrapper.
func TestInstrumentedPluginStillLags(t *testing.T) {
	m, _ := newMetrics(t)
	lagging := struct {
		*fake.Plugin
		lagStub
	}{fake.New(nil), lagStub{}}
	for _, tc := range []struct {
		name  string
		inner instance.Plugin
		want  time.Duration
	}{{"lagging", lagging, 42 * time.Second}, {"not lagging", fake.New(nil), 0}} {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := instance.Capability[instance.Lagging](m.Instrument("p", tc.inner))
			var got time.Duration
			if ok {
				got = l.ListLag()
			}
			if got != tc.want {
				t.Errorf("ListLag through the wrapper = %v, want %v", got, tc.want)
			}
		})
	}
}
