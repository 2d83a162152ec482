package daemon

import (
	"context"
	"maps"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// afterPass runs after reconcile passes, in Run's goroutine: it updates
// the instance gauges, announces groups that converged, and lets go of
// retired groups once their machines are gone.
func (d *Daemon) afterPass(ctx context.Context) func(*runner.Runner) {
	return func(r *runner.Runner) {
		defer d.broadcastPass()
		cur := d.state.Load()
		var emptied []string
		for _, name := range r.Groups() {
			st, ok := r.Status(name)
			if !ok || st.Generation != r.Generation() {
				continue
			}
			d.metrics.Instances(st)
			if st.Converged && !d.converged[name] {
				d.hub.Publish(resource.Event{Resource: resourceName(name), Kind: "converged", Reason: notConvergedReason(st), Revision: cur.rec.Number})
			}
			d.converged[name] = st.Converged
			if _, retired := cur.retired[name]; retired && st.Converged && st.Counts.Total == 0 {
				emptied = append(emptied, name)
			}
		}
		d.announceServices(r, cur.rec.Number)
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
		return nil
	})
	if err != nil {
		return err
	}
	next := *cur
	next.retired = retired
	d.state.Store(&next)
	for _, n := range names {
		d.metrics.Forget(n)
		delete(d.converged, n)
		d.hub.Publish(resource.Event{Resource: resourceName(n), Kind: "removed", Reason: "left the spec; its machines are gone", Revision: cur.rec.Number})
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
	before := map[string]int{}
	for _, name := range d.runner.Groups() {
		st, _ := d.runner.Status(name)
		before[name] = st.Passes
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

func (d *Daemon) passedSince(before map[string]int) bool {
	for name, n := range before {
		if st, _ := d.runner.Status(name); st.Passes <= n {
			return false
		}
	}
	return true
}

// announceServices publishes "converged" when a service or network gets
// there.
func (d *Daemon) announceServices(r *runner.Runner, rev int64) {
	for _, key := range r.Keys() {
		st, ok := r.ServiceStatus(key)
		if !ok || st.Generation != r.Generation() {
			continue
		}
		if st.Converged && !d.converged[key] {
			d.hub.Publish(resource.Event{Resource: mustKey(key), Kind: "converged", Revision: rev})
		}
		d.converged[key] = st.Converged
	}
}
