package plugingrpc

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// vanillaProvider serves the vanilla flavor, as a plugin binary would.
func vanillaProvider() FlavorProvider {
	return FlavorProvider{
		Schema: vanilla.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
	}
}

// TestFlavorRoundTrip: the vanilla flavor answers the same over gRPC as
// in-process, errors included.
func TestFlavorRoundTrip(t *testing.T) {
	c := dialFlavor(t, vanillaProvider())
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mustJSON(t, info.Schema), mustJSON(t, vanilla.Schema())) || info.Observer {
		t.Errorf("Info = %+v, want vanilla's schema and no observer", info)
	}
	remote, err := c.Flavor(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := remote.(flavor.Observer); ok {
		t.Error("the vanilla flavor over gRPC is a flavor.Observer")
	}
	local := vanilla.New()
	alloc := flavor.Allocation{Group: "web", Size: 3, LogicalIDs: []instance.LogicalID{"a", "b"}}
	spec := instance.Spec{
		Name: "web-1", Properties: json.RawMessage(`{"size":"s"}`),
		Tags: map[string]string{instance.TagGroup: "web", "x": "Ünï a=b"}, Init: "echo 1", LogicalID: "a",
	}
	props := []json.RawMessage{
		json.RawMessage(`{"init":"echo hi","labels":{"team":"ops"}}`),
		json.RawMessage(`{}`),
		json.RawMessage(`{"nope":1}`),                          // invalid: unknown attribute
		json.RawMessage(`{"labels":{"drover.group":"other"}}`), // invalid: drover's key
	}
	insts := []instance.Description{
		{ID: "1", State: instance.StateRunning, CreatedAt: time.Unix(1700000000, 0).UTC()},
		{ID: "2", State: instance.StateRunning, Health: instance.HealthUnhealthy},
		{ID: "3", State: instance.StateStopped, Detail: "exit 137"},
		{ID: "4", State: "weird"},
	}
	ctx := t.Context()
	for _, pr := range props {
		t.Run(string(pr), func(t *testing.T) {
			sameErr(t, "Validate", remote.Validate(ctx, pr, alloc), local.Validate(ctx, pr, alloc))
			gotSpec, gerr := remote.Prepare(ctx, pr, spec, alloc)
			wantSpec, werr := local.Prepare(ctx, pr, spec, alloc)
			sameErr(t, "Prepare", gerr, werr)
			if !reflect.DeepEqual(mustJSON(t, gotSpec), mustJSON(t, wantSpec)) {
				t.Errorf("Prepare = %+v, want %+v", gotSpec, wantSpec)
			}
			for _, inst := range insts {
				gh, gerr := remote.Health(ctx, pr, inst)
				wh, werr := local.Health(ctx, pr, inst)
				sameErr(t, "Health", gerr, werr)
				if gh != wh {
					t.Errorf("Health(%s) = %+v, want %+v", inst.ID, gh, wh)
				}
				sameErr(t, "Drain", remote.Drain(ctx, pr, inst), local.Drain(ctx, pr, inst))
			}
		})
	}
}

// TestFlavorObserver: a flavor.Observer stays one over gRPC, and Observe
// carries the listing.
func TestFlavorObserver(t *testing.T) {
	o := &observing{Plugin: vanilla.New()}
	c := dialFlavor(t, FlavorProvider{
		Schema: vanilla.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return o, nil },
	})
	f, err := c.Flavor(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	obs, ok := f.(flavor.Observer)
	if !ok {
		t.Fatal("an observing flavor over gRPC is not a flavor.Observer")
	}
	insts := []instance.Description{{ID: "1", State: instance.StateRunning}, {ID: "2", State: instance.StatePending}}
	if err := obs.Observe(t.Context(), json.RawMessage(`{}`), flavor.Allocation{Group: "g", Size: 2}, insts); err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !reflect.DeepEqual(o.seen, insts) {
		t.Errorf("the plugin observed %+v, want %+v", o.seen, insts)
	}
}

// TestFlavorNewFails: the constructor's error is the call's, and New is
// tried again at the next call.
func TestFlavorNewFails(t *testing.T) {
	calls := 0
	c := dialFlavor(t, FlavorProvider{
		Schema: vanilla.Schema(),
		New: func(context.Context) (flavor.Plugin, error) {
			calls++
			if calls == 1 {
				return nil, spierr.Unavailable("mine.New", "cluster unreachable")
			}
			return vanilla.New(), nil
		},
	})
	if _, err := c.Flavor(t.Context()); !errors.Is(err, spierr.ErrUnavailable) || err.Error() != "mine.New: cluster unreachable" {
		t.Fatalf("Flavor = %v, want the constructor's error", err)
	}
	if _, err := c.Flavor(t.Context()); err != nil {
		t.Fatalf("Flavor after a failed New = %v, want nil", err)
	}
}

// sameErr checks that err, from over gRPC, is what want was in-process.
func sameErr(t *testing.T, call string, got, want error) {
	t.Helper()
	switch {
	case (got == nil) != (want == nil):
		t.Errorf("%s = %v, want %v", call, got, want)
	case got == nil:
	case got.Error() != want.Error() || spierr.CodeOf(got) != spierr.CodeOf(want):
		t.Errorf("%s = %v (%s), want %v (%s)", call, got, spierr.CodeOf(got), want, spierr.CodeOf(want))
	}
}

// mustJSON is v as a JSON tree, to compare values whatever their Go types.
func mustJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	return tree
}
