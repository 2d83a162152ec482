package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docker/docker/client"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/controller/intents"
	"github.com/drover/drover/controller/scalestore"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

// Options configure a Runner. Zero fields take the defaults given.
type Options struct {
	// Registry builds the plugins. Required.
	Registry *plugins.Registry
	// Managers finds the swarms' managers for the service reconciler: the
	// *swarm.Clusters that the registry's swarm flavor records them in
	// (plugins.BuiltinOptions.Clusters). Default: none, and then specs
	// with services or networks are refused.
	Managers service.Managers
	// Engines reaches the engines of machines, where the cpu and memory
	// metrics of services' tasks are read: the *swarm.Clusters of
	// Managers. Default: none, and those metrics cannot be read (their
	// autoscalers hold).
	Engines Engines
	// Scales keeps what each autoscaler remembers, so that a restart or
	// a re-apply keeps the autoscaled counts. Default: files in
	// DataDir/autoscale/OWNER.
	Scales ScaleStore
	// MetricTimeout bounds the reading of each metric of an autoscaler;
	// they are read at once, so it bounds an evaluation's reading too.
	// Default 10s.
	MetricTimeout time.Duration
	// Owner is the drover.owner tag of every instance: specs applied with
	// different owners never touch each other's instances. Default "drover".
	Owner string
	// DataDir holds the create intents. Required.
	DataDir string
	// Workers is how many groups are reconciled at once. Default 4.
	Workers int
	// Resync is how often every group is looked at without any event,
	// jittered by ±10%. Default 30s.
	Resync time.Duration
	// NoEvents turns off waking groups on engine events, leaving resync
	// alone (the polling baseline of benchmarks). Default false.
	NoEvents bool
	// Events receives what the reconcilers do, of every kind. Default:
	// nothing.
	Events resource.Sink
	// Clock is the time source. Default: the wall clock.
	Clock reconcile.Clock
	// Group tunes the reconciler; its Intents, Clock, Events and OnStatus
	// are set by the runner.
	Group group.Options
	// WrapReconciler, if set, wraps the reconcilers as the work queue sees
	// them (the daemon's metrics); keys are resources such as group.web,
	// and loss.web for a group's node-loss pass. Default: none.
	WrapReconciler func(reconcile.Reconciler[resource.Key]) reconcile.Reconciler[resource.Key]
	// WrapProvider, if set, wraps every provider the runner builds (the
	// daemon's metrics); it must keep the plugin's optional capabilities.
	// Default: none.
	WrapProvider func(name string, p instance.Plugin) instance.Plugin
}

// Engines gives a client of a machine's engine.
type Engines interface {
	Engine(inst instance.Description) (client.APIClient, error)
}

// ScaleStore keeps the autoscalers' states by the autoscaled resource's
// key (controller/scalestore).
type ScaleStore interface {
	Get(ctx context.Context, key resource.Key) (autoscale.State, bool, error)
	Put(ctx context.Context, key resource.Key, st autoscale.State) error
	Delete(ctx context.Context, key resource.Key) error
}

var ownerRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Runner reconciles the resources of one spec at a time; Update switches
// it to another spec while it runs.
type Runner struct {
	opts     Options
	world    atomic.Pointer[world]
	groups   *group.Reconciler
	services *service.Reconciler
	kinds    map[resource.Kind]kind // bindKinds; read-only after New
	scaling  scaling
	queue    *reconcile.Queue[resource.Key]
	gen      atomic.Int64  // of the last world built
	changed  chan struct{} // a pass ended
	swapped  chan struct{} // Update switched the world

	lossMu    sync.Mutex
	lossUntil map[string]time.Time // by group: its node-loss pass looks again until then
}

// current serves the targets of the runner's world of the moment.
type current struct{ r *Runner }

func (c current) Target(name string) (*group.Target, bool) {
	return c.r.scaledGroup(c.r.world.Load(), name)
}
func (c current) Service(name string) (*service.Target, bool) {
	return c.r.scaledService(c.r.world.Load(), name)
}
func (c current) Network(name string) (*service.NetworkTarget, bool) {
	return c.r.world.Load().Network(name)
}
func (c current) Declared(swarm string) (services, networks []string) {
	return c.r.world.Load().Declared(swarm)
}

