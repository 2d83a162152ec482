package plugingrpc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/drover/drover/instance"
	pb "github.com/drover/drover/plugins/grpc/proto/droverplugin/v1"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/spierr"
)

// InstanceClient is drover's side of an instance plugin:
// Dispense(PluginInstance) returns one. Safe for concurrent use.
type InstanceClient struct {
	rpc  pb.InstancePluginClient
	done context.Context // ends when the plugin process exits
}

// InstanceInfo is what an instance plugin declares before it is
// configured: its schemas, never nil (a plugin that declares none has an
// empty block: no properties), and the optional capabilities of every
// provider it builds: the names of the declared ones
// (instance.Declaration.Name), sorted, and its list lag (> 0 means
// instance.Lagging).
type InstanceInfo struct {
	ProviderSchema, InstanceSchema *schema.Block
	Capabilities                   []string
	ListLag                        time.Duration
}

// Done is closed when go-plugin sees the plugin process exit. Calls made
// after that fail with spierr.ErrUnavailable errors.
func (c *InstanceClient) Done() <-chan struct{} { return c.done.Done() }

// Info returns what the plugin declares. go-plugin's Dispense succeeds
// whatever the binary serves; for a binary that serves no instance plugin,
// Info returns a spierr.ErrUnsupported error.
func (c *InstanceClient) Info(ctx context.Context) (InstanceInfo, error) {
	const op = "plugin.Info"
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := c.rpc.Info(ctx, &pb.Empty{})
	if err != nil {
		return InstanceInfo{}, fromStatus(ctx, op, err)
	}
	var info InstanceInfo
	if info.ProviderSchema, err = decodeSchema(op, "provider", r.ProviderSchema); err != nil {
		return InstanceInfo{}, err
	}
	if info.InstanceSchema, err = decodeSchema(op, "instance", r.InstanceSchema); err != nil {
		return InstanceInfo{}, err
	}
	info.Capabilities, info.ListLag = fromCapabilities(r.GetCapabilities())
	return info, nil
}

// decodeSchema decodes a schema sent by a plugin; none is an empty block
// (no properties), never nil.
func decodeSchema(op, what string, b []byte) (*schema.Block, error) {
	var s *schema.Block
	if len(b) > 0 {
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, spierr.Invalid(op, "the plugin's %s schema: %v", what, err)
		}
	}
	if s == nil {
		s = &schema.Block{}
	}
	return s, nil
}

// Configure builds the plugin's provider from config, a provider block's
// properties (secrets revealed), under the key provider (the provider
// block's name), replacing what was configured under that key. The
// returned plugin's calls all carry the key, and it has exactly the
// optional capabilities that Info declares: it is an instance.Declarer
// naming them, an instance.Invoker that carries the unary ones over the
// generic Call, a Watcher over its own stream, and Lagging (ListLag 0 when
// it declares no lag). A call for a key the plugin process does not know
// (it restarted) returns an error matching ErrNotConfigured: Configure
// again.
func (c *InstanceClient) Configure(ctx context.Context, provider string, config json.RawMessage) (instance.Plugin, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := c.rpc.Configure(ctx, &pb.ConfigureRequest{Provider: provider, Config: config})
	if err != nil {
		return nil, fromStatus(ctx, "plugin.Configure", err)
	}
	p := &remoteInstance{rpc: c.rpc, key: provider}
	p.names, p.lag = fromCapabilities(r.GetCapabilities())
	return p, nil
}

// fromCapabilities reads declared capabilities off the wire.
func fromCapabilities(c *pb.Capabilities) ([]string, time.Duration) {
	names := slices.Clone(c.GetNames())
	slices.Sort(names)
	return slices.Compact(names), time.Duration(max(c.GetListLagMillis(), 0)) * time.Millisecond
}

// remoteInstance is the instance.Plugin of one configured provider, with
// its declared capabilities.
type remoteInstance struct {
	rpc   pb.InstancePluginClient
	key   string
	names []string // declared, sorted
	lag   time.Duration
}

var (
	_ instance.Declarer = (*remoteInstance)(nil)
	_ instance.Invoker  = (*remoteInstance)(nil)
	_ instance.Checker  = (*remoteInstance)(nil)
	_ instance.Lagging  = (*remoteInstance)(nil)
)

// Declares says whether the plugin declared the capability name.
func (p *remoteInstance) Declares(name string) bool {
	_, ok := slices.BinarySearch(p.names, name)
	return ok
}

