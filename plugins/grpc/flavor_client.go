package plugingrpc

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
)

// FlavorClient is drover's side of a flavor plugin: Dispense(PluginFlavor)
// returns one. Safe for concurrent use.
type FlavorClient struct {
	rpc  pb.FlavorPluginClient
	done context.Context // ends when the plugin process exits
}

// FlavorInfo is what a flavor plugin declares: its properties' schema and
// whether it is a flavor.Observer.
type FlavorInfo struct {
	Schema   *schema.Block
	Observer bool
}

// Done is closed when go-plugin sees the plugin process exit.
func (c *FlavorClient) Done() <-chan struct{} { return c.done.Done() }

// Info returns what the plugin declares. The plugin builds its flavor to
// answer, so its constructor's error is Info's. go-plugin's Dispense
// succeeds whatever the binary serves; for a binary that serves no flavor,
// Info returns a spierr.ErrUnsupported error.
func (c *FlavorClient) Info(ctx context.Context) (FlavorInfo, error) {
	const op = "plugin.Info"
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := c.rpc.Info(ctx, &pb.Empty{})
	if err != nil {
		return FlavorInfo{}, fromStatus(ctx, op, err)
	}
	s, err := decodeSchema(op, "flavor", r.Schema)
	if err != nil {
		return FlavorInfo{}, err
	}
	return FlavorInfo{Schema: s, Observer: r.Observer}, nil
}

// Flavor returns the plugin's flavor; it is a flavor.Observer exactly when
// the plugin's is.
func (c *FlavorClient) Flavor(ctx context.Context) (flavor.Plugin, error) {
	info, err := c.Info(ctx)
	if err != nil {
		return nil, err
	}
	f := &remoteFlavor{rpc: c.rpc}
	if info.Observer {
		return observingFlavor{f}, nil
	}
	return f, nil
}

// remoteFlavor is flavor.Plugin over the wire.
type remoteFlavor struct{ rpc pb.FlavorPluginClient }

// encode encodes an argument; failing, nothing was sent.
func encode(op, what string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, spierr.MarkNotDone(spierr.Invalid(op, "encode %s: %v", what, err))
	}
	return b, nil
}

func (f *remoteFlavor) Validate(ctx context.Context, props json.RawMessage, alloc flavor.Allocation) error {
	const op = "plugin.Validate"
	a, err := encode(op, "allocation", alloc)
	if err != nil {
		return err
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	_, err = f.rpc.Validate(ctx, &pb.FlavorValidateRequest{Properties: props, Allocation: a})
	return fromStatus(ctx, op, err)
}

func (f *remoteFlavor) Prepare(ctx context.Context, props json.RawMessage, spec instance.Spec, alloc flavor.Allocation) (instance.Spec, error) {
	const op = "plugin.Prepare"
	s, err := encode(op, "spec", spec)
	if err != nil {
		return instance.Spec{}, err
	}
	a, err := encode(op, "allocation", alloc)
	if err != nil {
		return instance.Spec{}, err
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := f.rpc.Prepare(ctx, &pb.PrepareRequest{Properties: props, Spec: s, Allocation: a})
	if err != nil {
		return instance.Spec{}, fromStatus(ctx, op, err)
	}
	var out instance.Spec
	if err := json.Unmarshal(r.Spec, &out); err != nil {
		return instance.Spec{}, spierr.Internal(op, "decode the plugin's spec: %v", err)
	}
	return out, nil
}

func (f *remoteFlavor) Health(ctx context.Context, props json.RawMessage, inst instance.Description) (flavor.Health, error) {
	const op = "plugin.Health"
	d, err := encode(op, "instance", inst)
	if err != nil {
		return flavor.Health{}, err
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := f.rpc.Health(ctx, &pb.InstanceRequest{Properties: props, Instance: d})
	if err != nil {
		return flavor.Health{}, fromStatus(ctx, op, err)
	}
	return flavor.Health{Status: flavor.Status(r.Status), Reason: r.Reason}, nil
}

func (f *remoteFlavor) Drain(ctx context.Context, props json.RawMessage, inst instance.Description) error {
	const op = "plugin.Drain"
	d, err := encode(op, "instance", inst)
	if err != nil {
		return err
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	_, err = f.rpc.Drain(ctx, &pb.InstanceRequest{Properties: props, Instance: d})
	return fromStatus(ctx, op, err)
}

// observingFlavor adds flavor.Observer.
type observingFlavor struct{ *remoteFlavor }

func (f observingFlavor) Observe(ctx context.Context, props json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error {
	const op = "plugin.Observe"
	a, err := encode(op, "allocation", alloc)
	if err != nil {
		return err
	}
	is, err := encode(op, "instances", insts)
	if err != nil {
		return err
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	_, err = f.rpc.Observe(ctx, &pb.ObserveRequest{Properties: props, Allocation: a, Instances: is})
	return fromStatus(ctx, op, err)
}
