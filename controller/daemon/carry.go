package daemon

import (
	"slices"

	"github.com/drover/drover/specs"
)

// departed lists the groups, services and networks (kind.name) of prev
// that next does not declare: what a commit removes from its stack.
func departed(prev, next *specs.Spec) []string {
	have := map[string]bool{}
	for r := range next.Resources() {
		have[r.Addr()] = true
	}
	var out []string
	for _, r := range managed(prev) {
		if !have[r] {
			out = append(out, r)
		}
	}
	return out
}

// managed lists a spec's groups, services and networks (kind.name): what
// a stack runs, as opposed to the providers and swarms they use.
func managed(s *specs.Spec) []string {
	var out []string
	for _, n := range s.Networks {
		out = append(out, n.Addr())
	}
	for _, g := range s.Groups {
		out = append(out, g.Addr())
	}
	for _, svc := range s.Services {
		out = append(out, svc.Addr())
	}
	return out
}

// carry returns next with the resources of prev that keys name (groups,
// services, networks), and the providers and swarms they use that next
// lacks: orphans kept as they were last applied.
func carry(next, prev *specs.Spec, keys []string) *specs.Spec {
	out := *next
	out.Providers, out.Swarms = slices.Clone(next.Providers), slices.Clone(next.Swarms)
	out.Networks, out.Groups, out.Services = slices.Clone(next.Networks), slices.Clone(next.Groups), slices.Clone(next.Services)
	wanted := func(r *specs.Resource) bool { return slices.Contains(keys, r.Addr()) }
	swarms, providers := map[string]bool{}, map[string]bool{}
	for _, n := range prev.Networks {
		if wanted(&n.Resource) {
			out.Networks = append(out.Networks, n)
			swarms[n.Swarm] = true
		}
	}
	for _, g := range prev.Groups {
		if wanted(&g.Resource) {
			out.Groups = append(out.Groups, g)
			providers[g.Instance.Provider] = true
			if sw, _, ok := g.SwarmRole(); ok {
				swarms[sw] = true
			}
		}
	}
	for _, svc := range prev.Services {
		if wanted(&svc.Resource) {
			out.Services = append(out.Services, svc)
			swarms[svc.Swarm] = true
		}
	}
	for _, p := range prev.Providers {
		if providers[p.Name] && !slices.ContainsFunc(out.Providers, func(q *specs.Provider) bool { return q.Name == p.Name }) {
			out.Providers = append(out.Providers, p)
		}
	}
	for _, sw := range prev.Swarms {
		if swarms[sw.Name] && !slices.ContainsFunc(out.Swarms, func(q *specs.Swarm) bool { return q.Name == sw.Name }) {
			out.Swarms = append(out.Swarms, sw)
		}
	}
	sortByName(&out)
	return &out
}
