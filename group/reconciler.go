package group

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// Target is a group as the reconciler works on it: its spec and the
// plugins that serve it.
type Target struct {
	Spec     *specs.Group
	Owner    string
	Instance instance.Plugin
	Flavor   flavor.Plugin
	// Generation identifies the desired state the target belongs to; a
	// pass's Status carries it, so callers can tell a status of the
	// current spec from one of the spec before.
	Generation int64
	// Prefer are machines to give up first when the group has more than
	// its size (the autoscaler's unneeded machines, best first), after
	// unhealthy ones. Machines it names that the group does not have are
	// ignored.
	Prefer []instance.ID
}

// Targets finds the groups to reconcile.
type Targets interface {
	Target(name string) (*Target, bool)
}

// IntentStore records creates in flight.
type IntentStore interface {
	Put(ctx context.Context, it Intent) error
	Delete(ctx context.Context, group, name string) error
	List(ctx context.Context, group string) ([]Intent, error)
}

// Options configure a Reconciler. Zero fields take the defaults given.
type Options struct {
	// Intents records creates in flight. Required.
	Intents IntentStore
	// Clock is the time source. Default: reconcile.RealClock.
	Clock reconcile.Clock
	// Events receives what the reconciler did and why. Default: none.
	Events resource.Sink
	// Concurrency bounds the plugin calls of one group at once. Default 4.
	Concurrency int
	// CallTimeout bounds each plugin call. Default 2m.
	CallTimeout time.Duration
	// IntentTTL is how long a create may stay unseen before it is taken
	// to have failed. Default 5m.
	IntentTTL time.Duration
	// Limits are the planner's own rails. Default: see Limits.
	Limits Limits
	// BreakerThreshold is how many replacements in a row may fail before
	// the crash-loop breaker opens. Default 3.
	BreakerThreshold int
	// BreakerBackoff is the first backoff of the breaker, doubled for each
	// further failure up to BreakerMaxBackoff. Defaults 10s and 5m.
	BreakerBackoff    time.Duration
	BreakerMaxBackoff time.Duration
	// OnStatus is called after every pass with the group's new status.
	// Default: nothing.
	OnStatus func(Status)
	// StableAfter is how long a replacement must have lived, ready, to
	// count as a success that closes the breaker. Default 10s.
	StableAfter time.Duration
}

// Reconciler keeps groups as their specs say: observe, plan, act, report.
type Reconciler struct {
	targets Targets
	opts    Options

	mu     sync.Mutex
	memory map[string]*memory
}

// New returns a Reconciler, after applying defaults to opts and checking
// them.
func New(targets Targets, opts Options) (*Reconciler, error) {
	if targets == nil || opts.Intents == nil {
		return nil, errors.New("group: targets and an intent store are required")
	}
	if opts.Clock == nil {
		opts.Clock = reconcile.RealClock{}
	}
	if opts.Events == nil {
		opts.Events = resource.Discard
	}
	opts.Concurrency = orDefaultInt(opts.Concurrency, 4)
	opts.CallTimeout = orDefaultDuration(opts.CallTimeout, 2*time.Minute)
	opts.IntentTTL = orDefaultDuration(opts.IntentTTL, 5*time.Minute)
	opts.BreakerThreshold = orDefaultInt(opts.BreakerThreshold, 3)
	opts.BreakerBackoff = orDefaultDuration(opts.BreakerBackoff, 10*time.Second)
	opts.BreakerMaxBackoff = orDefaultDuration(opts.BreakerMaxBackoff, 5*time.Minute)
	opts.StableAfter = orDefaultDuration(opts.StableAfter, 10*time.Second)
	opts.Limits = opts.Limits.withDefaults()
	return &Reconciler{targets: targets, opts: opts, memory: map[string]*memory{}}, nil
}

// Reconcile makes one pass over group name: observe it, plan, carry out
// the steps and report. It returns when the group wants its next pass.
func (r *Reconciler) Reconcile(ctx context.Context, name string) (reconcile.Result, error) {
	t, ok := r.targets.Target(name)
	if !ok {
		return reconcile.Result{}, nil // not (or no longer) in the spec
	}
	ctx = reconcile.WithLogger(ctx, reconcile.Logger(ctx).With("group", name, "pass", newID()[:8]))
	mem := r.memoryOf(name)
	obs := r.observe(ctx, t, mem)
	if err := ctx.Err(); err != nil {
		return reconcile.Result{}, err // abandoned at shutdown: it saw nothing worth reporting
	}
	now := r.opts.Clock.Now()
	p := Compute(Input{Desired: t.desired(), Observed: obs, History: mem.history(), Limits: r.opts.Limits, Now: now, PollStarting: pollStarting(t.Instance)})
	mem.afterPlan(p, obs, now, r.opts)
	err := r.act(ctx, t, p, obs.Descriptions, mem)
	if ctx.Err() != nil {
		return reconcile.Result{}, errors.Join(err, ctx.Err())
	}
	st := mem.setStatus(p, err, now, t.Generation)
	if r.opts.OnStatus != nil {
		r.opts.OnStatus(st)
	}
	switch {
	case err != nil:
		return reconcile.Result{}, err
	case len(p.Steps) > 0:
		return reconcile.Result{Requeue: true}, nil // see what the steps did
	}
	return reconcile.Result{RequeueAfter: p.RequeueAfter}, nil
}

// Plan observes a group and plans it without acting: what `drover plan`
// shows. An observation that fails is an error here, since there is no
// plan to show.
func (r *Reconciler) Plan(ctx context.Context, name string) (Plan, error) {
	t, ok := r.targets.Target(name)
	if !ok {
		return Plan{}, fmt.Errorf("group %q is not in the spec", name)
	}
	mem := r.memoryOf(name)
	obs := r.observe(ctx, t, mem)
	if obs.Err != nil {
		return Plan{}, obs.Err
	}
	hist := mem.history()
	hist.DropConfirmed = true // a plan is a report, not an action: show what is there
	return Compute(Input{Desired: t.desired(), Observed: obs, History: hist, Limits: r.opts.Limits, Now: r.opts.Clock.Now()}), nil
}

func (r *Reconciler) memoryOf(name string) *memory {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.memory[name] == nil {
		r.memory[name] = newMemory(name)
	}
	return r.memory[name]
}

func orDefaultInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orDefaultDuration(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// startingPoll is how soon a group whose provider sends no change hints is
// looked at again while machines start: a droplet that has booted says so
// to nobody.
const startingPoll = 2 * time.Second

func pollStarting(p instance.Plugin) time.Duration {
	if _, ok := instance.Capability[instance.Watcher](p); ok {
		return 0
	}
	return startingPoll
}
