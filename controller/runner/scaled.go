package runner

import (
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// scaledGroup is group name's target in w with the size its autoscaler
// set, if it has one, and the machines it found unneeded to give up first.
func (r *Runner) scaledGroup(w *world, name string) (*group.Target, bool) {
	t, ok := w.Target(name)
	if !ok {
		return nil, false
	}
	a := w.autoscalers[resource.Group.KeyOf(name)]
	if a == nil {
		return t, true
	}
	rec := r.scaling.get(a.key)
	spec := *t.Spec
	spec.Size = a.count(rec)
	ct := *t
	ct.Spec = &spec
	ct.Prefer = rec.prefer
	return &ct, true
}

// scaledService is service name's target in w with the replicas its
// autoscaler set, if it has one.
func (r *Runner) scaledService(w *world, name string) (*service.Target, bool) {
	t, ok := w.Service(name)
	if !ok {
		return nil, false
	}
	a := w.autoscalers[resource.Service.KeyOf(name)]
	if a == nil {
		return t, true
	}
	spec := *t.Spec
	spec.Replicas = a.count(r.scaling.get(a.key))
	ct := *t
	ct.Spec = &spec
	return &ct, true
}
