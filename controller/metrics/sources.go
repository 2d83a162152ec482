package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// sourceMetrics count the git sources' polls and say what each last did.
type sourceMetrics struct {
	polls   *prometheus.CounterVec
	applied *prometheus.GaugeVec
}

func newSourceMetrics() sourceMetrics {
	return sourceMetrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "drover_source_polls_total",
			Help: "Polls of each git source, by outcome (applied, unchanged, apply_failed, held).",
		}, []string{"source", "outcome"}),
		applied: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "drover_source_last_applied_timestamp_seconds",
			Help: "When each git source last had a commit applied (unix time).",
		}, []string{"source"}),
	}
}

func (s sourceMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.polls, s.applied}
}

// SourcePolled counts a poll of source that came to outcome; applied is
// when it applied a commit (zero when it did not).
func (m *Metrics) SourcePolled(source, outcome string, applied time.Time) {
	m.sources.polls.WithLabelValues(source, outcome).Inc()
	if !applied.IsZero() {
		m.sources.applied.WithLabelValues(source).Set(float64(applied.Unix()))
	}
}

// ForgetSource drops a removed source's series.
func (m *Metrics) ForgetSource(source string) {
	m.sources.polls.DeletePartialMatch(prometheus.Labels{"source": source})
	m.sources.applied.DeleteLabelValues(source)
}