// ListLag is the plugin's declared list lag, 0 if none.
func (p *remoteInstance) ListLag() time.Duration { return p.lag }

// Invoke calls the unary capability name with the generic Call.
func (p *remoteInstance) Invoke(ctx context.Context, name string, args json.RawMessage) (json.RawMessage, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := p.rpc.Call(ctx, &pb.CallRequest{Provider: p.key, Name: name, Args: args})
	if err != nil {
		return nil, fromStatus(ctx, "plugin."+name, err)
	}
	return r.GetResult(), nil
}

func (p *remoteInstance) Validate(ctx context.Context, props json.RawMessage) error {
	_, err := p.Check(ctx, props)
	return err
}

// Check is Validate that also returns the plugin's warnings about props
// (none from a plugin that has none, or predates them).
func (p *remoteInstance) Check(ctx context.Context, props json.RawMessage) ([]spierr.Warning, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := p.rpc.Validate(ctx, &pb.ValidateRequest{Provider: p.key, Properties: props})
	if err != nil {
		return nil, fromStatus(ctx, "plugin.Validate", err)
	}
	var ws []spierr.Warning
	for _, w := range r.GetWarnings() {
		ws = append(ws, spierr.Warning{Attribute: w.GetAttribute(), Message: w.GetMessage()})
	}
	return ws, nil
}

func (p *remoteInstance) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	const op = "plugin.Provision"
	b, err := json.Marshal(spec)
	if err != nil {
		return "", spierr.MarkNotDone(spierr.Invalid(op, "encode spec: %v", err))
	}
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := p.rpc.Provision(ctx, &pb.ProvisionRequest{Provider: p.key, Spec: b})
	if err != nil {
		return "", fromStatus(ctx, op, err)
	}
	return instance.ID(r.Id), nil
}

func (p *remoteInstance) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	_, err := p.rpc.Destroy(ctx, &pb.DestroyRequest{Provider: p.key, Id: string(id), Reason: string(reason)})
	return fromStatus(ctx, "plugin.Destroy", err)
}

func (p *remoteInstance) Describe(ctx context.Context, selector map[string]string) ([]instance.Description, error) {
	const op = "plugin.Describe"
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	r, err := p.rpc.Describe(ctx, &pb.DescribeRequest{Provider: p.key, Selector: selector})
	if err != nil {
		return nil, fromStatus(ctx, op, err)
	}
	var ds []instance.Description
	if err := json.Unmarshal(r.Descriptions, &ds); err != nil {
		return nil, spierr.Internal(op, "decode the plugin's descriptions: %v", err)
	}
	return ds, nil
}

// watchBuffer is how many changes a Watch channel holds.
const watchBuffer = 16

// Watch is instance.Watcher over a server stream; instance.Capability
// finds it only if the plugin declared it. It opens the stream and returns once the plugin's Watch has
// succeeded, or with its error. The stream is not bounded by
// DefaultTimeout: it lasts until ctx ends, the plugin ends it, or the
// plugin dies; the channel is then closed.
func (p *remoteInstance) Watch(ctx context.Context, selector map[string]string) (<-chan instance.Change, error) {
	const op = "plugin.Watch"
	ctx, cancel := context.WithCancel(ctx)
	stream, err := p.rpc.Watch(ctx, &pb.WatchRequest{Provider: p.key, Selector: selector})
	if err != nil {
		cancel()
		return nil, fromStatus(ctx, op, err)
	}
	md, err := stream.Header()
	if err == nil && len(md.Get(watchHeader)) == 0 {
		// The stream ended before it started: its status is the error.
		if _, err = stream.Recv(); err == nil || errors.Is(err, io.EOF) {
			err = spierr.Internal(op, "the plugin's stream ended before the watch started")
		}
	}
	if err != nil {
		defer cancel()
		var se *spierr.Error
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, fromStatus(ctx, op, err)
	}
	changes := make(chan instance.Change, watchBuffer)
	go func() {
		defer close(changes)
		defer cancel()
		for {
			m, err := stream.Recv()
			if err != nil {
				return // EOF, ctx or a dead plugin: the caller watches again
			}
			var c instance.Change
			if json.Unmarshal(m.Change, &c) != nil {
				continue // a hint only; Describe re-reads
			}
			select {
			case changes <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return changes, nil
}
