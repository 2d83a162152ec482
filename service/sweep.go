package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/reconcile"
)

// Sweep removes the services and networks on swarm that carry owner's
// labels (drover.owner and drover.swarm) but that the spec no longer
// declares: services first, then networks no service uses any more. A
// network still held by a departing service's tasks is tried again at the
// next pass, which the result asks for. Nothing without owner's label is
// ever removed.
func (r *Reconciler) Sweep(ctx context.Context, owner, swarmName string) (reconcile.Result, error) {
	cli, err := r.manager(ctx, owner, swarmName)
	if errors.Is(err, errNoManager) {
		return reconcile.Result{RequeueAfter: r.opts.Poll}, nil
	} else if err != nil {
		return reconcile.Result{}, err
	}
	services, networks := r.targets.Declared(swarmName)
	ours := filters.NewArgs(filters.Arg("label", LabelOwner+"="+owner), filters.Arg("label", LabelSwarm+"="+swarmName))

	cctx, cancel := r.call(ctx)
	list, err := cli.ServiceList(cctx, swarm.ServiceListOptions{Filters: ours})
	cancel()
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("list services: %w", err)
	}
	var errs []error
	removed := map[string]bool{}
	for _, s := range list {
		// The filter is the engine's; the labels are checked again here,
		// since removal is what must never go wrong.
		if s.Spec.Labels[LabelOwner] != owner || s.Spec.Labels[LabelSwarm] != swarmName || slices.Contains(services, s.Spec.Name) {
			continue
		}
		cctx, cancel := r.call(ctx)
		err := cli.ServiceRemove(cctx, s.ID)
		cancel()
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove service %s: %w", s.Spec.Name, err))
			continue
		}
		removed[s.ID] = true
		r.forget(serviceKey(s.Spec.Name))
		r.emit(serviceKey(s.Spec.Name), EventRemoved, "not in the spec", nil)
	}

	cctx, cancel = r.call(ctx)
	nets, err := cli.NetworkList(cctx, network.ListOptions{Filters: ours})
	cancel()
	if err != nil {
		return reconcile.Result{}, errors.Join(append(errs, fmt.Errorf("list networks: %w", err))...)
	}
	var pending bool
	listed := map[string]bool{}
	for _, n := range nets {
		listed[n.ID] = true
		if n.Labels[LabelOwner] != owner || n.Labels[LabelSwarm] != swarmName || n.Scope != "swarm" || slices.Contains(networks, n.Name) {
			continue
		}
		if r.wasSwept(n.ID) {
			// Removed from the swarm; the engine lists it until its local
			// endpoints are gone.
			pending = true
			continue
		}
		users, err := r.usersOf(ctx, cli, n.ID, n.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(users) > 0 {
			// Services that stay (declared, or not drover's) use it: it
			// stays too, until a sweep finds it unused.
			reconcile.Logger(ctx).Info("undeclared network kept: in use", "network", n.Name, "services", users)
			continue
		}
		cctx, cancel := r.call(ctx)
		err = cli.NetworkRemove(cctx, n.ID)
		cancel()
		switch {
		case cerrdefs.IsNotFound(err):
		case err != nil:
			pending = true // tasks of a service just removed may still hold it
			reconcile.Logger(ctx).Info("network not removed yet", "network", n.Name, "err", err)
			continue
		}
		r.swept(swarmName, n.ID)
		r.forget(networkKey(n.Name))
		r.emit(networkKey(n.Name), EventRemoved, "not in the spec", nil)
	}
	r.sweptGone(swarmName, listed)
	if err := errors.Join(errs...); err != nil {
		return reconcile.Result{}, err
	}
	if pending || len(removed) > 0 {
		return reconcile.Result{RequeueAfter: r.opts.Poll}, nil
	}
	return reconcile.Result{}, nil
}

// swept records a network the sweep removed, so that the engine's lingering
// listing of it is not taken for a network to remove again.
func (r *Reconciler) swept(swarmName, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweptNets[id] = swarmName
}

func (r *Reconciler) wasSwept(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.sweptNets[id]
	return ok
}

// sweptGone forgets the networks swept from swarmName that it no longer
// lists.
func (r *Reconciler) sweptGone(swarmName string, listed map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, sw := range r.sweptNets {
		if sw == swarmName && !listed[id] {
			delete(r.sweptNets, id)
		}
	}
}
