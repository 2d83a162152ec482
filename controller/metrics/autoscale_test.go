package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/drover/drover/resource"
)

func TestAutoscalingGauges(t *testing.T) {
	m, reg := newMetrics(t)
	web := resource.NewStatus(resource.Service.KeyOf("web"))
	web.Autoscale = &resource.Autoscaling{
		Min: 1, Max: 10, Current: 2, Ready: 2, Recommended: 4, Desired: 4, Action: "up", Rule: "target",
		NextDown: time.Unix(1_800_000_000, 0),
		Metrics: []resource.MetricReading{
			{Metric: "cpu", Value: 0.9, Target: 0.5, Recommended: 4},
			{Metric: "prometheus", Error: "the query returned no series", Target: 10, Recommended: 2},
		},
	}
	m.Autoscaling(web)
	err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP drover_autoscale_metric Each autoscaler metric's last reading and target, by resource, metric and value (reading, target, recommended); a metric that could not be read has no reading.
# TYPE drover_autoscale_metric gauge
drover_autoscale_metric{metric="cpu",resource="service.web",value="reading"} 0.9
drover_autoscale_metric{metric="cpu",resource="service.web",value="recommended"} 4
drover_autoscale_metric{metric="cpu",resource="service.web",value="target"} 0.5
drover_autoscale_metric{metric="prometheus",resource="service.web",value="recommended"} 2
drover_autoscale_metric{metric="prometheus",resource="service.web",value="target"} 10
# HELP drover_autoscale_next_change_timestamp_seconds When each autoscaler may next scale up or down (unix time; 0: at its next evaluation), by resource and direction.
# TYPE drover_autoscale_next_change_timestamp_seconds gauge
drover_autoscale_next_change_timestamp_seconds{direction="down",resource="service.web"} 1.8e+09
drover_autoscale_next_change_timestamp_seconds{direction="up",resource="service.web"} 0
`), "drover_autoscale_metric", "drover_autoscale_next_change_timestamp_seconds")
	if err != nil {
		t.Error(err)
	}
	if v := testutil.ToFloat64(m.autoscale.counts.WithLabelValues("service.web", "desired")); v != 4 {
		t.Errorf("desired = %v, want 4", v)
	}

	web.Autoscale.Metrics = web.Autoscale.Metrics[:1] // a metric left the spec: its series go
	m.Autoscaling(web)
	if n := testutil.CollectAndCount(m.autoscale.metrics); n != 3 {
		t.Errorf("%d metric series after the prometheus metric left, want cpu's 3", n)
	}
	web.Autoscale = nil // the autoscale block left the spec: every series goes
	m.Autoscaling(web)
	for name, n := range map[string]int{
		"counts": testutil.CollectAndCount(m.autoscale.counts), "metrics": testutil.CollectAndCount(m.autoscale.metrics),
		"next": testutil.CollectAndCount(m.autoscale.next),
	} {
		if n != 0 {
			t.Errorf("%d %s series left without an autoscaler, want 0", n, name)
		}
	}
}
