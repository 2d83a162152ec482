package plugingrpc

import (
	"context"
	"encoding/json"
	"maps"
	"sync"
	"testing"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
	plugin "github.com/hashicorp/go-plugin"
)

// dialInstance serves p in memory over gRPC and returns drover's client.
func dialInstance(t testing.TB, p InstanceProvider) *InstanceClient {
	t.Helper()
	raw := dial(t, plugin.PluginSet{PluginInstance: &instancePlugin{provider: &p}}, PluginInstance)
	return raw.(*InstanceClient)
}

// dialFlavor serves p in memory over gRPC and returns drover's client.
func dialFlavor(t testing.TB, p FlavorProvider) *FlavorClient {
	t.Helper()
	raw := dial(t, plugin.PluginSet{PluginFlavor: &flavorPlugin{provider: &p}}, PluginFlavor)
	return raw.(*FlavorClient)
}

func dial(t testing.TB, set plugin.PluginSet, name string) any {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, set)
	t.Cleanup(func() { _ = client.Close() }) // stops the server too
	raw, err := client.Dispense(name)
	if err != nil {
		t.Fatalf("Dispense(%s): %v", name, err)
	}
	return raw
}

// configure configures key on c, failing the test on error.
func configure(t testing.TB, c *InstanceClient, key string) instance.Plugin {
	t.Helper()
	p, err := c.Configure(t.Context(), key, json.RawMessage(`{}`))
	if err != nil {
		t.Fatalf("Configure(%s): %v", key, err)
	}
	return p
}

// provide serves one fixed plugin for every provider block.
func provide(p instance.Plugin) InstanceProvider {
	return InstanceProvider{
		New: func(context.Context, json.RawMessage) (instance.Plugin, error) { return p, nil },
	}
}

// full is the fake plugin with every optional capability: Watch reports
// the fake's provisions and destroys, Label sets tags, CPU reports 0.5.
type full struct {
	*fake.Plugin

	mu       sync.Mutex
	watchers map[chan instance.Change]map[string]string
}

func newFull() *full {
	return &full{Plugin: fake.New(nil), watchers: map[chan instance.Change]map[string]string{}}
}

var (
	_ instance.Watcher       = (*full)(nil)
	_ instance.Labeller      = (*full)(nil)
	_ instance.MetricsSource = (*full)(nil)
)

// fullCapabilities declares every optional capability full has.
func fullCapabilities() []instance.Declaration {
	return []instance.Declaration{instance.Labelling, instance.Watching, instance.Measuring}
}

// Validate wants {"size": "..."}.
func (f *full) Validate(_ context.Context, props json.RawMessage) error {
	var p struct {
		Size string `json:"size"`
	}
	if err := json.Unmarshal(props, &p); err != nil || p.Size == "" {
		return spierr.Invalid("full.Validate", "want {\"size\": ...}")
	}
	return nil
}

func (f *full) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	id, err := f.Plugin.Provision(ctx, spec)
	if err == nil {
		f.notify(instance.Change{ID: id, Tags: spec.Tags, Action: "create"})
	}
	return id, err
}

func (f *full) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	var tags map[string]string
	if ds, err := f.Plugin.Describe(ctx, nil); err == nil {
		for _, d := range ds {
			if d.ID == id {
				tags = d.Tags
			}
		}
	}
	err := f.Plugin.Destroy(ctx, id, reason)
	if err == nil {
		f.notify(instance.Change{ID: id, Tags: tags, Action: "destroy"})
	}
	return err
}

func (f *full) notify(c instance.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch, sel := range f.watchers {
		if instance.Matches(c.Tags, sel) {
			select {
			case ch <- c:
			default: // hints may be lost
			}
		}
	}
}

func (f *full) Watch(ctx context.Context, selector map[string]string) (<-chan instance.Change, error) {
	ch := make(chan instance.Change, 64)
	f.mu.Lock()
	f.watchers[ch] = maps.Clone(selector)
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.watchers, ch)
		close(ch)
		f.mu.Unlock()
	}()
	return ch, nil
}

// watching returns the number of open watches.
func (f *full) watching() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.watchers)
}

func (f *full) Label(context.Context, instance.ID, map[string]string) error { return nil }

func (f *full) CPU(_ context.Context, ids []instance.ID) (map[instance.ID]float64, error) {
	out := map[instance.ID]float64{}
	for _, id := range ids {
		out[id] = 0.5
	}
	return out, nil
}

// failing returns err from every call.
type failing struct{ err error }

func (f failing) Validate(context.Context, json.RawMessage) error { return f.err }
func (f failing) Provision(context.Context, instance.Spec) (instance.ID, error) {
	return "", f.err
}
func (f failing) Destroy(context.Context, instance.ID, instance.DestroyReason) error { return f.err }
func (f failing) Describe(context.Context, map[string]string) ([]instance.Description, error) {
	return nil, f.err
}

// hanging ignores ctx: its calls return when release is closed.
type hanging struct {
	release chan struct{}
	seen    chan context.Context // each call's context
}

func newHanging(t testing.TB) *hanging {
	h := &hanging{release: make(chan struct{}), seen: make(chan context.Context, 16)}
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *hanging) wait(ctx context.Context) error {
	h.seen <- ctx
	<-h.release
	return nil
}
func (h *hanging) Validate(ctx context.Context, _ json.RawMessage) error { return h.wait(ctx) }
func (h *hanging) Provision(ctx context.Context, _ instance.Spec) (instance.ID, error) {
	return "x", h.wait(ctx)
}
func (h *hanging) Destroy(ctx context.Context, _ instance.ID, _ instance.DestroyReason) error {
	return h.wait(ctx)
}
func (h *hanging) Describe(ctx context.Context, _ map[string]string) ([]instance.Description, error) {
	return nil, h.wait(ctx)
}

// observing is the vanilla flavor made an observer that records what it
// was shown.
type observing struct {
	flavor.Plugin
	mu   sync.Mutex
	seen []instance.Description
}

func (o *observing) Observe(_ context.Context, _ json.RawMessage, _ flavor.Allocation, insts []instance.Description) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, insts...)
	return nil
}

// vanillaLikeSchema is a schema with defaults of several types.
func vanillaLikeSchema() *schema.Block {
	return &schema.Block{Attributes: []schema.Attribute{
		{Name: "region", Type: schema.String, Required: true, OneOf: []string{"eu", "us"}},
		{Name: "size", Type: schema.Int, Default: 2, Min: schema.Ptr(1)},
		{Name: "timeout", Type: schema.Duration, Default: "30s"},
		{Name: "token", Type: schema.String, Sensitive: true},
		{Name: "tags", Type: schema.MapOf(schema.String)},
	}}
}
