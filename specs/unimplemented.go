package specs

import (
	"github.com/hashicorp/hcl/v2"
)

// Unimplemented reports, at their file:line, the blocks and attributes of
// spec that the language accepts but that nothing in drover acts on yet,
// so that applying them is refused rather than silently ignored. This is
// the one list of them: remove an entry when its feature lands.
//
//   - rebalance = true, in a service: tasks are not spread again when
//     nodes join.
func (s *Spec) Unimplemented() hcl.Diagnostics {
	var diags hcl.Diagnostics
	add := func(r *Resource, path, summary, detail string) {
		rng := r.Range(path)
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: r.Addr() + ": " + detail, Subject: &rng})
	}
	for _, svc := range s.Services {
		if svc.Rebalance {
			add(&svc.Resource, "rebalance", "rebalance is not implemented yet: remove it or set it to false",
				"drover accepts the attribute but nothing acts on it yet: tasks would not be spread again when nodes join.")
		}
	}
	return diags
}

// RefuseUnimplemented is Unimplemented as an error: a *LoadError holding
// its diagnostics, or nil when the spec uses nothing unimplemented.
func (s *Spec) RefuseUnimplemented() error {
	diags := s.Unimplemented()
	if len(diags) == 0 {
		return nil
	}
	return &LoadError{Diagnostics: diags, Files: s.Files}
}
