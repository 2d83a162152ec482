package plugingrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

// caps is one combination of optional capabilities.
type caps struct {
	labeller, watcher, metrics bool
	lag                        time.Duration
}

func (c caps) String() string {
	return fmt.Sprintf("L=%v,W=%v,S=%v,lag=%v", c.labeller, c.watcher, c.metrics, c.lag)
}

// allCaps are the 16 combinations.
func allCaps() []caps {
	var out []caps
	for mask := range 16 {
		c := caps{labeller: mask&1 != 0, watcher: mask&2 != 0, metrics: mask&8 != 0}
		if mask&4 != 0 {
			c.lag = 90 * time.Second
		}
		out = append(out, c)
	}
	return out
}

// declarations are c's declared capabilities.
func (c caps) declarations() []instance.Declaration {
	var ds []instance.Declaration
	if c.labeller {
		ds = append(ds, instance.Labelling)
	}
	if c.watcher {
		ds = append(ds, instance.Watching)
	}
	if c.metrics {
		ds = append(ds, instance.Measuring)
	}
	return ds
}

// names are the names of c's declared capabilities, as Info reports them
// (sorted).
func (c caps) names() []string {
	var names []string
	for _, d := range c.declarations() {
		names = append(names, d.Name())
	}
	slices.Sort(names)
	return names
}

// has reports the optional capabilities of p, as the controller finds
// them.
func has(p instance.Plugin) caps {
	var c caps
	_, c.labeller = instance.Capability[instance.Labeller](p)
	_, c.watcher = instance.Capability[instance.Watcher](p)
	_, c.metrics = instance.Capability[instance.MetricsSource](p)
	if l, ok := instance.Capability[instance.Lagging](p); ok {
		c.lag = l.ListLag()
	}
	return c
}

// TestCapabilitiesAsDeclared: Info reports the declared capabilities, and
// the configured plugin has exactly those, for every combination, even
// when the plugin in the plugin process has more.
func TestCapabilitiesAsDeclared(t *testing.T) {
	for _, want := range allCaps() {
		t.Run(want.String(), func(t *testing.T) {
			p := provide(newFull())
			p.Capabilities, p.ListLag = want.declarations(), want.lag
			c := dialInstance(t, p)
			info, err := c.Info(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(info.Capabilities, want.names()) || info.ListLag != want.lag {
				t.Errorf("Info declares %v and lag %v, want %v", info.Capabilities, info.ListLag, want)
			}
			ip := configure(t, c, "p")
			if got := has(ip); got != want {
				t.Fatalf("the configured plugin has %v, want %v", got, want)
			}
			ctx := t.Context()
			if l, ok := instance.Capability[instance.Labeller](ip); ok {
				if err := l.Label(ctx, "i-1", map[string]string{"a": "b"}); err != nil {
					t.Errorf("Label: %v", err)
				}
			}
			if s, ok := instance.Capability[instance.MetricsSource](ip); ok {
				if cpu, err := s.CPU(ctx, []instance.ID{"i-1"}); err != nil || cpu["i-1"] != 0.5 {
					t.Errorf("CPU = %v, %v; want i-1: 0.5", cpu, err)
				}
			}
			if w, ok := instance.Capability[instance.Watcher](ip); ok {
				wctx, cancel := context.WithCancel(ctx)
				ch, err := w.Watch(wctx, nil)
				if err != nil {
					t.Fatalf("Watch: %v", err)
				}
				cancel()
				for range ch { // closed once the stream ends
				}
			}
		})
	}
}

// TestDeclaredButMissing: a plugin that lacks a capability it declares is
// refused at Configure; an undeclared one is refused per call.
func TestDeclaredButMissing(t *testing.T) {
	tests := []struct {
		name    string
		declare func(*InstanceProvider)
	}{
		{"labeller", func(p *InstanceProvider) { p.Capabilities = []instance.Declaration{instance.Labelling} }},
		{"watcher", func(p *InstanceProvider) { p.Capabilities = []instance.Declaration{instance.Watching} }},
		{"metrics source", func(p *InstanceProvider) { p.Capabilities = []instance.Declaration{instance.Measuring} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := provide(fake.New(nil)) // no optional capabilities
			tt.declare(&p)
			_, err := dialInstance(t, p).Configure(t.Context(), "p", json.RawMessage(`{}`))
			if !errors.Is(err, spierr.ErrInvalid) {
				t.Errorf("Configure = %v, want a spierr.ErrInvalid error", err)
			}
		})
	}
	t.Run("undeclared call", func(t *testing.T) {
		c := dialInstance(t, provide(newFull()))
		configure(t, c, "p")
		// A client that believes the plugin declared them.
		forged := &remoteInstance{rpc: c.rpc, key: "p", names: []string{"cpu", "label", "watch"}}
		l, _ := instance.Capability[instance.Labeller](forged)
		if err := l.Label(t.Context(), "i-1", nil); !errors.Is(err, spierr.ErrUnsupported) || !spierr.IsNotDone(err) {
			t.Errorf("Label of an undeclared Labeller = %v, want spierr.ErrUnsupported, not done", err)
		}
		s, _ := instance.Capability[instance.MetricsSource](forged)
		if _, err := s.CPU(t.Context(), []instance.ID{"i-1"}); !errors.Is(err, spierr.ErrUnsupported) || !spierr.IsNotDone(err) {
			t.Errorf("CPU of an undeclared MetricsSource = %v, want spierr.ErrUnsupported, not done", err)
		}
		w, _ := instance.Capability[instance.Watcher](forged)
		if _, err := w.Watch(t.Context(), nil); !errors.Is(err, spierr.ErrUnsupported) || !spierr.IsNotDone(err) {
			t.Errorf("Watch of an undeclared Watcher = %v, want spierr.ErrUnsupported, not done", err)
		}
	})
}

// TestInfoSchemas: the schemas arrive as declared; none is an empty block.
func TestInfoSchemas(t *testing.T) {
	p := provide(fake.New(nil))
	p.ProviderSchema = vanillaLikeSchema()
	info, err := dialInstance(t, p).Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(p.ProviderSchema)
	got, _ := json.Marshal(info.ProviderSchema)
	if string(got) != string(want) {
		t.Errorf("provider schema = %s, want %s", got, want)
	}
	if info.InstanceSchema == nil || len(info.InstanceSchema.Attributes) != 0 {
		t.Errorf("instance schema = %+v, want an empty block", info.InstanceSchema)
	}
	if err := info.ProviderSchema.Validate(); err != nil {
		t.Errorf("the received schema does not validate: %v", err)
	}
}
