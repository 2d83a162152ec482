package instance_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

// labelling is the fake plugin with Label, which records its calls.
type labelling struct {
	*fake.Plugin
	labelled []instance.ID
}

func (l *labelling) Label(_ context.Context, id instance.ID, labels map[string]string) error {
	if labels["fail"] != "" {
		return spierr.NotFound("labelling.Label", "no such instance")
	}
	l.labelled = append(l.labelled, id)
	return nil
}

// hook is a wrapper that records the calls through its Around.
type hook struct {
	instance.Plugin
	calls *[]string
}

func (h hook) Unwrap() instance.Plugin { return h.Plugin }

func (h hook) Around(ctx context.Context, call string, do func(context.Context, instance.Plugin) error) error {
	*h.calls = append(*h.calls, call)
	return do(ctx, h.Plugin)
}

// transport is a Declarer and Invoker in front of a plugin: it carries
// calls as JSON to instance.Invoke, as plugins/grpc does over the wire.
type transport struct {
	*fake.Plugin
	declared []string
	behind   instance.Plugin
}

func (t transport) Declares(name string) bool { return slices.Contains(t.declared, name) }

func (t transport) Invoke(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
	return instance.Invoke(ctx, t.behind, name, args)
}

// TestCapabilityThroughWrappers: a declared capability is found on the
// plugin that has it, through hooks (whose Around sees each call) and
// through a transport that declares it, and nowhere else.
func TestCapabilityThroughWrappers(t *testing.T) {
	var calls []string
	l := &labelling{Plugin: fake.New(nil)}
	plain := fake.New(nil)
	tests := []struct {
		name      string
		p         instance.Plugin
		want      bool
		wantCalls []string
	}{
		{"the plugin itself", l, true, nil},
		{"a plugin without it", plain, false, nil},
		{"through a hook", hook{l, &calls}, true, []string{"label"}},
		{"through two hooks", hook{hook{l, &calls}, &calls}, true, []string{"label", "label"}},
		{"a hook over a plugin without it", hook{plain, &calls}, false, nil},
		{"a transport that declares it", transport{fake.New(nil), []string{"label"}, l}, true, nil},
		{"a transport that does not declare it", transport{fake.New(nil), nil, l}, false, nil},
		{"a hook over a transport", hook{transport{fake.New(nil), []string{"label"}, l}, &calls}, true, []string{"label"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, l.labelled = nil, nil
			got, ok := instance.Capability[instance.Labeller](tt.p)
			if ok != tt.want || instance.Has(tt.p, instance.Labelling) != tt.want {
				t.Fatalf("Capability found = %v, Has = %v; want %v", ok, instance.Has(tt.p, instance.Labelling), tt.want)
			}
			if !ok {
				return
			}
			if err := got.Label(t.Context(), "i-1", map[string]string{"a": "b"}); err != nil {
				t.Fatalf("Label: %v", err)
			}
			if !slices.Equal(l.labelled, []instance.ID{"i-1"}) {
				t.Errorf("the plugin labelled %v, want i-1", l.labelled)
			}
			if !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("hooks saw %v, want %v", calls, tt.wantCalls)
			}
			err := got.Label(t.Context(), "i-1", map[string]string{"fail": "1"})
			if !errors.Is(err, spierr.ErrNotFound) {
				t.Errorf("Label's error = %v, want the plugin's not found", err)
			}
		})
	}
}

// watching is the fake plugin with Watch.
type watching struct{ *fake.Plugin }

func (watching) Watch(context.Context, map[string]string) (<-chan instance.Change, error) {
	ch := make(chan instance.Change, 1)
	ch <- instance.Change{ID: "i-1", Action: "die"}
	close(ch)
	return ch, nil
}

// TestStreamNotInvoked: a stream goes through hooks, but a transport must
// have the method itself: the generic call carries only unary ones.
func TestStreamNotInvoked(t *testing.T) {
	var calls []string
	w := watching{fake.New(nil)}
	if _, ok := instance.Capability[instance.Watcher](transport{fake.New(nil), []string{"watch"}, w}); ok {
		t.Error("a transport without Watch has a Watcher")
	}
	hw, ok := instance.Capability[instance.Watcher](hook{w, &calls})
	if !ok {
		t.Fatal("a hook over a Watcher has none")
	}
	ch, err := hw.Watch(t.Context(), nil)
	if c := <-ch; err != nil || c.Action != "die" || !slices.Equal(calls, []string{"watch"}) {
		t.Errorf("Watch = %v, %v, hooks saw %v; want the plugin's change, seen as watch", c, err, calls)
	}
	if !instance.Watching.Stream() || instance.Labelling.Stream() {
		t.Error("Watching must be a stream, Labelling not")
	}
}

// TestInvokeErrors: what the plugin side of a transport refuses, marked
// not done.
func TestInvokeErrors(t *testing.T) {
	l := &labelling{Plugin: fake.New(nil)}
	tests := []struct {
		name, call, args string
		p                instance.Plugin
		want             error
	}{
		{"unknown capability", "nope", `{}`, l, spierr.ErrUnsupported},
		{"a stream", "watch", `{}`, watching{fake.New(nil)}, spierr.ErrUnsupported},
		{"a plugin without it", "label", `{"id": "i-1"}`, fake.New(nil), spierr.ErrUnsupported},
		{"bad arguments", "label", `["i-1"]`, l, spierr.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := instance.Invoke(t.Context(), tt.p, tt.call, json.RawMessage(tt.args))
			if !errors.Is(err, tt.want) || !spierr.IsNotDone(err) {
				t.Errorf("Invoke = %v, want %v marked not done", err, tt.want)
			}
		})
	}
	res, err := instance.Invoke(t.Context(), l, "label", json.RawMessage(`{"id": "i-2", "labels": {"a": "b"}}`))
	if err != nil || string(res) != `{}` || !slices.Equal(l.labelled, []instance.ID{"i-2"}) {
		t.Errorf("Invoke = %s, %v, labelled %v; want {} and i-2 labelled", res, err, l.labelled)
	}
}

// TestCapabilitiesNames: the names of the declared capabilities a plugin
// has, sorted, and each declaration found by its name.
func TestCapabilitiesNames(t *testing.T) {
	both := struct {
		*labelling
		instance.Watcher
	}{&labelling{Plugin: fake.New(nil)}, watching{}}
	if got := instance.Capabilities(both); !slices.Equal(got, []string{"label", "watch"}) {
		t.Errorf("Capabilities = %v, want label and watch", got)
	}
	if got := instance.Capabilities(fake.New(nil)); len(got) != 0 {
		t.Errorf("Capabilities of the fake = %v, want none", got)
	}
	for _, d := range instance.Declarations() {
		if got, ok := instance.Declared(d.Name()); !ok || got != d {
			t.Errorf("Declared(%s) = %v, %v", d.Name(), got, ok)
		}
	}
}
