package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/drover/drover/resource"
)

// autoscaleMetrics are the gauges of the autoscalers' last evaluations.
type autoscaleMetrics struct {
	counts  *prometheus.GaugeVec
	metrics *prometheus.GaugeVec
	next    *prometheus.GaugeVec
}

func newAutoscaleMetrics() autoscaleMetrics {
	return autoscaleMetrics{
		counts: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "drover_autoscale_count",
			Help: "The last evaluation of each autoscaler, by resource (service.web, group.workers) and value (current, ready, recommended, desired, min, max).",
		}, []string{"resource", "value"}),
		metrics: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "drover_autoscale_metric",
			Help: "Each autoscaler metric's last reading and target, by resource, metric and value (reading, target, recommended); a metric that could not be read has no reading.",
		}, []string{"resource", "metric", "value"}),
		next: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "drover_autoscale_next_change_timestamp_seconds",
			Help: "When each autoscaler may next scale up or down (unix time; 0: at its next evaluation), by resource and direction.",
		}, []string{"resource", "direction"}),
	}
}

func (a autoscaleMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{a.counts, a.metrics, a.next}
}

// Autoscaling sets the autoscale gauges of st's resource from its
// autoscaler's last evaluation, or removes them when it has none.
func (m *Metrics) Autoscaling(st resource.Status) {
	res := st.Resource.String()
	a := st.Autoscale
	if a == nil {
		m.autoscale.forget(res)
		return
	}
	for value, n := range map[string]int{
		"current": a.Current, "ready": a.Ready, "recommended": a.Recommended, "desired": a.Desired, "min": a.Min, "max": a.Max,
	} {
		m.autoscale.counts.WithLabelValues(res, value).Set(float64(n))
	}
	m.autoscale.metrics.DeletePartialMatch(prometheus.Labels{"resource": res})
	for _, r := range a.Metrics {
		if r.Error == "" {
			m.autoscale.metrics.WithLabelValues(res, r.Metric, "reading").Set(r.Value)
		}
		if r.Target > 0 {
			m.autoscale.metrics.WithLabelValues(res, r.Metric, "target").Set(r.Target)
		}
		m.autoscale.metrics.WithLabelValues(res, r.Metric, "recommended").Set(float64(r.Recommended))
	}
	m.autoscale.next.WithLabelValues(res, "up").Set(stamp(a.NextUp))
	m.autoscale.next.WithLabelValues(res, "down").Set(stamp(a.NextDown))
}

// stamp is t in unix seconds, or 0 for a zero time.
func stamp(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.Unix())
}

// forget removes the series of resource res.
func (a autoscaleMetrics) forget(res string) {
	for _, v := range []*prometheus.GaugeVec{a.counts, a.metrics, a.next} {
		v.DeletePartialMatch(prometheus.Labels{"resource": res})
	}
}
