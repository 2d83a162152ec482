package external

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	plugingrpc "github.com/drover/drover/plugins/grpc"
)

// newFlavor returns a flavor.Plugin over the supervisor, with Observer
// exactly when the plugin declared it at its first start.
func newFlavor(s *Supervisor, info plugingrpc.FlavorInfo) flavor.Plugin {
	f := &flavorCore{s: s}
	if info.Observer {
		return struct {
			*flavorCore
			observing
		}{f, observing{f}}
	}
	return f
}

type flavorCore struct{ s *Supervisor }

func callFlavor[T any](ctx context.Context, s *Supervisor, op string, f func(context.Context, flavor.Plugin) (T, error)) (T, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	p, err := s.flavor(ctx, op)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(ctx, p)
}

func (f *flavorCore) Validate(ctx context.Context, props json.RawMessage, alloc flavor.Allocation) error {
	_, err := callFlavor(ctx, f.s, "Validate", func(ctx context.Context, p flavor.Plugin) (struct{}, error) {
		return struct{}{}, p.Validate(ctx, props, alloc)
	})
	return err
}

func (f *flavorCore) Prepare(ctx context.Context, props json.RawMessage, spec instance.Spec, alloc flavor.Allocation) (instance.Spec, error) {
	return callFlavor(ctx, f.s, "Prepare", func(ctx context.Context, p flavor.Plugin) (instance.Spec, error) {
		return p.Prepare(ctx, props, spec, alloc)
	})
}

func (f *flavorCore) Health(ctx context.Context, props json.RawMessage, inst instance.Description) (flavor.Health, error) {
	return callFlavor(ctx, f.s, "Health", func(ctx context.Context, p flavor.Plugin) (flavor.Health, error) {
		return p.Health(ctx, props, inst)
	})
}

func (f *flavorCore) Drain(ctx context.Context, props json.RawMessage, inst instance.Description) error {
	_, err := callFlavor(ctx, f.s, "Drain", func(ctx context.Context, p flavor.Plugin) (struct{}, error) {
		return struct{}{}, p.Drain(ctx, props, inst)
	})
	return err
}

type observing struct{ f *flavorCore }

func (o observing) Observe(ctx context.Context, props json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error {
	_, err := callFlavor(ctx, o.f.s, "Observe", func(ctx context.Context, p flavor.Plugin) (struct{}, error) {
		ob, ok := p.(flavor.Observer)
		if !ok {
			return struct{}{}, errors.New("the plugin's flavor client lost Observe")
		}
		return struct{}{}, ob.Observe(ctx, props, alloc, insts)
	})
	return err
}

func isNotConfigured(err error) bool { return errors.Is(err, plugingrpc.ErrNotConfigured) }