// New builds the plugins of spec's groups and checks every group's
// properties with them. It starts nothing: see Run.
func New(ctx context.Context, spec *specs.Spec, opts Options) (*Runner, error) {
	if opts.Registry == nil || opts.DataDir == "" {
		return nil, errors.New("runner: a registry and a data dir are required")
	}
	if opts.Owner == "" {
		opts.Owner = instance.DefaultOwner
	}
	if !ownerRe.MatchString(opts.Owner) {
		return nil, fmt.Errorf("owner %q: use lowercase letters, digits and dashes (it becomes a tag)", opts.Owner)
	}
	if opts.Resync <= 0 {
		opts.Resync = 30 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = reconcile.RealClock{}
	}
	if opts.MetricTimeout <= 0 {
		opts.MetricTimeout = 10 * time.Second
	}
	if opts.Events == nil {
		opts.Events = resource.Discard
	}
	if opts.Scales == nil {
		s, err := scalestore.NewFileStore(filepath.Join(opts.DataDir, "autoscale", opts.Owner))
		if err != nil {
			return nil, err
		}
		opts.Scales = s
	}
	r := &Runner{changed: make(chan struct{}, 1), swapped: make(chan struct{}, 1), lossUntil: map[string]time.Time{}}
	sink := opts.Events
	opts.Events = resource.SinkFunc(func(e resource.Event) { r.observe(e); sink.Emit(e) })
	r.opts = opts
	w, err := r.build(ctx, spec)
	if err != nil {
		return nil, &BuildError{Err: err}
	}
	r.world.Store(w)
	store, err := intents.NewFileStore(filepath.Join(opts.DataDir, "intents", opts.Owner))
	if err != nil {
		return nil, err
	}
	gopts := opts.Group
	gopts.Intents, gopts.Clock, gopts.Events = store, opts.Clock, opts.Events
	gopts.OnStatus = func(group.Status) { signal(r.changed) }
	if r.groups, err = group.New(current{r}, gopts); err != nil {
		return nil, err
	}
	if err := r.newServices(); err != nil {
		return nil, err
	}
	r.bindKinds()
	r.queue = reconcile.NewQueue[resource.Key](reconcile.QueueOptions{Clock: opts.Clock})
	r.Resync()
	return r, nil
}

// newServices makes the service reconciler, on the swarms' managers.
func (r *Runner) newServices() error {
	managers := r.opts.Managers
	if managers == nil {
		managers = noManagers{}
	}
	var err error
	r.services, err = service.New(current{r}, service.Options{
		Managers: managers, Clock: r.opts.Clock, Events: r.opts.Events,
		OnStatus: func(service.Status) { signal(r.changed) },
	})
	return err
}

// noManagers serves a runner given no Managers; build refuses specs with
// services then, so it is never asked.
type noManagers struct{}

