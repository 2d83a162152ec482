package prometheustest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Gauge is a gauge served over HTTP at /metrics, for Prometheus to
// scrape: the load a test makes up.
type Gauge struct {
	gauge prometheus.Gauge
	srv   *httptest.Server
}

// NewGauge serves a gauge named name (a Prometheus metric name), 0 until
// set, on a localhost port until the test ends.
func NewGauge(t testing.TB, name string) *Gauge {
	t.Helper()
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: "a gauge set by a test"})
	if err := reg.Register(g); err != nil {
		t.Fatalf("prometheustest: gauge %q: %v", name, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &Gauge{gauge: g, srv: srv}
}

// Set sets the gauge to v: Prometheus sees it at its next scrape.
func (g *Gauge) Set(v float64) { g.gauge.Set(v) }

// Target is where the gauge is served, host:port, to give Start.
func (g *Gauge) Target() string { return strings.TrimPrefix(g.srv.URL, "http://") }
