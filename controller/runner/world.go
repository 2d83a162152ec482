package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

// world is what one spec makes of the plugins: a target per resource.
type world struct {
	generation int64
	groups     map[string]*group.Target
	networks   map[string]*service.NetworkTarget
	services   map[string]*service.Target
	swarms     map[string]bool
	keys       []resource.Key              // every resource, in spec order by kind
	declared   map[resource.Key]bool       // the keys, as a set
	watchers   map[string]instance.Watcher // by provider
	// autoscalers are the spec's autoscale blocks, by the key of the
	// resource they scale, and autoscaled their keys in spec order.
	autoscalers map[resource.Key]*autoscaler
	autoscaled  []resource.Key
}

// queued are the work queue's keys of the world: its resources and its
// autoscalers.
func (w *world) queued() []resource.Key {
	out := slices.Clone(w.keys)
	for _, key := range w.autoscaled {
		out = append(out, autoscaleKey(key))
	}
	return out
}

// autoscale adds the autoscaler of key, if a is set, from the spec's
// count from. It reads the autoscaler's state from the store first, so
// that no pass of the resource sees the spec's count in place of the
// autoscaled one.
func (r *Runner) autoscale(ctx context.Context, w *world, key resource.Key, swarm string, a *specs.Autoscale, from int) error {
	if a == nil {
		return nil
	}
	as, err := newAutoscaler(key, swarm, a, from, metric.Options{Timeout: r.opts.MetricTimeout})
	if err != nil {
		return err
	}
	if _, err := r.loadScaled(ctx, key); err != nil {
		return err
	}
	w.autoscalers[key] = as
	w.autoscaled = append(w.autoscaled, key)
	return nil
}

// Target implements group.Targets.
func (w *world) Target(name string) (*group.Target, bool) { t, ok := w.groups[name]; return t, ok }

// Service implements service.Targets.
func (w *world) Service(name string) (*service.Target, bool) { t, ok := w.services[name]; return t, ok }

// Network implements service.Targets.
func (w *world) Network(name string) (*service.NetworkTarget, bool) {
	t, ok := w.networks[name]
	return t, ok
}

// Declared implements service.Targets.
func (w *world) Declared(swarm string) (services, networks []string) {
	for name, t := range w.services {
		if t.Spec.Swarm == swarm {
			services = append(services, name)
		}
	}
	for name, t := range w.networks {
		if t.Spec.Swarm == swarm {
			networks = append(networks, name)
		}
	}
	return services, networks
}

// build connects each provider once and makes a target per resource.
func (r *Runner) build(ctx context.Context, spec *specs.Spec) (*world, error) {
	w := &world{
		generation: r.gen.Add(1), groups: map[string]*group.Target{}, networks: map[string]*service.NetworkTarget{},
		services: map[string]*service.Target{}, swarms: map[string]bool{}, watchers: map[string]instance.Watcher{},
		declared: map[resource.Key]bool{}, autoscalers: map[resource.Key]*autoscaler{},
	}
	providers, err := r.providers(ctx, spec, w)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, g := range spec.Groups {
		t, err := r.target(ctx, g, providers)
		if err != nil {
			errs = append(errs, fmt.Errorf("group %s: %w", g.Name, err))
			continue
		}
		t.Generation = w.generation
		w.groups[g.Name] = t
		w.declare(resource.Group.KeyOf(g.Name))
		if err := r.autoscale(ctx, w, resource.Group.KeyOf(g.Name), swarmProps(t).Swarm, g.Autoscale, g.Size); err != nil {
			errs = append(errs, fmt.Errorf("group %s: %w", g.Name, err))
		}
	}
	if len(spec.Services)+len(spec.Networks) > 0 && r.opts.Managers == nil {
		errs = append(errs, errors.New("services and networks need the swarm flavor, which this build of drover lacks"))
	}
	for _, n := range spec.Networks {
		w.networks[n.Name] = &service.NetworkTarget{Spec: n, Owner: r.opts.Owner, Generation: w.generation}
		w.declare(resource.Network.KeyOf(n.Name))
	}
	for _, s := range spec.Services {
		w.services[s.Name] = &service.Target{Spec: s, Owner: r.opts.Owner, Generation: w.generation}
		w.declare(resource.Service.KeyOf(s.Name))
		if err := r.autoscale(ctx, w, resource.Service.KeyOf(s.Name), s.Swarm, s.Autoscale, s.Replicas); err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", s.Name, err))
		}
	}
	for _, s := range spec.Swarms {
		w.swarms[s.Name] = true
		w.declare(resource.Swarm.KeyOf(s.Name))
	}
	return w, errors.Join(errs...)
}

// declare adds key to the world's resources.
func (w *world) declare(key resource.Key) {
	w.keys = append(w.keys, key)
	w.declared[key] = true
}

