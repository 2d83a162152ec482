package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/specs"
)

// destroySome records the current revision without the groups, services
// and networks req names: a revision of kind destroy that keeps the
// current bundle, whose Resources list what remains. The groups that leave
// are retired like any group a spec drops; the services and networks that
// leave are swept from their swarm. What the current revision does not
// declare is ignored, but naming nothing it declares is refused, and so is
// a removal that would leave a remaining resource pointing at a removed one.
func (d *Daemon) destroySome(ctx context.Context, stack string, req api.DestroyRequest) (api.ApplyResponse, error) {
	d.changeMu.Lock()
	defer d.changeMu.Unlock()
	cur := d.state.Load()
	if cur.err != nil {
		return api.ApplyResponse{}, &api.InvalidError{Err: fmt.Errorf("revision %d cannot be served (%w): apply a fix, roll back or destroy everything", cur.rec.Number, cur.err)}
	}
	gone := map[string]bool{}
	for _, key := range req.Resources {
		gone[key] = true
	}
	full := cur.byStack[stack]
	rest, removed := without(full, func(key string) bool { return gone[key] })
	if len(removed) == 0 {
		return api.ApplyResponse{}, &api.InvalidError{Err: fmt.Errorf("stack %s declares none of the %d resources named: nothing to destroy", stack, len(req.Resources))}
	}
	if err := dangling(rest, full); err != nil {
		return api.ApplyResponse{}, &api.InvalidError{Err: err}
	}
	base, err := d.store.Get(ctx, cur.stacks[stack])
	if err != nil {
		return api.ApplyResponse{}, err
	}
	msg := req.Message
	if msg == "" {
		msg = "destroy " + strings.Join(removed, ", ")
	}
	rec := store.Record{Kind: api.KindDestroy, Stack: stack, Bundle: base.Bundle, Commit: base.Commit, Author: req.Author, Message: msg,
		CarriedFrom: base.CarriedFrom, Carried: slices.DeleteFunc(slices.Clone(base.Carried), func(k string) bool { return gone[k] })}
	if len(rec.Carried) == 0 {
		rec.Carried, rec.CarriedFrom = nil, 0
	}
	return d.recordLocked(ctx, rec, rest)
}

// destroyedSpec is the spec of a destroy of some resources: its bundle's
// spec reduced to the groups, services and networks its Resources list.
func destroyedSpec(spec *specs.Spec, keep []string) *specs.Spec {
	rest, _ := without(spec, func(key string) bool { return !slices.Contains(keep, key) })
	return rest
}

// without returns a copy of spec without the groups, services and networks
// whose key (group.web) drop reports, and the keys it removed. Providers
// and swarms stay: the retired groups still need the one, and the other's
// sweep removes the services and networks that left.
func without(spec *specs.Spec, drop func(key string) bool) (*specs.Spec, []string) {
	out := *spec
	var removed []string
	keep := func(r *specs.Resource) bool {
		if drop(r.Addr()) {
			removed = append(removed, r.Addr())
			return false
		}
		return true
	}
	out.Groups = slices.DeleteFunc(slices.Clone(spec.Groups), func(g *specs.Group) bool { return !keep(&g.Resource) })
	out.Services = slices.DeleteFunc(slices.Clone(spec.Services), func(s *specs.Service) bool { return !keep(&s.Resource) })
	out.Networks = slices.DeleteFunc(slices.Clone(spec.Networks), func(n *specs.Network) bool { return !keep(&n.Resource) })
	return &out, removed
}

// dangling reports what in rest would point at a resource that was in
// full but is not in rest: a service on a removed network, after a removed
// service, or on a swarm whose every group goes.
func dangling(rest, full *specs.Spec) error {
	has := map[string]bool{}
	for _, g := range rest.Groups {
		has[g.Addr()] = true
		if swarm, _, ok := g.SwarmRole(); ok {
			has["swarm."+swarm] = true
		}
	}
	for _, s := range rest.Services {
		has[s.Addr()] = true
	}
	for _, n := range rest.Networks {
		has[n.Addr()] = true
	}
	had := map[string]bool{}
	for _, g := range full.Groups {
		if swarm, _, ok := g.SwarmRole(); ok {
			had["swarm."+swarm] = true
		}
	}
	var errs []error
	need := func(user, what, key, why string) {
		if !has[key] {
			errs = append(errs, fmt.Errorf("%s %s %s, %s: destroy %s too, or change the spec first", user, what, key, why, user))
		}
	}
	const removed, emptied = "which the destroy removes", "whose every group the destroy removes"
	for _, s := range rest.Services {
		for _, n := range s.Networks {
			need(s.Addr(), "uses", "network."+n, removed)
		}
		for _, dep := range s.DependsOn {
			need(s.Addr(), "depends on", "service."+dep, removed)
		}
		if had["swarm."+s.Swarm] {
			need(s.Addr(), "runs on", "swarm."+s.Swarm, emptied)
		}
	}
	for _, n := range rest.Networks {
		if had["swarm."+n.Swarm] {
			need(n.Addr(), "lives on", "swarm."+n.Swarm, emptied)
		}
	}
	return errors.Join(errs...)
}
