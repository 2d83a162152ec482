// Package runner reconciles a spec in-process: it builds the plugins a
// spec's groups need, runs the group reconciler on a keyed work queue woken
// by engine events and a jittered resync, and stops when the groups have
// converged or its context ends. drover plan, apply and destroy use it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"time"

	"github.com/drover/drover/controller"
	"github.com/drover/drover/controller/intents"
	"github.com/drover/drover/flavor"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// Options configure a Runner. Zero fields take the defaults given.
type Options struct {
	// Registry builds the plugins. Required.
	Registry *plugins.Registry
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
	// Events receives what the reconciler does. Default: nothing.
	Events group.EventSink
	// Clock is the time source. Default: the wall clock.
	Clock controller.Clock
	// Group tunes the reconciler; its Intents, Clock, Events and OnStatus
	// are set by the runner.
	Group group.Options
}

var ownerRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Runner reconciles the groups of one spec.
type Runner struct {
	opts     Options
	targets  targets
	order    []string
	watchers map[string]instance.Watcher // by provider
	rec      *group.Reconciler
	changed  chan struct{}
}

type targets map[string]*group.Target

func (t targets) Target(name string) (*group.Target, bool) { g, ok := t[name]; return g, ok }

// New builds the plugins of spec's groups and checks every group's
// properties with them.
func New(ctx context.Context, spec *specs.Spec, opts Options) (*Runner, error) {
	if opts.Registry == nil || opts.DataDir == "" {
		return nil, errors.New("runner: a registry and a data dir are required")
	}
	if opts.Owner == "" {
		opts.Owner = "drover"
	}
	if !ownerRe.MatchString(opts.Owner) {
		return nil, fmt.Errorf("owner %q: use lowercase letters, digits and dashes (it becomes a tag)", opts.Owner)
	}
	if opts.Resync <= 0 {
		opts.Resync = 30 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = controller.RealClock{}
	}
	r := &Runner{opts: opts, targets: targets{}, watchers: map[string]instance.Watcher{}, changed: make(chan struct{}, 1)}
	if err := r.build(ctx, spec); err != nil {
		return nil, err
	}
	store, err := intents.NewFileStore(filepath.Join(opts.DataDir, "intents", opts.Owner))
	if err != nil {
		return nil, err
	}
	gopts := opts.Group
	gopts.Intents, gopts.Clock, gopts.Events = store, opts.Clock, opts.Events
	gopts.OnStatus = func(group.Status) {
		select {
		case r.changed <- struct{}{}:
		default:
		}
	}
	r.rec, err = group.New(r.targets, gopts)
	return r, err
}

// build connects each provider once and makes a target per group.
func (r *Runner) build(ctx context.Context, spec *specs.Spec) error {
	providers := map[string]instance.Plugin{}
	for _, p := range spec.Providers {
		ip, ok := r.opts.Registry.Instance(p.Type)
		if !ok {
			return fmt.Errorf("provider %s: the %q instance plugin is known to the spec language but has no implementation in this build of drover yet", p.Name, p.Type)
		}
		plugin, err := ip.New(ctx, p.Config.Reveal())
		if err != nil {
			return fmt.Errorf("provider %s: %w", p.Name, err)
		}
		providers[p.Name] = plugin
		if w, ok := plugin.(instance.Watcher); ok {
			r.watchers[p.Name] = w
		}
	}
	var errs []error
	for _, g := range spec.Groups {
		t, err := r.target(ctx, g, providers)
		if err != nil {
			errs = append(errs, fmt.Errorf("group %s: %w", g.Name, err))
			continue
		}
		r.targets[g.Name] = t
		r.order = append(r.order, g.Name)
	}
	return errors.Join(errs...)
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
	alloc := flavor.Allocation{Group: g.Name, Size: g.Size}
	for _, id := range g.LogicalIDs {
		alloc.LogicalIDs = append(alloc.LogicalIDs, instance.LogicalID(id))
	}
	if err := fl.Validate(ctx, g.Flavor.Properties.Reveal(), alloc); err != nil {
		return nil, fmt.Errorf("flavor %q: %w", g.Flavor.Plugin, err)
	}
	return &group.Target{Spec: g, Owner: r.opts.Owner, Instance: inst, Flavor: fl}, nil
}

