package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/specs"
)

// The desired state is the union of stacks: each apply replaces one stack
// (default "default"), each git source owns the stack of its name. A
// revision records the stack it changed, with that stack's bundle, and
// the revision that defines every other stack; the spec of a revision is
// the merge of its stacks' specs.

// stackOf is the stack a revision changed.
func stackOf(rec store.Record) string {
	return cmp.Or(rec.Stack, api.DefaultStack)
}

// stacksOf are the stacks of the desired state after rec, each to the
// revision that defines it. A revision recorded before stacks changed the
// one stack there was, and left it empty when it destroyed everything.
func stacksOf(rec store.Record) map[string]int64 {
	switch {
	case rec.Stacks != nil:
		return maps.Clone(rec.Stacks)
	case rec.Number == 0, rec.Kind == api.KindDestroy && len(rec.Resources) == 0:
		return map[string]int64{}
	}
	return map[string]int64{api.DefaultStack: rec.Number}
}

// stackSpec loads the spec of the stack revision n defines: its bundle's
// spec with the resources it carries. Callers hold changeMu.
func (d *Daemon) stackSpec(ctx context.Context, n int64) (*specs.Spec, error) {
	if s, ok := d.cache[n]; ok {
		return s, nil
	}
	rec, err := d.store.Get(ctx, n)
	if err != nil {
		return nil, err
	}
	s, err := d.specOf(rec)
	if err != nil {
		return nil, err
	}
	if len(rec.Carried) > 0 {
		from, err := d.stackSpec(ctx, rec.CarriedFrom)
		if err != nil {
			return nil, fmt.Errorf("what it carries from revision %d: %w", rec.CarriedFrom, err)
		}
		s = carry(s, from, rec.Carried)
	}
	if err := sameSpec(rec, s); err != nil {
		return nil, err
	}
	d.cache[n] = s
	return s, nil
}

// stackSpecs loads the spec of each stack.
func (d *Daemon) stackSpecs(ctx context.Context, stacks map[string]int64) (map[string]*specs.Spec, error) {
	out := make(map[string]*specs.Spec, len(stacks))
	for _, name := range slices.Sorted(maps.Keys(stacks)) {
		s, err := d.stackSpec(ctx, stacks[name])
		if err != nil {
			return nil, fmt.Errorf("stack %s (revision %d): %w", name, stacks[name], err)
		}
		out[name] = s
	}
	return out, nil
}

// loadRevision loads the spec of revision n: the merge of its stacks.
// Callers hold changeMu.
func (d *Daemon) loadRevision(ctx context.Context, n int64) (*specs.Spec, error) {
	if s, ok := d.merged[n]; ok {
		return s, nil
	}
	rec, err := d.store.Get(ctx, n)
	if err != nil {
		return nil, err
	}
	byStack, err := d.stackSpecs(ctx, stacksOf(rec))
	if err != nil {
		return nil, err
	}
	s, err := merge(byStack)
	if err != nil {
		return nil, err
	}
	d.merged[n] = s
	return s, nil
}

// ConflictError is two stacks declaring one resource.
type ConflictError struct {
	Resource string
	// Stacks and Places are the two stacks and where each declares it.
	Stacks, Places [2]string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s is declared by stack %s (%s) and by stack %s (%s): a resource belongs to one stack; rename or remove one",
		e.Resource, e.Stacks[0], e.Places[0], e.Stacks[1], e.Places[1])
}

// merge is the union of the stacks' specs. Providers and swarms declared
// alike (the same hash) by several stacks are shared; any other resource
// declared by two stacks is a *ConflictError.
func merge(stacks map[string]*specs.Spec) (*specs.Spec, error) {
	m := merger{owner: map[string]*specs.Resource{}, stack: map[string]string{}}
	out := &specs.Spec{}
	for _, name := range slices.Sorted(maps.Keys(stacks)) {
		s := stacks[name]
		out.Providers = claimAll(&m, name, out.Providers, s.Providers, func(p *specs.Provider) *specs.Resource { return &p.Resource }, true)
		out.Swarms = claimAll(&m, name, out.Swarms, s.Swarms, func(sw *specs.Swarm) *specs.Resource { return &sw.Resource }, true)
		out.Networks = claimAll(&m, name, out.Networks, s.Networks, func(n *specs.Network) *specs.Resource { return &n.Resource }, false)
		out.Groups = claimAll(&m, name, out.Groups, s.Groups, func(g *specs.Group) *specs.Resource { return &g.Resource }, false)
		out.Services = claimAll(&m, name, out.Services, s.Services, func(svc *specs.Service) *specs.Resource { return &svc.Resource }, false)
		out.Variables = append(out.Variables, s.Variables...)
	}
	if len(m.errs) > 0 {
		return nil, errors.Join(m.errs...)
	}
	sortByName(out)
	return out, nil
}

// merger remembers which stack declared each resource first.
type merger struct {
	owner map[string]*specs.Resource
	stack map[string]string
	errs  []error
}

// claimAll appends to out the resources of list that stack is the first
// to declare; one declared before is shared when shareable and alike, and
// a conflict otherwise.
func claimAll[T any](m *merger, stack string, out, list []T, res func(T) *specs.Resource, shareable bool) []T {
	for _, x := range list {
		r := res(x)
		prev, taken := m.owner[r.Addr()]
		switch {
		case !taken:
			m.owner[r.Addr()], m.stack[r.Addr()] = r, stack
			out = append(out, x)
		case !shareable || prev.Hash != r.Hash:
			m.errs = append(m.errs, &ConflictError{Resource: r.Addr(), Stacks: [2]string{m.stack[r.Addr()], stack},
				Places: [2]string{prev.DeclRange.String(), r.DeclRange.String()}})
		}
	}
	return out
}

func sortByName(s *specs.Spec) {
	byName := func(a, b *specs.Resource) int { return cmp.Compare(a.Name, b.Name) }
	slices.SortStableFunc(s.Providers, func(a, b *specs.Provider) int { return byName(&a.Resource, &b.Resource) })
	slices.SortStableFunc(s.Swarms, func(a, b *specs.Swarm) int { return byName(&a.Resource, &b.Resource) })
	slices.SortStableFunc(s.Networks, func(a, b *specs.Network) int { return byName(&a.Resource, &b.Resource) })
	slices.SortStableFunc(s.Groups, func(a, b *specs.Group) int { return byName(&a.Resource, &b.Resource) })
	slices.SortStableFunc(s.Services, func(a, b *specs.Service) int { return byName(&a.Resource, &b.Resource) })
}

// owners maps each resource of the stacks to the stack declaring it
// (shared providers and swarms to the first, by name).
func owners(stacks map[string]*specs.Spec) map[string]string {
	out := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(stacks)) {
		for r := range stacks[name].Resources() {
			if _, ok := out[r.Addr()]; !ok {
				out[r.Addr()] = name
			}
		}
	}
	return out
}
