package runner

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// kindAutoscale is the kind of the work-queue key of a resource's
// autoscaler: autoscale.service.web, autoscale.group.workers. Not a
// resource of the spec: it sets the count of one.
const kindAutoscale resource.Kind = "autoscale"

// autoscaleKey is the work-queue key of the autoscaler of key.
func autoscaleKey(key resource.Key) resource.Key { return kindAutoscale.KeyOf(key.String()) }

// groupStep is a group's max_step when its spec leaves it at 0: machines
// are slow and costly to make, so a group grows by at most this many at
// once, and again at the next evaluation if it still needs more.
const groupStep = 10

// autoscaler is one autoscale block of the spec, with its metrics' sources.
type autoscaler struct {
	key     resource.Key
	policy  autoscale.Policy
	metrics []metricSource
	// from is the spec's count (size or replicas): the autoscaler's
	// starting value.
	from int
	// swarm is the swarm of the resource ("" for a group in none).
	swarm string
}

// metricSource is one metric block of an autoscaler.
type metricSource struct {
	name string
	src  metric.Source
}

// newAutoscaler makes the autoscaler of the autoscale block a of key,
// building its metrics' sources: a metric unknown to this build of drover,
// or one that cannot scale key's kind, is an error.
func newAutoscaler(key resource.Key, swarm string, a *specs.Autoscale, from int, opts metric.Options) (*autoscaler, error) {
	plugins := metric.Builtins()
	as := &autoscaler{key: key, swarm: swarm, policy: autoscale.PolicyOf(a), from: from}
	if key.Kind == resource.Group && as.policy.MaxStep == 0 {
		as.policy.MaxStep = groupStep
	}
	for _, m := range a.Metrics {
		p, ok := plugins[m.Plugin]
		if !ok {
			return nil, fmt.Errorf("autoscale: the %q metric is known to the spec language but has no implementation in this build of drover", m.Plugin)
		}
		if !canScale(p, key.Kind) {
			return nil, fmt.Errorf("autoscale: the %q metric cannot scale a %s", m.Plugin, key.Kind)
		}
		src, err := p.New(m.Properties.Reveal(), opts)
		if err != nil {
			return nil, fmt.Errorf("autoscale: %w", err) // the plugin's error names its metric
		}
		as.metrics = append(as.metrics, metricSource{name: m.Plugin, src: src})
	}
	return as, nil
}

// canScale says whether metric plugin p can scale resources of kind k.
func canScale(p metric.Plugin, k resource.Kind) bool {
	for _, pk := range p.Kinds {
		if pk == k {
			return true
		}
	}
	return false
}

// scaling is what the runner knows of its autoscalers at run time: each
// one's remembered state (loaded from the store on first use), its last
// decision and when it evaluated. Safe for concurrent use.
type scaling struct {
	mu sync.Mutex
	m  map[resource.Key]*scaled // by the autoscaled resource's key
}

// scaled is one autoscaler's run-time record.
type scaled struct {
	state  autoscale.State
	loaded bool
	last   *resource.Autoscaling
	prefer []instance.ID // a group's machines to give up first
	nudged bool          // evaluate at the next pass, whatever the interval
}

func (s *scaling) get(key resource.Key) scaled {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.m[key]; rec != nil {
		return *rec
	}
	return scaled{}
}

func (s *scaling) set(key resource.Key, rec scaled) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[resource.Key]*scaled{}
	}
	s.m[key] = &rec
}

// count is the count autoscaler a keeps its resource at: what it last set,
// within the spec's bounds of the moment, or the spec's own count (from)
// before its first decision.
func (a *autoscaler) count(rec scaled) int {
	set := rec.state.Desired > 0 || !rec.state.LastAction.IsZero() // an autoscaler may have set 0
	if !rec.loaded || !set {
		return a.from
	}
	return min(max(rec.state.Desired, a.policy.Min), a.policy.Max)
}

// loadScaled reads autoscaler key's state from the store, once.
func (r *Runner) loadScaled(ctx context.Context, key resource.Key) (scaled, error) {
	rec := r.scaling.get(key)
	if rec.loaded {
		return rec, nil
	}
	st, _, err := r.opts.Scales.Get(ctx, key)
	if err != nil {
		return rec, err
	}
	rec.state, rec.loaded = st, true
	r.scaling.set(key, rec)
	return rec, nil
}