func (noManagers) Manager(context.Context, string, string) (client.APIClient, error) {
	return nil, errors.New("this build of drover has no swarm flavor")
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Update builds the plugins of spec and checks its groups as New does;
// then, if commit (when set) succeeds, it switches the runner to spec and
// wakes every group, old and new. On any error the runner keeps its spec.
func (r *Runner) Update(ctx context.Context, spec *specs.Spec, commit func() error) error {
	w, err := r.build(ctx, spec)
	if err != nil {
		return &BuildError{Err: err}
	}
	if commit != nil {
		if err := commit(); err != nil {
			return err
		}
	}
	old := r.world.Swap(w)
	for _, key := range append(old.queued(), w.queued()...) {
		r.queue.Add(key)
	}
	r.forgetAutoscalers(ctx, old, w)
	signal(r.swapped)
	return nil
}

// BuildError is a spec whose plugins cannot be built or refuse its
// groups' properties: the spec's fault, not the runner's.
type BuildError struct{ Err error }

func (e *BuildError) Error() string { return e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// Groups lists the spec's groups in spec order.
func (r *Runner) Groups() []string { return r.names(resource.Group) }

// names lists the names of the spec's resources of kind k in spec order.
func (r *Runner) names(k resource.Kind) []string {
	var out []string
	for _, key := range r.Keys() {
		if key.Kind == k {
			out = append(out, key.Name)
		}
	}
	return out
}

// Keys lists the spec's resources, which are the work queue's keys
// (group.web, network.backend, service.web, swarm.demo): groups,
// networks, services, swarms, each in spec order.
func (r *Runner) Keys() []resource.Key { return r.world.Load().keys }

// Resync wakes every resource now, as the periodic resync does.
func (r *Runner) Resync() {
	for _, key := range r.world.Load().queued() {
		r.queue.Add(key)
	}
}

// QueueLen is how many groups wait for a pass now.
func (r *Runner) QueueLen() int { return r.queue.Len() }

// Plan observes and plans every group without acting.
func (r *Runner) Plan(ctx context.Context) ([]group.Plan, error) {
	var plans []group.Plan
	for _, name := range r.Groups() {
		p, err := r.groups.Plan(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", name, err)
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// Statuses returns the status of every resource of the spec that has one
// (a swarm's sweep has none), in the order of Keys: as its last pass on
// the current spec saw it, or unobserved before that pass.
func (r *Runner) Statuses() []resource.Status {
	var out []resource.Status
	for _, key := range r.Keys() {
		if st, ok := r.Status(key); ok {
			out = append(out, st)
		}
	}
	return out
}

// Status returns the status of one resource of any kind: as its last pass
// on the current spec saw it, or unobserved (resource.Unobserved) before
// that pass. False for a resource not in the spec or of a kind that keeps
// no status (a swarm's sweep).
func (r *Runner) Status(key resource.Key) (resource.Status, bool) {
	k, ok := r.kind(key.Kind)
	if !ok {
		return resource.Status{}, false
	}
	st, ok := k.Status(key.Name)
	if ok && r.world.Load().autoscalers[key] != nil {
		st.Autoscale = r.scaling.get(key).last
	}
	return st, ok
}

// ServicePlans says what the service reconciler would do to each service.
func (r *Runner) ServicePlans(ctx context.Context) ([]service.Plan, error) {
	var plans []service.Plan
	for _, name := range r.names(resource.Service) {
		p, err := r.services.PlanService(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// Generation identifies the spec the runner works on now; it grows with
// every Update.
func (r *Runner) Generation() int64 { return r.world.Load().generation }

// Converged says whether every resource that keeps a status (groups,
// networks, services) converged in its last pass, and that pass worked on
// the current spec.
func (r *Runner) Converged() bool {
	for _, st := range r.Statuses() {
		if !st.Converged {
			return false
		}
	}
	return true
}

// Run reconciles until ctx ends or, after any pass, stop returns true. It
// calls progress, if set, after every pass, from one goroutine. It returns
// once every goroutine it started has ended; calls in flight are abandoned
// through their context.
func (r *Runner) Run(ctx context.Context, stop func(*Runner) bool, progress func(*Runner)) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		rec := reconcile.Reconciler[resource.Key](mux{r})
		if r.opts.WrapReconciler != nil {
			rec = r.opts.WrapReconciler(rec)
		}
		(&reconcile.Driver[resource.Key]{Queue: r.queue, Reconciler: rec, Workers: r.opts.Workers}).Run(ctx)
	})
	wg.Go(func() { r.resync(ctx) })
	stopWatching := r.startWatchers(ctx, &wg)
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.swapped:
			stopWatching()
			stopWatching = r.startWatchers(ctx, &wg)
		case <-r.changed:
			if progress != nil {
				progress(r)
			}
			if stop != nil && stop(r) {
				return
			}
		}
	}
}

// startWatchers watches the providers of the current world until the
// returned func is called or ctx ends.
func (r *Runner) startWatchers(ctx context.Context, wg *sync.WaitGroup) context.CancelFunc {
	ctx, cancel := context.WithCancel(ctx)
	if r.opts.NoEvents {
		return cancel
	}
	w := r.world.Load()
	for name, wt := range w.watchers {
		wg.Go(func() { r.watch(ctx, name, wt, w) })
	}
	return cancel
}

// resync adds every group now and then, so that nothing depends on events
// arriving.
func (r *Runner) resync(ctx context.Context) {
	for {
		jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(r.opts.Resync))
		select {
		case <-ctx.Done():
			return
		case <-r.opts.Clock.After(r.opts.Resync + jitter):
			r.Resync()
		}
	}
}

// watch wakes the group of every changed instance of a provider, and
// watches again, with backoff, when the stream ends.
func (r *Runner) watch(ctx context.Context, provider string, wt instance.Watcher, w *world) {
	backoff := time.Second
	for ctx.Err() == nil {
		ch, err := wt.Watch(ctx, map[string]string{instance.TagOwner: r.opts.Owner})
		if err == nil {
			backoff = time.Second
			for name := range w.groups { // events may have been missed meanwhile
				r.queue.Add(resource.Group.KeyOf(name))
			}
			for c := range ch {
				r.wake(w, c)
			}
		} else {
			reconcile.Logger(ctx).Warn("watch failed", "provider", provider, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-r.opts.Clock.After(backoff):
			backoff = min(2*backoff, time.Minute)
		}
	}
}

// wake wakes the group of a changed instance and, if its flavor takes
// dead machines out at once, the group's node-loss pass first of all: a
// machine's death must not wait behind other keys or the group's own pass.
// That pass keeps looking for lossWatch after the event: the engine
// reports a kill before its listing shows the machine stopped.
func (r *Runner) wake(w *world, c instance.Change) {
	g := c.Tags[instance.TagGroup]
	if w.groups[g] == nil {
		return
	}
	if w.removesDead(g) {
		r.lossMu.Lock()
		r.lossUntil[g] = r.opts.Clock.Now().Add(lossWatch)
		r.lossMu.Unlock()
		r.queue.AddFirst(lossKey(g))
	}
	r.queue.Add(resource.Group.KeyOf(g))
}

// ForDestroy returns a copy of spec whose groups have size 0 and that
// declares no service or network: applying it removes every instance the
// spec owns, through the same reconciler (drain, events, caps) as any
// other change, and the sweep of each swarm removes its services and
// networks while a manager is left to ask.
func ForDestroy(spec *specs.Spec) *specs.Spec {
	c := *spec
	c.Services, c.Networks = nil, nil
	c.Groups = make([]*specs.Group, len(spec.Groups))
	for i, g := range spec.Groups {
		c.Groups[i] = Retire(g)
	}
	return &c
}

// Retire returns a copy of g sized 0, without autoscaling, that may take
// down one instance at a time even if g's update rails allow none.
func Retire(g *specs.Group) *specs.Group {
	cg := *g
	cg.Size, cg.LogicalIDs, cg.Autoscale = 0, nil, nil
	cg.Update.MaxUnavailable = max(cg.Update.MaxUnavailable, 1)
	return &cg
}
