package runner

import (
	"context"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// groups reconciles groups.
type groups struct{ r *Runner }

func (k groups) Reconcile(ctx context.Context, name string) (reconcile.Result, error) {
	return k.r.groups.Reconcile(ctx, name)
}

func (k groups) Status(name string) (resource.Status, bool) {
	t, ok := k.r.scaledGroup(k.r.world.Load(), name)
	if !ok {
		return resource.Status{}, false
	}
	st, seen := k.r.groups.Status(name)
	return onSpec(st.Resource(), seen, t.Generation, t.Unobserved()), true
}

// swarmResources reconciles the services or the networks of the spec: the
// kinds the service reconciler keeps, each with its own pass.
type swarmResources struct {
	r    *Runner
	kind resource.Kind
	pass func(ctx context.Context, name string) (reconcile.Result, error)
}

func (k swarmResources) Reconcile(ctx context.Context, name string) (reconcile.Result, error) {
	return k.pass(ctx, name)
}

func (k swarmResources) Status(name string) (resource.Status, bool) {
	key := k.kind.KeyOf(name)
	w := k.r.world.Load()
	if !w.declared[key] {
		return resource.Status{}, false
	}
	st, seen := k.r.services.Status(key)
	return onSpec(st.Resource(), seen, w.generation, resource.Unobserved(key)), true
}

// onSpec is st, if a pass on generation gen made it (seen), else
// unobserved.
func onSpec(st resource.Status, seen bool, gen int64, unobserved resource.Status) resource.Status {
	if !seen || st.Generation != gen {
		return unobserved
	}
	return st
}

// passOnly is a pass with no status of its own: a swarm's sweep, a
// group's node-loss pass.
type passOnly func(ctx context.Context, name string) (reconcile.Result, error)

func (f passOnly) Reconcile(ctx context.Context, name string) (reconcile.Result, error) {
	return f(ctx, name)
}

func (passOnly) Status(string) (resource.Status, bool) { return resource.Status{}, false }

// sweep removes the undeclared services and networks of swarm name.
func (r *Runner) sweep(ctx context.Context, name string) (reconcile.Result, error) {
	if !r.world.Load().swarms[name] {
		return reconcile.Result{}, nil
	}
	return r.services.Sweep(ctx, r.opts.Owner, name)
}