// autoscalePass evaluates the autoscaler of the resource named by name
// ("service.web"): it reads the metrics, decides, records the decision
// in the store before acting on it, sends it as an event and, when the
// count changes, wakes the resource. It evaluates again after the
// policy's interval.
func (r *Runner) autoscalePass(ctx context.Context, name string) (reconcile.Result, error) {
	key, err := resource.ParseKey(name)
	if err != nil {
		return reconcile.Result{}, nil
	}
	a, ok := r.world.Load().autoscalers[key]
	if !ok {
		return reconcile.Result{}, nil
	}
	rec, err := r.loadScaled(ctx, key)
	if err != nil {
		r.emitFailed(key, err)
		return reconcile.Result{}, err
	}
	now := r.opts.Clock.Now()
	if rec.last != nil && !rec.nudged {
		if wait := rec.last.At.Add(a.policy.Interval).Sub(now); wait > 0 {
			return reconcile.Result{RequeueAfter: wait}, nil // woken early (a resync): keep the interval
		}
	}
	in := r.autoscaleInput(ctx, a, rec)
	in.Now = r.opts.Clock.Now()
	d := autoscale.Decide(a.policy, in)
	if err := r.opts.Scales.Put(ctx, key, d.State); err != nil {
		r.emitFailed(key, err)
		return reconcile.Result{}, fmt.Errorf("%s: keep the autoscaler's decision: %w", key, err)
	}
	res := d.Resource(a.policy)
	rec.state, rec.last, rec.nudged = d.State, &res, false
	if d.Action == autoscale.Down {
		rec.prefer = unneeded(d)
	}
	r.scaling.set(key, rec)
	r.opts.Events.Emit(d.Event(key, a.policy))
	reconcile.Logger(ctx).Debug("autoscaler evaluated", "resource", key.String(), "action", d.Action, "rule", d.Rule, "desired", d.Desired)
	if d.Action != autoscale.Hold {
		r.queue.Add(key)
	}
	signal(r.changed)
	return reconcile.Result{RequeueAfter: a.policy.Interval}, nil
}

// emitFailed sends the event of an evaluation that could not be made.
func (r *Runner) emitFailed(key resource.Key, err error) {
	r.opts.Events.Emit(resource.Event{Time: r.opts.Clock.Now(), Resource: key, Kind: autoscale.EventFailed, Error: err.Error()})
}

// unneeded are the machines the demand metrics of d found unneeded, best
// first: a group's scale-down gives them up first.
func unneeded(d autoscale.Decision) []instance.ID {
	var out []instance.ID
	for _, m := range d.Metrics {
		for _, id := range m.Unneeded {
			out = append(out, instance.ID(id))
		}
	}
	return out
}

// autoscaleInput observes a's resource and reads its metrics, each within
// its own timeout and all at once: a metric that cannot be read becomes a
// reading that holds.
func (r *Runner) autoscaleInput(ctx context.Context, a *autoscaler, rec scaled) autoscale.Input {
	st, _ := r.Status(a.key)
	in := autoscale.Input{State: rec.state, Ready: st.Observed.Ready}
	in.Current = a.count(rec)
	in.Ready = min(in.Ready, in.Current)
	in.Converging = !st.Converged || st.Desired != in.Current
	ctx, cancel := context.WithTimeout(ctx, r.opts.MetricTimeout)
	defer cancel()
	scope := r.newScope(a.key)
	in.Readings = make([]autoscale.Reading, len(a.metrics))
	var wg sync.WaitGroup
	for i, m := range a.metrics {
		wg.Go(func() { in.Readings[i] = read(ctx, m, scope) })
	}
	wg.Wait()
	return in
}

// read reads one metric; its error becomes the reading's.
func read(ctx context.Context, m metricSource, scope metric.Scope) autoscale.Reading {
	rd, err := m.src.Read(ctx, scope)
	rd.Metric = m.name
	if err != nil {
		rd.Err = err.Error()
	}
	return rd
}

// forgetAutoscalers forgets the state of the autoscalers of old that next
// no longer has: their resources went back to the spec's count (or left
// it), and an autoscale block added again later starts from the spec.
// A state that cannot be deleted is logged, not returned: the switch has
// happened and the resource no longer reads it; it is read again only if
// an autoscale block of the resource comes back.
func (r *Runner) forgetAutoscalers(ctx context.Context, old, next *world) {
	for _, key := range old.autoscaled {
		if next.autoscalers[key] != nil {
			continue
		}
		if err := r.forgetScale(ctx, key); err != nil {
			reconcile.Logger(ctx).Warn("could not forget the state of a removed autoscaler", "resource", key.String(), "err", err)
		}
	}
}

// ForgetAutoscaled forgets the state of spec's autoscalers, such as after
// the resources are destroyed: a later apply of spec starts them from its
// own counts. (An Update that drops an autoscaler forgets it by itself.)
func (r *Runner) ForgetAutoscaled(ctx context.Context, spec *specs.Spec) error {
	var errs []error
	for _, g := range spec.Groups {
		if g.Autoscale != nil {
			errs = append(errs, r.forgetScale(ctx, resource.Group.KeyOf(g.Name)))
		}
	}
	for _, s := range spec.Services {
		if s.Autoscale != nil {
			errs = append(errs, r.forgetScale(ctx, resource.Service.KeyOf(s.Name)))
		}
	}
	return errors.Join(errs...)
}

// forgetScale forgets autoscaler key's state, in memory and in the store.
func (r *Runner) forgetScale(ctx context.Context, key resource.Key) error {
	r.scaling.mu.Lock()
	delete(r.scaling.m, key)
	r.scaling.mu.Unlock()
	return r.opts.Scales.Delete(ctx, key)
}
