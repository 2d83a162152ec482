package runner

import (
	"context"
	"strings"

	"github.com/drover/drover/reconcile"
)

// mux routes a work-queue key ("group.web", "service.web", "network.x",
// "swarm.x") to the reconciler of its kind.
type mux struct{ r *Runner }

// Reconcile implements reconcile.Reconciler.
func (m mux) Reconcile(ctx context.Context, key string) (reconcile.Result, error) {
	kind, name, _ := strings.Cut(key, ".")
	switch kind {
	case KindGroup:
		return m.r.groups.Reconcile(ctx, name)
	case KindService:
		return m.r.services.ReconcileService(ctx, name)
	case KindNetwork:
		return m.r.services.ReconcileNetwork(ctx, name)
	case KindLoss:
		return m.r.lossPass(ctx, name)
	case KindSwarm:
		if !m.r.world.Load().swarms[name] {
			return reconcile.Result{}, nil
		}
		return m.r.services.Sweep(ctx, m.r.opts.Owner, name)
	}
	return reconcile.Result{}, nil // not a key of ours: nothing to do
}

// GroupKey is the work-queue key of a group.
func GroupKey(name string) string { return KindGroup + "." + name }

// lossKey is the work-queue key of a group's node-loss pass.
func lossKey(name string) string { return KindLoss + "." + name }
