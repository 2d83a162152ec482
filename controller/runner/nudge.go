package runner

import (
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// pendingSettle is how long after a service of a swarm changed its worker
// groups' autoscalers look for pending tasks: swarm marks a task it cannot
// place pending within a second or so.
const pendingSettle = 2 * time.Second

// observe is the runner's own look at the events its reconcilers send: a
// service that was created, updated or scaled up may leave tasks pending,
// so the autoscalers of the worker groups of its swarm that grow on
// pending tasks evaluate shortly, not at the end of their interval. It
// only marks work: the evaluation decides.
func (r *Runner) observe(e resource.Event) {
	if e.Resource.Kind != resource.Service {
		return
	}
	switch {
	case e.Kind == service.EventCreated, e.Kind == service.EventUpdated, e.Kind == service.EventDriftCorrected:
	case e.Kind == autoscale.EventAutoscaled && e.Autoscale != nil && e.Autoscale.Action == string(autoscale.Up):
	default:
		return
	}
	w := r.world.Load()
	if w == nil {
		return
	}
	t, ok := w.Service(e.Resource.Name)
	if !ok {
		return
	}
	for _, key := range w.autoscaled {
		if a := w.autoscalers[key]; a.swarm == t.Spec.Swarm && a.uses(metric.PendingTasks) {
			r.nudge(key)
		}
	}
}

// nudge has autoscaler key evaluate pendingSettle from now.
func (r *Runner) nudge(key resource.Key) {
	r.scaling.mu.Lock()
	if rec := r.scaling.m[key]; rec != nil {
		rec.nudged = true
	}
	r.scaling.mu.Unlock()
	r.queue.AddAfter(autoscaleKey(key), pendingSettle)
}

// uses says whether the autoscaler reads metric name.
func (a *autoscaler) uses(name string) bool {
	for _, m := range a.metrics {
		if m.name == name {
			return true
		}
	}
	return false
}
