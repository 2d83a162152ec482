package plugingrpc

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/drover/drover/instance"
	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
)

// InstanceProvider is what an instance plugin binary serves: the schemas
// of its provider and instance blocks, checked by `drover validate` as a
// built-in's are, and how to build the plugin of one provider block. It
// mirrors plugins.InstancePlugin.
type InstanceProvider struct {
	ProviderSchema *schema.Block
	InstanceSchema *schema.Block
	// New builds the plugin of the provider block config (its properties,
	// secrets revealed: never log them). It is called once per provider
	// block drover configures, and again when a block changes; ctx ends
	// when the Configure call does.
	New func(ctx context.Context, config json.RawMessage) (instance.Plugin, error)

	// Capabilities declare the optional capabilities (instance.Watching,
	// instance.Labelling, ...) of every plugin New builds: drover learns
	// them before it configures anything. A plugin that lacks a declared
	// capability is refused at Configure; undeclared capabilities are not
	// offered to drover, and their calls are refused.
	Capabilities []instance.Declaration
	// ListLag > 0 declares instance.Lagging, with this lag.
	ListLag time.Duration
}

// capabilities are the declared capabilities, on the wire.
func (p InstanceProvider) capabilities() *pb.Capabilities {
	c := &pb.Capabilities{ListLagMillis: lagMillis(p.ListLag)}
	for _, d := range p.Capabilities {
		c.Names = append(c.Names, d.Name())
	}
	return c
}

// declares says whether p declares the capability name.
func (p InstanceProvider) declares(name string) bool {
	return slices.ContainsFunc(p.Capabilities, func(d instance.Declaration) bool { return d.Name() == name })
}

// check returns an error if built lacks a capability p declares.
func (p InstanceProvider) check(op string, built instance.Plugin) error {
	for _, d := range p.Capabilities {
		if !instance.Has(built, d) {
			return spierr.MarkNotDone(spierr.Invalid(op, "the plugin declares the %s capability, but New built a %T without it", d.Name(), built))
		}
	}
	return nil
}

// watchHeader is the header a Watch stream sends once the plugin's Watch
// has succeeded, so that the client can return Watch's error itself.
const watchHeader = "drover-watch"

// instanceServer serves an InstanceProvider: it keeps the plugin built for
// each provider key and routes each call to it.
type instanceServer struct {
	pb.UnimplementedInstancePluginServer
	provider InstanceProvider

	mu      sync.RWMutex
	plugins map[string]instance.Plugin
}

func newInstanceServer(p InstanceProvider) *instanceServer {
	return &instanceServer{provider: p, plugins: map[string]instance.Plugin{}}
}

// plugin returns the plugin configured under key.
func (s *instanceServer) plugin(op, key string) (instance.Plugin, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.plugins[key]
	if !ok {
		return nil, notConfigured(op, key)
	}
	return p, nil
}

func (s *instanceServer) Info(ctx context.Context, _ *pb.Empty) (*pb.InstanceInfo, error) {
	ps, err := json.Marshal(s.provider.ProviderSchema)
	if err != nil {
		return nil, toStatus(ctx, spierr.Internal("plugin.Info", "provider schema: %v", err))
	}
	is, err := json.Marshal(s.provider.InstanceSchema)
	if err != nil {
		return nil, toStatus(ctx, spierr.Internal("plugin.Info", "instance schema: %v", err))
	}
	return &pb.InstanceInfo{ProviderSchema: ps, InstanceSchema: is, Capabilities: s.provider.capabilities()}, nil
}

func (s *instanceServer) Configure(ctx context.Context, r *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	const op = "plugin.Configure"
	if s.provider.New == nil {
		return nil, toStatus(ctx, spierr.Unsupported(op, "the plugin serves no instance provider constructor"))
	}
	p, err := s.provider.New(ctx, r.Config)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if p == nil {
		return nil, toStatus(ctx, spierr.Internal(op, "the plugin's New returned no plugin and no error"))
	}
	if err := s.provider.check(op, p); err != nil {
		return nil, toStatus(ctx, err)
	}
	s.mu.Lock()
	s.plugins[r.Provider] = p
	s.mu.Unlock()
	return &pb.ConfigureResponse{Capabilities: s.provider.capabilities()}, nil
}