// providers connects each provider of spec once.
func (r *Runner) providers(ctx context.Context, spec *specs.Spec, w *world) (map[string]instance.Plugin, error) {
	providers := map[string]instance.Plugin{}
	for _, p := range spec.Providers {
		ip, ok := r.opts.Registry.Instance(p.Type)
		if !ok {
			return nil, fmt.Errorf("provider %s: the %q instance plugin is known to the spec language but has no implementation in this build of drover yet", p.Name, p.Type)
		}
		plugin, err := ip.New(ctx, p.Config.Reveal())
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", p.Name, err)
		}
		if r.opts.WrapProvider != nil {
			plugin = r.opts.WrapProvider(p.Name, plugin)
		}
		providers[p.Name] = plugin
		if wt, ok := instance.Capability[instance.Watcher](plugin); ok {
			w.watchers[p.Name] = wt
		}
	}
	return providers, nil
}

func (r *Runner) target(ctx context.Context, g *specs.Group, providers map[string]instance.Plugin) (*group.Target, error) {
	inst := providers[g.Instance.Provider]
	if inst == nil {
		return nil, fmt.Errorf("provider %s is not configured", g.Instance.Provider)
	}
	fp, ok := r.opts.Registry.Flavor(g.Flavor.Plugin)
	if !ok {
		return nil, fmt.Errorf("the %q flavor is known to the spec language but has no implementation in this build of drover yet", g.Flavor.Plugin)
	}
	fl, err := fp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("flavor %s: %w", g.Flavor.Plugin, err)
	}
	if err := inst.Validate(ctx, g.Instance.Properties.Reveal()); err != nil {
		return nil, fmt.Errorf("instance %q: %w", g.Instance.Plugin, err)
	}
	if err := fl.Validate(ctx, g.Flavor.Properties.Reveal(), flavor.NewAllocation(g.Name, g.Size, g.LogicalIDs)); err != nil {
		return nil, fmt.Errorf("flavor %q: %w", g.Flavor.Plugin, err)
	}
	return &group.Target{Spec: g, Owner: r.opts.Owner, Instance: inst, Flavor: fl}, nil
}

// lossTimeout bounds a node-loss pass.
const lossTimeout = time.Minute

// After an event of a group's machine, its node-loss pass lists the group
// every lossPoll until lossWatch has passed or it finds a machine stopped:
// a killed machine is listed running for a second or two after the
// engine's kill event (up to 2.7 s measured on a loaded machine), and the
// die event that follows can come after the listing changed.
const (
	lossWatch = 5 * time.Second
	lossPoll  = 100 * time.Millisecond
)

// deadRemover is a flavor that takes the machines of a group that died out
// of what it keeps at once (the swarm flavor: their nodes out of the
// swarm), given the group's complete listing.
type deadRemover interface {
	RemoveDead(ctx context.Context, props json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error
}

// lossPass lists group name's machines when one of them changed and, if
// one is stopped or terminated, has its flavor take it out at once (see
// deadRemover), outside the group's own pass: a death is acted on even
// while that pass is busy with something slow, such as making the
// replacement of a machine that died before. Finding none, it looks again
// shortly for a while (lossWatch). Its failures are the group pass's to
// see and report: it never asks to be retried for them.
func (r *Runner) lossPass(ctx context.Context, name string) (reconcile.Result, error) {
	t, ok := r.world.Load().Target(name)
	if !ok {
		return reconcile.Result{}, nil
	}
	dr, ok := t.Flavor.(deadRemover)
	if !ok {
		return reconcile.Result{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, lossTimeout)
	defer cancel()
	log := reconcile.Logger(ctx).With("group", name)
	descs, err := t.Instance.Describe(ctx, group.Selector(t.Owner, name))
	if err != nil {
		log.Debug("node-loss pass: listing failed", "err", err)
		return reconcile.Result{}, nil
	}
	if !slices.ContainsFunc(descs, func(d instance.Description) bool {
		return d.State == instance.StateStopped || d.State == instance.StateTerminated
	}) {
		return reconcile.Result{RequeueAfter: r.lossLook(name)}, nil
	}
	if err := dr.RemoveDead(ctx, t.Spec.Flavor.Properties.Reveal(), flavor.NewAllocation(t.Spec.Name, t.Spec.Size, t.Spec.LogicalIDs), descs); err != nil {
		log.Debug("node-loss pass failed", "err", err)
	}
	return reconcile.Result{}, nil
}

// lossLook is when a node-loss pass that found no dead machine looks
// again: lossPoll while the group is watched after an event, else never
// (0).
func (r *Runner) lossLook(name string) time.Duration {
	r.lossMu.Lock()
	defer r.lossMu.Unlock()
	if r.opts.Clock.Now().Before(r.lossUntil[name]) {
		return lossPoll
	}
	delete(r.lossUntil, name)
	return 0
}

// removesDead reports whether group name's flavor takes dead machines out
// at once (deadRemover).
func (w *world) removesDead(name string) bool {
	t, ok := w.groups[name]
	if !ok {
		return false
	}
	_, ok = t.Flavor.(deadRemover)
	return ok
}
