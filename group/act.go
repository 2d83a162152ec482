package group

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
	"github.com/drover/drover/spierr"
)

// act carries out a plan's steps: destroys first, then creates, each group
// of them with bounded concurrency. Every failure is reported as an event
// and returned, so that the pass is retried with backoff.
func (r *Reconciler) act(ctx context.Context, t *Target, p Plan, descs map[instance.ID]instance.Description, mem *memory) error {
	if p.Held != "" {
		if ctx.Err() != nil {
			return ctx.Err() // shutting down: not worth an event
		}
		r.emit(resource.Event{Resource: resource.Group.KeyOf(t.Spec.Name), Kind: "held", Reason: p.Held})
		return nil
	}
	var destroys, creates []Action
	for _, a := range p.Steps {
		if a.Kind == ActionDestroy {
			destroys = append(destroys, a)
		} else {
			creates = append(creates, a)
		}
	}
	derr := r.forEach(ctx, len(destroys), func(ctx context.Context, i int) error {
		return r.destroy(ctx, t, destroys[i], descs[destroys[i].Instance], mem)
	})
	cerr := r.forEach(ctx, len(creates), func(ctx context.Context, i int) error { return r.create(ctx, t, creates[i], mem) })
	return errors.Join(derr, cerr)
}

// destroy drains an instance through its flavor, with the description the
// listing gave (or what the action knows, if the listing lacked it), then
// destroys it.
func (r *Reconciler) destroy(ctx context.Context, t *Target, a Action, desc instance.Description, mem *memory) error {
	if desc.ID == "" {
		desc = instance.Description{ID: a.Instance, LogicalID: instance.LogicalID(a.LogicalID), Tags: map[string]string{TagName: a.Name}}
	}
	err := t.Flavor.Drain(ctx, t.Spec.Flavor.Properties.Reveal(), desc)
	if err == nil {
		err = t.Instance.Destroy(ctx, a.Instance, destroyReason(a.Reason))
	}
	if err != nil && !errors.Is(err, spierr.ErrNotFound) {
		r.emit(resource.Event{Resource: resource.Group.KeyOf(t.Spec.Name), Kind: "destroy_failed", Instance: a.Name, Reason: a.Reason.String(), Error: err.Error()})
		return fmt.Errorf("destroy %s: %w", a.Name, err)
	}
	mem.madeDestroy(a.Name)
	r.emit(resource.Event{Resource: resource.Group.KeyOf(t.Spec.Name), Kind: "destroyed", Instance: a.Name, Reason: a.Reason.String()})
	return nil
}

// create records the intent, lets the flavor prepare the spec and
// provisions it. The intent stays until a listing shows the instance, so a
// crash at any point never leads to a second create of the same slot.
func (r *Reconciler) create(ctx context.Context, t *Target, a Action, mem *memory) error {
	req := newID()
	it := Intent{Group: t.Spec.Name, Name: a.Name, LogicalID: a.LogicalID, Request: req, Created: r.opts.Clock.Now()}
	if err := r.opts.Intents.Put(ctx, it); err != nil {
		return fmt.Errorf("create %s: record intent: %w", a.Name, err)
	}
	mem.setCreating(a.Name, true)
	defer mem.setCreating(a.Name, false)
	id, err := r.provision(ctx, t, a, req, mem.allocation(t.Spec))
	if err != nil {
		switch {
		case definitive(err): // nothing was made, nor will be: the intent would only block the slot
			err = r.forgetIntent(ctx, it, err)
			mem.failed(r.opts.Clock.Now(), r.opts)
		case spierr.IsNotDone(err): // nothing was made this time; the queue backs off
			err = r.forgetIntent(ctx, it, err)
		case lags(t.Instance) > 0:
			// It may have happened: the slot is held until the backend's
			// lists must show it, and no longer.
			it.Until = r.opts.Clock.Now().Add(lags(t.Instance))
			if perr := r.opts.Intents.Put(ctx, it); perr != nil {
				err = errors.Join(err, fmt.Errorf("record intent: %w", perr))
			}
		}
		// A temporary failure (an API error, a lost reply) is not a crash
		// loop: the intent holds the slot and the queue backs the group off.
		r.emit(resource.Event{Resource: resource.Group.KeyOf(t.Spec.Name), Kind: "create_failed", Instance: a.Name, Reason: a.Reason.String(), Error: err.Error()})
		return fmt.Errorf("create %s: %w", a.Name, err)
	}
	mem.madeInstance(id, a.Name)
	r.emit(resource.Event{Resource: resource.Group.KeyOf(t.Spec.Name), Kind: "created", Instance: a.Name, Reason: a.Reason.String()})
	return nil
}

// forgetIntent deletes the intent of a create that made nothing, and
// returns err, joined with why the intent stays if it does.
func (r *Reconciler) forgetIntent(ctx context.Context, it Intent, err error) error {
	if derr := r.opts.Intents.Delete(ctx, it.Group, it.Name); derr != nil {
		return errors.Join(err, fmt.Errorf("forget intent: %w", derr))
	}
	return err
}

func (r *Reconciler) provision(ctx context.Context, t *Target, a Action, request string, alloc flavor.Allocation) (instance.ID, error) {
	spec := instance.Spec{
		Name:       MachineName(t.Owner, a.Name),
		Properties: t.Spec.Instance.Properties.Reveal(),
		LogicalID:  instance.LogicalID(a.LogicalID),
		Tags: map[string]string{
			instance.TagOwner: t.Owner, instance.TagGroup: t.Spec.Name, instance.TagConfig: t.Spec.Hash,
			instance.TagRequest: request, TagName: a.Name,
		},
	}
	if a.LogicalID != "" {
		spec.Tags[instance.TagLogicalID] = a.LogicalID
	}
	spec, err := t.Flavor.Prepare(ctx, t.Spec.Flavor.Properties.Reveal(), spec, alloc)
	if err != nil {
		return "", fmt.Errorf("prepare: %w", err)
	}
	return t.Instance.Provision(ctx, spec)
}

// lags is how long the plugin's listings may miss a new instance; 0 when
// they do not lag.
func lags(p instance.Plugin) time.Duration {
	if l, ok := instance.Capability[instance.Lagging](p); ok {
		return l.ListLag()
	}
	return 0
}

// definitive errors mean the backend made nothing.
func definitive(err error) bool {
	return errors.Is(err, spierr.ErrInvalid) || errors.Is(err, spierr.ErrConflict) || errors.Is(err, spierr.ErrUnsupported)
}

func destroyReason(r Reason) instance.DestroyReason {
	switch r.Code {
	case ReasonUnhealthy, ReasonDead:
		return instance.DestroyUnhealthy
	case ReasonConfigChanged:
		return instance.DestroyReplace
	}
	return instance.DestroyScaleDown
}

// MachineName is the backend name of an instance: the owner, then the name
// the planner gave it ("drover-web-1"). Engines and clouds name machines
// in one namespace, so two owners' groups of the same name must not
// collide; the planner's own name is kept in the drover.name tag.
func MachineName(owner, name string) string { return owner + "-" + name }

// allocation is what the flavor is told of a group.
func allocation(g *specs.Group) flavor.Allocation {
	return flavor.NewAllocation(g.Name, g.Size, g.LogicalIDs)
}
