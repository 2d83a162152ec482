package runner

import (
	"context"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// kind is how the runner reconciles the resources of one kind and reads
// their status, given a resource's name.
type kind interface {
	Reconcile(ctx context.Context, name string) (reconcile.Result, error)
	// Status is resource name's status on the current spec: as its last
	// pass on that spec saw it or, before that pass, unobserved
	// (resource.Unobserved). False for a resource not in the spec, and
	// for every resource of a kind that keeps no status (a swarm's sweep).
	Status(name string) (resource.Status, bool)
}

// kindLoss is the kind of the key of a group's node-loss pass (lossPass),
// woken by its machines' events beside the group's own pass; not a
// resource of the spec.
const kindLoss resource.Kind = "loss"

// kinds are the reconcilers of the work queue's keys, by kind: the one
// place that names the kinds the runner reconciles.
var kinds = map[resource.Kind]func(*Runner) kind{
	resource.Group: func(r *Runner) kind { return groups{r} },
	resource.Network: func(r *Runner) kind {
		return swarmResources{r: r, kind: resource.Network, pass: r.services.ReconcileNetwork}
	},
	resource.Service: func(r *Runner) kind {
		return swarmResources{r: r, kind: resource.Service, pass: r.services.ReconcileService}
	},
	resource.Swarm: func(r *Runner) kind { return passOnly(r.sweep) },
	kindLoss:       func(r *Runner) kind { return passOnly(r.lossPass) },
	kindAutoscale:  func(r *Runner) kind { return passOnly(r.autoscalePass) },
}

// bindKinds makes r's reconciler of each kind, once: New calls it when
// r's reconcilers exist.
func (r *Runner) bindKinds() {
	r.kinds = make(map[resource.Kind]kind, len(kinds))
	for k, f := range kinds {
		r.kinds[k] = f(r)
	}
}

// kind returns the reconciler of the keys of kind k.
func (r *Runner) kind(k resource.Kind) (kind, bool) {
	rec, ok := r.kinds[k]
	return rec, ok
}

// mux routes a work-queue key to the reconciler of its kind.
type mux struct{ r *Runner }

// Reconcile implements reconcile.Reconciler.
func (m mux) Reconcile(ctx context.Context, key resource.Key) (reconcile.Result, error) {
	k, ok := m.r.kind(key.Kind)
	if !ok {
		return reconcile.Result{}, nil // not a key of ours: nothing to do
	}
	return k.Reconcile(ctx, key.Name)
}

// lossKey is the work-queue key of a group's node-loss pass.
func lossKey(name string) resource.Key { return kindLoss.KeyOf(name) }
