package group

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// Selector is the tags that pick out a group's instances.
func Selector(owner, group string) map[string]string {
	return map[string]string{instance.TagOwner: owner, instance.TagGroup: group}
}

// observe lists a group's instances, asks the flavor about each one's
// health, and resolves the creates in flight against the listing. Any
// failure makes the whole observation failed: a partial list must never
// look like lost instances.
func (r *Reconciler) observe(ctx context.Context, t *Target, mem *memory) Observed {
	descs, err := r.describe(ctx, t)
	if err != nil {
		return Observed{Err: err}
	}
	if err := r.flavorObserve(ctx, t, mem, descs); err != nil {
		return Observed{Err: err}
	}
	insts, err := r.judge(ctx, t, mem, descs)
	if err != nil {
		return Observed{Err: err}
	}
	if log := reconcile.Logger(ctx); log.Enabled(ctx, slog.LevelDebug) {
		for _, in := range insts {
			log.Debug("observed", "instance", in.Name, "state", in.State, "health", in.Health, "reason", in.Reason)
		}
	}
	intents, err := r.pendingIntents(ctx, t, descs)
	if err != nil {
		return Observed{Err: err}
	}
	for _, name := range mem.lost(insts) {
		r.emit(resource.Event{Resource: resource.Group.KeyOf(t.Spec.Name), Kind: "lost", Instance: name, Reason: "gone without drover destroying it"})
	}
	byID := make(map[instance.ID]instance.Description, len(descs))
	for _, d := range descs {
		byID[d.ID] = d
	}
	mem.forgetHealthy(byID)
	return Observed{Instances: insts, Intents: intents, Descriptions: byID}
}

// flavorObserve shows a flavor that wants it (flavor.Observer) the whole
// listing, before health is asked: the swarm flavor forms its swarm and
// takes dead machines' nodes out of it there.
func (r *Reconciler) flavorObserve(ctx context.Context, t *Target, mem *memory, descs []instance.Description) error {
	o, ok := t.Flavor.(flavor.Observer)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
	defer cancel()
	if err := o.Observe(ctx, t.Spec.Flavor.Properties.Reveal(), mem.allocation(t.Spec), descs); err != nil {
		return fmt.Errorf("flavor %s of group %s: %w", t.Spec.Flavor.Plugin, t.Spec.Name, err)
	}
	return nil
}

func (r *Reconciler) describe(ctx context.Context, t *Target) ([]instance.Description, error) {
	ctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
	defer cancel()
	descs, err := t.Instance.Describe(ctx, Selector(t.Owner, t.Spec.Name))
	if err != nil {
		return nil, fmt.Errorf("describe group %s: %w", t.Spec.Name, err)
	}
	return descs, nil
}

// judge turns descriptions into instances with the flavor's verdict, with
// bounded concurrency.
func (r *Reconciler) judge(ctx context.Context, t *Target, mem *memory, descs []instance.Description) ([]Instance, error) {
	insts := make([]Instance, len(descs))
	props := t.Spec.Flavor.Properties.Reveal()
	now := r.opts.Clock.Now()
	err := r.forEach(ctx, len(descs), func(ctx context.Context, i int) error {
		d := descs[i]
		h, err := t.Flavor.Health(ctx, props, d)
		if err != nil {
			return fmt.Errorf("health of %s: %w", nameOf(d), err)
		}
		wasHealthy, unknownSince := mem.sawHealthy(d.ID, h.Status, now)
		insts[i] = Instance{
			ID: d.ID, Name: nameOf(d), LogicalID: d.Tags[instance.TagLogicalID], Config: d.Tags[instance.TagConfig],
			CreatedAt: d.CreatedAt, State: d.State, Health: h.Status, Reason: h.Reason,
			UnhealthySince: mem.judge(d.ID, h.Status, now), Creating: mem.isCreating(nameOf(d)),
			WasHealthy: wasHealthy, UnknownSince: unknownSince,
		}
		return nil
	})
	return insts, err
}

// nameOf is an instance's name: its drover.name tag, else its id.
func nameOf(d instance.Description) string {
	if n := d.Tags[TagName]; n != "" {
		return n
	}
	return string(d.ID)
}

// TagName holds an instance's name, so that backends whose ids are not
// names (droplet ids) still report the name drover gave.
const TagName = "drover.name"

// pendingIntents returns the intents no listed instance matches yet,
// deleting those that are matched and those older than IntentTTL.
func (r *Reconciler) pendingIntents(ctx context.Context, t *Target, descs []instance.Description) ([]Intent, error) {
	all, err := r.opts.Intents.List(ctx, t.Spec.Name)
	if err != nil {
		return nil, fmt.Errorf("intents of group %s: %w", t.Spec.Name, err)
	}
	seen := map[string]bool{}
	for _, d := range descs {
		seen[nameOf(d)] = true
		seen["request:"+d.Tags[instance.TagRequest]] = true
	}
	now := r.opts.Clock.Now()
	var pending []Intent
	for _, it := range all {
		switch {
		case seen[it.Name] || seen["request:"+it.Request]:
			err = r.opts.Intents.Delete(ctx, it.Group, it.Name)
		case !it.Until.IsZero() && now.After(it.Until):
			r.emit(resource.Event{Resource: resource.Group.KeyOf(it.Group), Kind: "create_failed", Instance: it.Name, Reason: "its create failed without certainty and no listing showed it within the provider's list lag: it did not happen"})
			err = r.opts.Intents.Delete(ctx, it.Group, it.Name)
		case it.Until.IsZero() && now.Sub(it.Created) > r.opts.IntentTTL:
			r.emit(resource.Event{Resource: resource.Group.KeyOf(it.Group), Kind: "create_failed", Instance: it.Name, Reason: fmt.Sprintf("not seen %s after the create was requested", r.opts.IntentTTL)})
			err = r.opts.Intents.Delete(ctx, it.Group, it.Name)
		default:
			pending = append(pending, it)
		}
		if err != nil {
			return nil, fmt.Errorf("intents of group %s: %w", t.Spec.Name, err)
		}
	}
	return pending, nil
}

// forEach runs fn for 0..n-1 with at most Concurrency at once, each under
// CallTimeout, and joins the errors.
func (r *Reconciler) forEach(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	sem := make(chan struct{}, r.opts.Concurrency)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return errors.Join(append(errs, ctx.Err())...)
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			cctx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
			defer cancel()
			if err := fn(cctx, i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *Reconciler) emit(e resource.Event) {
	if e.Time.IsZero() {
		e.Time = r.opts.Clock.Now()
	}
	r.opts.Events.Emit(e)
}