// Groups lists the spec's groups in spec order.
func (r *Runner) Groups() []string { return r.order }

// Plan observes and plans every group without acting.
func (r *Runner) Plan(ctx context.Context) ([]group.Plan, error) {
	var plans []group.Plan
	for _, name := range r.order {
		p, err := r.rec.Plan(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", name, err)
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// Statuses returns the last status of every group that had a pass.
func (r *Runner) Statuses() []group.Status {
	var out []group.Status
	for _, name := range r.order {
		if st, ok := r.rec.Status(name); ok {
			out = append(out, st)
		}
	}
	return out
}

// Converged says whether every group converged in its last pass.
func (r *Runner) Converged() bool {
	sts := r.Statuses()
	if len(sts) != len(r.order) {
		return false
	}
	for _, st := range sts {
		if !st.Converged {
			return false
		}
	}
	return true
}

// Run reconciles until ctx ends or, after any pass, stop returns true. It
// calls progress, if set, after every pass, from one goroutine.
func (r *Runner) Run(ctx context.Context, stop func(*Runner) bool, progress func(*Runner)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := controller.NewQueue(controller.QueueOptions{Clock: r.opts.Clock})
	for _, name := range r.order {
		q.Add(name)
	}
	done := make(chan struct{})
	go func() {
		(&controller.Driver{Queue: q, Reconciler: r.rec, Workers: r.opts.Workers}).Run(ctx)
		close(done)
	}()
	go r.resync(ctx, q)
	if !r.opts.NoEvents {
		for name, w := range r.watchers {
			go r.watch(ctx, name, w, q)
		}
	}
	defer func() { cancel(); <-done }()
	for {
		select {
		case <-ctx.Done():
			return
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

// resync adds every group now and then, so that nothing depends on events
// arriving.
func (r *Runner) resync(ctx context.Context, q *controller.Queue) {
	for {
		jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(r.opts.Resync))
		select {
		case <-ctx.Done():
			return
		case <-r.opts.Clock.After(r.opts.Resync + jitter):
			for _, name := range r.order {
				q.Add(name)
			}
		}
	}
}

// watch wakes the group of every changed instance of a provider, and
// watches again, with backoff, when the stream ends.
func (r *Runner) watch(ctx context.Context, provider string, w instance.Watcher, q *controller.Queue) {
	backoff := time.Second
	for ctx.Err() == nil {
		ch, err := w.Watch(ctx, map[string]string{instance.TagOwner: r.opts.Owner})
		if err == nil {
			backoff = time.Second
			for _, name := range r.order { // events may have been missed meanwhile
				q.Add(name)
			}
			for c := range ch {
				if g := c.Tags[instance.TagGroup]; r.targets[g] != nil {
					q.Add(g)
				}
			}
		} else {
			controller.Logger(ctx).Warn("watch failed", "provider", provider, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-r.opts.Clock.After(backoff):
			backoff = min(2*backoff, time.Minute)
		}
	}
}

// ForDestroy returns a copy of spec whose groups have size 0: applying it
// removes every instance the spec owns, through the same reconciler
// (drain, events, caps) as any other change.
func ForDestroy(spec *specs.Spec) *specs.Spec {
	c := *spec
	c.Groups = make([]*specs.Group, len(spec.Groups))
	for i, g := range spec.Groups {
		cg := *g
		cg.Size, cg.LogicalIDs, cg.Autoscale = 0, nil, nil
		cg.Update.MaxUnavailable = max(cg.Update.MaxUnavailable, 1)
		c.Groups[i] = &cg
	}
	return &c
}
