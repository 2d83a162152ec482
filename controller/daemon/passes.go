package daemon

import (
	"context"
	"maps"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// afterPass runs after reconcile passes, in Run's goroutine: it updates
// the instance gauges, announces resources that converged, and lets go of
// retired groups once their machines are gone.
func (d *Daemon) afterPass(ctx context.Context) func(*runner.Runner) {
	return func(r *runner.Runner) {
		defer d.broadcastPass()
		cur := d.state.Load()
		var emptied []string
		for _, st := range r.Statuses() {
			if st.Generation != r.Generation() {
				continue // no pass on the current spec yet
			}
			d.metrics.Instances(st)
			d.metrics.Autoscaling(st)
			d.announce(st, cur.rec.Number)
			if cur.retires(st.Resource) && st.Converged && st.Observed.Total == 0 {
				emptied = append(emptied, st.Resource.Name)
			}
		}
		if len(emptied) == 0 {
			return
		}
		if err := d.forget(ctx, emptied); err != nil {
			reconcile.Logger(ctx).Warn("retired groups are empty, but could not be dropped; retrying after the next pass", "groups", emptied, "err", err)
		}
	}
}

// forget drops retired groups whose machines are gone.
func (d *Daemon) forget(ctx context.Context, names []string) error {
	d.changeMu.Lock()
	defer d.changeMu.Unlock()
	cur := d.state.Load()
	retired := maps.Clone(cur.retired)
	for _, n := range names {
		delete(retired, n)
	}
	eff, err := effective(ctx, cur.spec, retired, d.loadRevision)
	if err != nil {
		return err
	}
	err = d.runner.Update(ctx, eff, func() error {
		for _, n := range names {
			if err := d.store.Forget(ctx, n, cur.retired[n]); err != nil {
				return err
			}
		}
		next := *cur
		next.retired = retired
		d.state.Store(&next) // before the runner switches, as record does
		return nil
	})
	if err != nil {
		return err
	}
	for _, n := range names {
		d.metrics.Forget(n)
		delete(d.converged, resource.Group.KeyOf(n))
		d.hub.Publish(resource.Event{Resource: resource.Group.KeyOf(n), Kind: "removed", Reason: "left the spec; its machines are gone", Revision: cur.rec.Number})
	}
	return nil
}

// passSignal returns a channel closed after the next passes.
func (d *Daemon) passSignal() <-chan struct{} {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	return d.passed
}

func (d *Daemon) broadcastPass() {
	d.passMu.Lock()
	defer d.passMu.Unlock()
	close(d.passed)
	d.passed = make(chan struct{})
}

// Resync wakes every resource now, as the periodic resync does, and
// returns once each has had a pass since (or ctx ends).
func (d *Daemon) Resync(ctx context.Context) error {
	before := map[resource.Key]int{}
	for _, st := range d.runner.Statuses() {
		before[st.Resource] = st.Passes
	}
	d.runner.Resync()
	for {
		ch := d.passSignal()
		if d.passedSince(before) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// passedSince reports whether every resource in before that is still in
// the spec has had a pass since it had the passes counted there.
func (d *Daemon) passedSince(before map[resource.Key]int) bool {
	for key, n := range before {
		if st, ok := d.runner.Status(key); ok && st.Passes <= n {
			return false
		}
	}
	return true
}

// announce publishes "converged" when a resource of revision rev gets
// there.
func (d *Daemon) announce(st resource.Status, rev int64) {
	if st.Converged && !d.converged[st.Resource] {
		d.hub.Publish(resource.Event{Resource: st.Resource, Kind: "converged", Revision: rev})
	}
	d.converged[st.Resource] = st.Converged
}