func (s *instanceServer) Validate(ctx context.Context, r *pb.ValidateRequest) (*pb.ValidateResponse, error) {
	p, err := s.plugin("plugin.Validate", r.Provider)
	if err != nil {
		return nil, err
	}
	ws, err := instance.Check(ctx, p, r.Properties)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	res := &pb.ValidateResponse{}
	for _, w := range ws {
		res.Warnings = append(res.Warnings, &pb.Warning{Attribute: w.Attribute, Message: w.Message})
	}
	return res, nil
}

func (s *instanceServer) Provision(ctx context.Context, r *pb.ProvisionRequest) (*pb.ProvisionResponse, error) {
	const op = "plugin.Provision"
	p, err := s.plugin(op, r.Provider)
	if err != nil {
		return nil, err
	}
	var spec instance.Spec
	if err := json.Unmarshal(r.Spec, &spec); err != nil {
		return nil, toStatus(ctx, spierr.MarkNotDone(spierr.Invalid(op, "decode spec: %v", err)))
	}
	id, err := p.Provision(ctx, spec)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.ProvisionResponse{Id: string(id)}, nil
}

func (s *instanceServer) Destroy(ctx context.Context, r *pb.DestroyRequest) (*pb.Empty, error) {
	p, err := s.plugin("plugin.Destroy", r.Provider)
	if err != nil {
		return nil, err
	}
	if err := p.Destroy(ctx, instance.ID(r.Id), instance.DestroyReason(r.Reason)); err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.Empty{}, nil
}

func (s *instanceServer) Describe(ctx context.Context, r *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	const op = "plugin.Describe"
	p, err := s.plugin(op, r.Provider)
	if err != nil {
		return nil, err
	}
	ds, err := p.Describe(ctx, r.Selector)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	if ds == nil {
		ds = []instance.Description{}
	}
	b, err := json.Marshal(ds)
	if err != nil {
		return nil, toStatus(ctx, spierr.Internal(op, "encode descriptions: %v", err))
	}
	return &pb.DescribeResponse{Descriptions: b}, nil
}

// Call calls a declared unary capability of the plugin (instance.Invoke).
func (s *instanceServer) Call(ctx context.Context, r *pb.CallRequest) (*pb.CallResponse, error) {
	const op = "plugin.Call"
	p, err := s.plugin(op, r.Provider)
	if err != nil {
		return nil, err
	}
	if !s.provider.declares(r.Name) {
		return nil, toStatus(ctx, spierr.MarkNotDone(spierr.Unsupported(op, "the plugin does not declare that capability")))
	}
	res, err := instance.Invoke(ctx, p, r.Name, r.Args)
	if err != nil {
		return nil, toStatus(ctx, err)
	}
	return &pb.CallResponse{Result: res}, nil
}

// Watch streams the plugin's changes until its channel closes (the
// stream then ends without error) or the client goes away.
func (s *instanceServer) Watch(r *pb.WatchRequest, stream pb.InstancePlugin_WatchServer) error {
	const op = "plugin.Watch"
	ctx := stream.Context()
	p, err := s.plugin(op, r.Provider)
	if err != nil {
		return err
	}
	w, ok := instance.Capability[instance.Watcher](p)
	if !ok || !s.provider.declares(instance.Watching.Name()) {
		return toStatus(ctx, spierr.MarkNotDone(spierr.Unsupported(op, "the plugin does not declare the watch capability")))
	}
	changes, err := w.Watch(ctx, r.Selector)
	if err != nil {
		return toStatus(ctx, err)
	}
	if err := stream.SendHeader(metadata.Pairs(watchHeader, "ok")); err != nil {
		return err
	}
	for {
		select {
		case c, ok := <-changes:
			if !ok {
				return nil
			}
			b, err := json.Marshal(c)
			if err != nil {
				return toStatus(ctx, spierr.Internal(op, "encode change: %v", err))
			}
			if err := stream.Send(&pb.Change{Change: b}); err != nil {
				return err
			}
		case <-ctx.Done():
			return toStatus(ctx, ctx.Err())
		}
	}
}

// lagMillis is d in whole milliseconds, at least 1 for a positive d (a lag
// that rounded to 0 would read as "not lagging").
func lagMillis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(d.Milliseconds(), 1)
}
