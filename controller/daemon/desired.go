package daemon

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// resources lists a spec's resources as kind.name with a fingerprint of
// all they say: their hash (which leaves out what changes without
// replacing, such as a group's size, but covers secrets) and their
// canonical form (which covers all the rest).
func resources(spec *specs.Spec) map[string]string {
	out := map[string]string{}
	add := func(r *specs.Resource, full any) {
		canonical, err := json.Marshal(full)
		if err != nil {
			canonical = []byte(err.Error()) // unreachable for loaded specs; still a fingerprint
		}
		sum := sha256.Sum256(canonical)
		out[r.Kind+"."+r.Name] = r.Hash + ":" + hex.EncodeToString(sum[:8])
	}
	for _, p := range spec.Providers {
		add(&p.Resource, p)
	}
	for _, s := range spec.Swarms {
		add(&s.Resource, s)
	}
	for _, n := range spec.Networks {
		add(&n.Resource, n)
	}
	for _, g := range spec.Groups {
		add(&g.Resource, g)
	}
	for _, s := range spec.Services {
		add(&s.Resource, s)
	}
	return out
}

// specHash identifies what a spec asks for: specs equal however written
// (and whatever their variables' sources) have equal hashes.
func specHash(spec *specs.Spec) string {
	res := resources(spec)
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(res)) {
		fmt.Fprintf(h, "%s %s\n", name, res[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// nextRetired is the retired set after moving from a spec (revision rev,
// with retired groups old) to next: groups that next drops are retired
// with rev's definition, and groups that next declares are live again.
func nextRetired(old map[string]int64, prev *specs.Spec, rev int64, next *specs.Spec) map[string]int64 {
	out := maps.Clone(old)
	if out == nil {
		out = map[string]int64{}
	}
	if prev != nil {
		for _, g := range prev.Groups {
			out[g.Name] = rev
		}
	}
	for _, g := range next.Groups {
		delete(out, g.Name)
	}
	return out
}

// retires reports whether the desired state retired key: a group that
// left the spec and whose machines are being removed. Only groups are
// retired; a service or network that leaves is removed at once.
func (d *desired) retires(key resource.Key) bool {
	_, ok := d.retired[key.Name]
	return ok && key.Kind == resource.Group
}

// specLoader loads the spec of a revision.
type specLoader func(ctx context.Context, rev int64) (*specs.Spec, error)

// effective is the spec the runner reconciles: spec's groups, then each
// retired group as its revision defined it, sized 0, with the provider
// it used (renamed when spec has a different provider of that name).
func effective(ctx context.Context, spec *specs.Spec, retired map[string]int64, load specLoader) (*specs.Spec, error) {
	eff := *spec
	eff.Providers = slices.Clone(spec.Providers)
	eff.Groups = slices.Clone(spec.Groups)
	names := slices.SortedFunc(maps.Keys(retired), func(a, b string) int {
		return cmp.Or(cmp.Compare(retired[a], retired[b]), cmp.Compare(a, b))
	})
	for _, name := range names {
		old, err := load(ctx, retired[name])
		if err != nil {
			return nil, fmt.Errorf("group %s, retired from revision %d: %w", name, retired[name], err)
		}
		g, p := findGroup(old, name)
		if g == nil || p == nil {
			return nil, fmt.Errorf("group %s is not in revision %d, which retired it", name, retired[name])
		}
		g = runner.Retire(g)
		g.Instance.Provider = addProvider(&eff, p, retired[name])
		eff.Groups = append(eff.Groups, g)
	}
	return &eff, nil
}

func findGroup(spec *specs.Spec, name string) (*specs.Group, *specs.Provider) {
	for _, g := range spec.Groups {
		if g.Name != name {
			continue
		}
		for _, p := range spec.Providers {
			if p.Name == g.Instance.Provider {
				return g, p
			}
		}
		return g, nil
	}
	return nil, nil
}

// addProvider adds p to spec unless spec has it already, and returns the
// name it has there.
func addProvider(spec *specs.Spec, p *specs.Provider, rev int64) string {
	name := p.Name
	for _, have := range spec.Providers {
		if have.Name == name && have.Hash == p.Hash {
			return name
		}
		if have.Name == name {
			name = fmt.Sprintf("%s@r%d", p.Name, rev)
		}
	}
	for _, have := range spec.Providers {
		if have.Name == name {
			return name
		}
	}
	cp := *p
	cp.Name = name
	spec.Providers = append(spec.Providers, &cp)
	return name
}
