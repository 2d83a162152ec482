package swarm

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Options tune a Plugin.
type Options struct {
	// EngineTimeout bounds each call to a node's engine. Default 5s.
	EngineTimeout time.Duration
}

// DefaultEngineTimeout is Options.EngineTimeout's default.
const DefaultEngineTimeout = 5 * time.Second

// Plugin is the swarm flavor. It implements flavor.Plugin and
// flavor.Observer and is safe for concurrent use.
type Plugin struct {
	clusters *Clusters
	opts     Options
	notes    notes
}

var (
	_ flavor.Plugin   = (*Plugin)(nil)
	_ flavor.Observer = (*Plugin)(nil)
)

// New returns a swarm flavor that records and finds managers in clusters,
// which the caller owns and closes. A nil clusters gets a private one,
// keeping the swarms' CAs under DefaultCADir.
func New(clusters *Clusters, opts Options) *Plugin {
	if clusters == nil {
		clusters = NewClusters("")
	}
	if opts.EngineTimeout <= 0 {
		opts.EngineTimeout = DefaultEngineTimeout
	}
	return &Plugin{clusters: clusters, opts: opts, notes: notes{m: map[instance.ID]note{}}}
}

// Validate checks that props decode strictly and name a swarm and a valid
// role. Any allocation is fine.
func (p *Plugin) Validate(ctx context.Context, props json.RawMessage, alloc flavor.Allocation) error {
	_, err := parse("swarm.Validate", props)
	return err
}

// Prepare returns a copy of spec whose tags also say the swarm (TagSwarm)
// and the role (TagRole); tags the spec already has, drover's included, are
// kept as they are. No join material is added: machines join in Observe.
//
// With engine = "tls", the spec's init script is prefixed with the user
// data that installs Docker if needed and serves the engine's API on
// EnginePort with mutual TLS (see tlsEngineScript): it holds the swarm's
// CA certificate and a new certificate and key for this machine, valid
// for its drover.name tag and spec.Name. The CA is made on first use.
// The key is a secret of the machine's: the returned spec must not be
// logged.
func (p *Plugin) Prepare(ctx context.Context, props json.RawMessage, spec instance.Spec, alloc flavor.Allocation) (instance.Spec, error) {
	const op = "swarm.Prepare"
	pr, err := parse(op, props)
	if err != nil {
		return instance.Spec{}, err
	}
	out := spec
	out.Properties = bytes.Clone(spec.Properties)
	out.Tags = make(map[string]string, len(spec.Tags)+2)
	out.Tags[TagSwarm] = pr.Swarm
	out.Tags[TagRole] = pr.Role
	maps.Copy(out.Tags, spec.Tags)
	if pr.engine() == EngineTLS {
		init, err := p.tlsInit(op, out)
		if err != nil {
			return instance.Spec{}, err
		}
		out.Init = init + spec.Init
	}
	return out, nil
}

// tlsInit is the user data that secures the engine of the machine spec
// describes (see Prepare).
func (p *Plugin) tlsInit(op string, spec instance.Spec) (string, error) {
	owner, swarm := spec.Tags[instance.TagOwner], spec.Tags[TagSwarm]
	if owner == "" {
		return "", spierr.Invalid(op, "engine = %q: the spec has no %s tag to find the swarm's CA by", EngineTLS, instance.TagOwner)
	}
	var names []string
	for _, n := range []string{spec.Tags[tagName], spec.Name} {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", spierr.Invalid(op, "engine = %q: the machine has no name to make its certificate for", EngineTLS)
	}
	ca, err := p.clusters.CA(owner, swarm)
	if err != nil {
		return "", spierr.Internal(op, "%v", err)
	}
	certPEM, keyPEM, err := ca.IssueServer(names...)
	if err != nil {
		return "", spierr.Internal(op, "%v", err)
	}
	return tlsEngineUserData(names[0], swarm, ca.CertPEM(), certPEM, keyPEM), nil
}

// engine returns the client of inst's own engine, or an error if inst has
// no engine address.
func (p *Plugin) engine(inst instance.Description) (*client.Client, error) {
	ep := endpointOf(inst)
	if ep.addr == "" {
		return nil, spierr.Invalid("swarm", "instance %s has no %s tag: its provider does not run a Docker engine the controller can reach", nameOf(inst), instance.TagEngine)
	}
	return p.clusters.client(ep, inst.Tags[instance.TagOwner], inst.Tags[instance.TagGroup])
}

// info asks inst's engine for its swarm state.
func (p *Plugin) info(ctx context.Context, inst instance.Description) (swarm.Info, error) {
	cli, err := p.engine(inst)
	if err != nil {
		return swarm.Info{}, err
	}
	return swarmInfo(ctx, cli, p.opts.EngineTimeout)
}

// manager returns a manager of the swarm, asking each within the engine
// timeout; exclude is an engine not to use.
func (p *Plugin) manager(ctx context.Context, owner, name string, exclude endpoint) (managerConn, error) {
	return p.clusters.manager(ctx, owner, name, p.opts.EngineTimeout, exclude)
}

// call runs fn with a context bounded by the engine timeout, or by the
// longer one withCallTimeout put in ctx.
func (p *Plugin) call(ctx context.Context, fn func(ctx context.Context) error) error {
	timeout := p.opts.EngineTimeout
	if d, ok := ctx.Value(callTimeoutKey{}).(time.Duration); ok && d > timeout {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return fn(ctx)
}

type callTimeoutKey struct{}

// withCallTimeout gives the engine calls made with ctx (through call) d
// to answer, if that is longer than the engine timeout: a retry after a
// call timed out waits longer.
func withCallTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, callTimeoutKey{}, d)
}

// tagName is the tag the group reconciler keeps an instance's name in.
const tagName = "drover.name"

// nameOf is an instance's name: its drover.name tag, else its ID.
func nameOf(inst instance.Description) string {
	if n := inst.Tags[tagName]; n != "" {
		return n
	}
	return string(inst.ID)
}

// privateAddr is inst's first private address, or "".
func privateAddr(inst instance.Description) string {
	for _, a := range inst.Addresses {
		if a.Kind == instance.AddressPrivate && a.IP != "" {
			return a.IP
		}
	}
	return ""
}

// notes remember, per instance, why Observe could not do its part (a join
// that failed, say), for Health to tell.
type notes struct {
	mu sync.Mutex
	m  map[instance.ID]note
}

type note struct {
	owner, group string
	text         string
}

func (n *notes) set(inst instance.Description, text string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.m[inst.ID] = note{owner: inst.Tags[instance.TagOwner], group: inst.Tags[instance.TagGroup], text: text}
}

func (n *notes) clear(id instance.ID) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.m, id)
}

func (n *notes) get(id instance.ID) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.m[id].text
}

// prune drops the notes of (owner, group) instances that are not in live.
func (n *notes) prune(owner, group string, live map[instance.ID]bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for id, nt := range n.m {
		if nt.owner == owner && nt.group == group && !live[id] {
			delete(n.m, id)
		}
	}
}
