package plugingrpc

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
)

// FlavorProvider is what a flavor plugin binary serves: the schema of its
// properties, checked by `drover validate` as a built-in's is, and its
// constructor. It mirrors plugins.FlavorPlugin.
type FlavorProvider struct {
	Schema *schema.Block
	// New builds the flavor, once, at the first call that needs it (ctx
	// is that call's); an error is returned to that call and New is tried
	// again at the next. If the flavor is a flavor.Observer, drover's
	// side is too.
	New func(ctx context.Context) (flavor.Plugin, error)
}

// flavorServer serves a FlavorProvider.
type flavorServer struct {
	pb.UnimplementedFlavorPluginServer
	provider FlavorProvider

	mu     sync.Mutex
	flavor flavor.Plugin
}

func newFlavorServer(p FlavorProvider) *flavorServer { return &flavorServer{provider: p} }

// get returns the flavor, building it at the first call.
func (s *flavorServer) get(ctx context.Context) (flavor.Plugin, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.flavor != nil {
		return s.flavor, nil
	}
	const op = "plugin.NewFlavor"
	if s.provider.New == nil {
		return nil, toStatus(ctx, spierr.Unsupported(op, "the plugin serves no flavor constructor"))
	}
	f, err := s.provider.New(ctx)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if f == nil {
		return nil, toStatus(ctx, spierr.Internal(op, "the plugin's New returned no flavor and no error"))
	}
	s.flavor = f
	return f, nil
}

// decode decodes a JSON argument into v: a malformed one is drover's
// fault, and nothing was done.
func decode(ctx context.Context, op, what string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return toStatus(ctx, spierr.MarkNotDone(spierr.Invalid(op, "decode %s: %v", what, err)))
	}
	return nil
}

func (s *flavorServer) Info(ctx context.Context, _ *pb.Empty) (*pb.FlavorInfo, error) {
	f, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(s.provider.Schema)
	if err != nil {
		return nil, toStatus(ctx, spierr.Internal("plugin.Info", "schema: %v", err))
	}
	_, observer := f.(flavor.Observer)
	return &pb.FlavorInfo{Schema: b, Observer: observer}, nil
}

func (s *flavorServer) Validate(ctx context.Context, r *pb.FlavorValidateRequest) (*pb.Empty, error) {
	const op = "plugin.Validate"
	f, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	var alloc flavor.Allocation
	if err := decode(ctx, op, "allocation", r.Allocation, &alloc); err != nil {
		return nil, err
	}
	if err := f.Validate(ctx, r.Properties, alloc); err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.Empty{}, nil
}

func (s *flavorServer) Prepare(ctx context.Context, r *pb.PrepareRequest) (*pb.PrepareResponse, error) {
	const op = "plugin.Prepare"
	f, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	var (
		spec  instance.Spec
		alloc flavor.Allocation
	)
	if err := decode(ctx, op, "spec", r.Spec, &spec); err != nil {
		return nil, err
	}
	if err := decode(ctx, op, "allocation", r.Allocation, &alloc); err != nil {
		return nil, err
	}
	out, err := f.Prepare(ctx, r.Properties, spec, alloc)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, toStatus(ctx, spierr.Internal(op, "encode spec: %v", err))
	}
	return &pb.PrepareResponse{Spec: b}, nil
}

func (s *flavorServer) Health(ctx context.Context, r *pb.InstanceRequest) (*pb.HealthResponse, error) {
	const op = "plugin.Health"
	f, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	var inst instance.Description
	if err := decode(ctx, op, "instance", r.Instance, &inst); err != nil {
		return nil, err
	}
	h, err := f.Health(ctx, r.Properties, inst)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.HealthResponse{Status: string(h.Status), Reason: h.Reason}, nil
}

func (s *flavorServer) Drain(ctx context.Context, r *pb.InstanceRequest) (*pb.Empty, error) {
	const op = "plugin.Drain"
	f, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	var inst instance.Description
	if err := decode(ctx, op, "instance", r.Instance, &inst); err != nil {
		return nil, err
	}
	if err := f.Drain(ctx, r.Properties, inst); err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.Empty{}, nil
}

func (s *flavorServer) Observe(ctx context.Context, r *pb.ObserveRequest) (*pb.Empty, error) {
	const op = "plugin.Observe"
	f, err := s.get(ctx)
	if err != nil {
		return nil, err
	}
	o, ok := f.(flavor.Observer)
	if !ok {
		return nil, toStatus(ctx, spierr.MarkNotDone(spierr.Unsupported(op, "the flavor is not a flavor.Observer")))
	}
	var (
		alloc flavor.Allocation
		insts []instance.Description
	)
	if err := decode(ctx, op, "allocation", r.Allocation, &alloc); err != nil {
		return nil, err
	}
	if err := decode(ctx, op, "instances", r.Instances, &insts); err != nil {
		return nil, err
	}
	if err := o.Observe(ctx, r.Properties, alloc, insts); err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.Empty{}, nil
}
