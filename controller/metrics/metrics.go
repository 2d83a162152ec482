package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
)

// durationBuckets span 1ms to 2m, the range of a reconcile pass or a
// plugin call (which the reconciler bounds at 2m by default).
var durationBuckets = []float64{
	.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120,
}

// Results of a reconcile pass.
const (
	ResultOK        = "ok"        // no error, whether or not it asked to be requeued
	ResultError     = "error"     // failed; the driver retries it after a backoff
	ResultAbandoned = "abandoned" // cut short because its context ended
)

// Metrics are the daemon's metrics. Safe for concurrent use.
type Metrics struct {
	reg              prometheus.Registerer
	reconcile        *prometheus.HistogramVec
	actions          *prometheus.CounterVec
	instances        *prometheus.GaugeVec
	providerCalls    *prometheus.CounterVec
	providerDuration *prometheus.HistogramVec
	autoscale        autoscaleMetrics
	sources          sourceMetrics
}

// New creates the metrics and registers them, with the Go runtime and
// process collectors, on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		reg: reg,
		reconcile: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "drover_reconcile_duration_seconds",
			Help:    "Duration of reconcile passes, by resource (group.web) and result (ok, error or abandoned).",
			Buckets: durationBuckets,
		}, []string{"resource", "result"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drover_actions_total",
			Help: "Actions the reconciler took or saw, by kind (create, destroy, lost, hold, ...) and result (ok, error or observed).",
		}, []string{"kind", "result"}),
		instances: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "drover_instances",
			Help: "Instances of each group as its last reconcile pass saw them, by state (desired, ready, starting, unhealthy, dead, outdated, creating).",
		}, []string{"group", "state"}),
		providerCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drover_provider_calls_total",
			Help: "Calls to instance plugins, by provider, call (validate, provision, destroy, describe, watch, label, cpu) and result (ok or error).",
		}, []string{"provider", "call", "result"}),
		providerDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "drover_provider_call_duration_seconds",
			Help:    "Duration of calls to instance plugins, by provider and call.",
			Buckets: durationBuckets,
		}, []string{"provider", "call"}),
		autoscale: newAutoscaleMetrics(),
		sources:   newSourceMetrics(),
	}
	for _, c := range append([]prometheus.Collector{
		m.reconcile, m.actions, m.instances, m.providerCalls, m.providerDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}, append(m.autoscale.collectors(), m.sources.collectors()...)...) {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// QueueDepth registers drover_queue_depth, a gauge that calls fn at each
// scrape. It fails if called twice on the same registerer.
func (m *Metrics) QueueDepth(fn func() int) error {
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "drover_queue_depth",
		Help: "Keys waiting in the reconcile queue.",
	}, func() float64 { return float64(fn()) }))
}

// Reconciler wraps inner so that each pass is observed in
// drover_reconcile_duration_seconds, labelled with its key (group.web) and
// the pass's result: ok (no error, requeued or not), error, or abandoned
// (ctx ended and the error is ctx's, as reconcile.Driver tells them apart).
func (m *Metrics) Reconciler(inner reconcile.Reconciler[resource.Key]) reconcile.Reconciler[resource.Key] {
	return &reconciler{inner: inner, hist: m.reconcile}
}

type reconciler struct {
	inner reconcile.Reconciler[resource.Key]
	hist  *prometheus.HistogramVec
}

func (r *reconciler) Reconcile(ctx context.Context, key resource.Key) (reconcile.Result, error) {
	start := time.Now()
	res, err := r.inner.Reconcile(ctx, key)
	r.hist.WithLabelValues(key.String(), passResult(ctx, err)).Observe(time.Since(start).Seconds())
	return res, err
}

func passResult(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return ResultOK
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return ResultAbandoned
	}
	return ResultError
}

// Event counts e, of any kind of resource, in drover_actions_total. The
// events' kinds map to (kind, result) as: created (create, ok),
// create_failed (create, error), destroyed (destroy, ok), destroy_failed
// (destroy, error), lost (lost, observed), held (hold, observed); any
// other kind counts as (kind, ok).
func (m *Metrics) Event(e resource.Event) {
	kind, result := actionOf(e.Kind)
	m.actions.WithLabelValues(kind, result).Inc()
}

func actionOf(kind string) (string, string) {
	switch kind {
	case "created":
		return "create", "ok"
	case "create_failed":
		return "create", "error"
	case "destroyed":
		return "destroy", "ok"
	case "destroy_failed":
		return "destroy", "error"
	case "lost":
		return "lost", "observed"
	case "held":
		return "hold", "observed"
	}
	return kind, "ok"
}

// Instances sets drover_instances for st's group from its counts. Only
// groups have machines: the statuses of other kinds set nothing.
func (m *Metrics) Instances(st resource.Status) {
	if st.Resource.Kind != resource.Group {
		return
	}
	c := st.Observed
	for state, n := range map[string]int{
		"desired": c.Desired, "ready": c.Ready, "starting": c.Starting, "unhealthy": c.Unhealthy,
		"dead": c.Dead, "outdated": c.Outdated, "creating": c.Creating,
	} {
		m.instances.WithLabelValues(st.Resource.Name, state).Set(float64(n))
	}
}

// Forget removes the drover_instances series of a group, once it is gone.
func (m *Metrics) Forget(group string) {
	m.instances.DeletePartialMatch(prometheus.Labels{"group": group})
}
