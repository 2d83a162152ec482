package daemon

import (
	"context"
	"maps"
	"slices"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// Status implements api.Backend: every resource of the current revision
// and every retired group still being emptied, as its last pass saw it;
// the stacks that declare them; the git sources.
func (d *Daemon) Status(ctx context.Context) (api.Status, error) {
	cur := d.state.Load()
	out := api.Status{Revision: cur.rec.Number, Hash: cur.rec.Hash, Converged: cur.err == nil, Resources: []resource.Status{}}
	if cur.err != nil {
		out.Error = cur.err.Error()
	}
	for _, rs := range d.runner.Statuses() {
		rs.Retired = cur.retires(rs.Resource)
		out.Converged = out.Converged && rs.Converged
		out.Resources = append(out.Resources, rs)
	}
	var err error
	if out.Stacks, err = d.stacks(ctx, cur); err != nil {
		return out, err
	}
	out.Sources, err = d.Sources(ctx)
	return out, err
}

// stacks describes the stacks of cur.
func (d *Daemon) stacks(ctx context.Context, cur *desired) ([]api.StackInfo, error) {
	out := []api.StackInfo{}
	for _, name := range slices.Sorted(maps.Keys(cur.stacks)) {
		rec, err := d.store.Head(ctx, cur.stacks[name])
		if err != nil {
			return nil, err
		}
		si := info(rec, false)
		st := api.StackInfo{Name: name, Revision: rec.Number, Commit: si.Commit, Resources: []string{}, Orphans: rec.Carried}
		if s := cur.byStack[name]; s != nil {
			for r := range s.Resources() {
				if cur.owner[r.Addr()] == name {
					st.Resources = append(st.Resources, r.Addr())
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}
