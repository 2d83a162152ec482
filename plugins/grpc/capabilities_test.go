package plugingrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

// caps is one combination of optional capabilities.
type caps struct {
	labeller, watcher bool
	lag               time.Duration
}

func (c caps) String() string {
	return fmt.Sprintf("L=%v,W=%v,lag=%v", c.labeller, c.watcher, c.lag)
}

// allCaps are the 8 combinations.
func allCaps() []caps {
	var out []caps
	for mask := range 8 {
		c := caps{labeller: mask&1 != 0, watcher: mask&2 != 0}
		if mask&4 != 0 {
			c.lag = 90 * time.Second
		}
		out = append(out, c)
	}
	return out
}

// has reports the optional capabilities of p, as the controller finds
// them.
func has(p instance.Plugin) caps {
	var c caps
	_, c.labeller = p.(instance.Labeller)
	_, c.watcher = p.(instance.Watcher)
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
			p.Labeller, p.Watcher, p.ListLag = want.labeller, want.watcher, want.lag
			c := dialInstance(t, p)
			info, err := c.Info(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := (caps{info.Labeller, info.Watcher, info.ListLag}); got != want {
				t.Errorf("Info declares %v, want %v", got, want)
			}
			ip := configure(t, c, "p")
			if got := has(ip); got != want {
				t.Fatalf("the configured plugin has %v, want %v", got, want)
			}
			ctx := t.Context()
			if l, ok := ip.(instance.Labeller); ok {
				if err := l.Label(ctx, "i-1", map[string]string{"a": "b"}); err != nil {
					t.Errorf("Label: %v", err)
				}
			}
			if w, ok := ip.(instance.Watcher); ok {
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

// TestComposeAllCombinations: compose builds each combination.
func TestComposeAllCombinations(t *testing.T) {
	f := newFull()
	for _, want := range allCaps() {
		var (
			w instance.Watcher
			l instance.Labeller
			g instance.Lagging
		)
		if want.watcher {
			w = f
		}
		if want.labeller {
			l = f
		}
		if want.lag > 0 {
			g = lagging(want.lag)
		}
		if got := has(compose(checking{f.Plugin}, w, l, g)); got != want {
			t.Errorf("compose(%v) has %v", want, got)
		}
	}
}

// TestDeclaredButMissing: a plugin that lacks a capability it declares is
// refused at Configure; an undeclared one is refused per call.
func TestDeclaredButMissing(t *testing.T) {
	tests := []struct {
		name    string
		declare func(*InstanceProvider)
	}{
		{"labeller", func(p *InstanceProvider) { p.Labeller = true }},
		{"watcher", func(p *InstanceProvider) { p.Watcher = true }},
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
		l := labelling{&remoteInstance{rpc: c.rpc, key: "p"}}
		if err := l.Label(t.Context(), "i-1", nil); !errors.Is(err, spierr.ErrUnsupported) {
			t.Errorf("Label of an undeclared Labeller = %v, want spierr.ErrUnsupported", err)
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

// checking gives a plugin the Check that compose wants.
type checking struct{ instance.Plugin }

func (c checking) Check(ctx context.Context, props json.RawMessage) ([]spierr.Warning, error) {
	return nil, c.Validate(ctx, props)
}
