package daemon

import (
	"context"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// Status implements api.Backend: every resource of the current revision
// and every retired group still being emptied, as its last pass saw it.
func (d *Daemon) Status(context.Context) (api.Status, error) {
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
	return out, nil
}
