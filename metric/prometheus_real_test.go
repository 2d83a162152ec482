package metric

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/internal/await"
	"github.com/drover/drover/metric/prometheustest"
)

// realWait bounds the wait for Prometheus to scrape a change: a second
// unloaded, far more on a loaded 2-core machine.
const realWait = time.Minute

// realSource is a prometheus Source of query on s, its address carrying
// credentials (which Prometheus ignores) so that errors can be checked
// for them.
func realSource(t *testing.T, s *prometheustest.Server, query string) (Source, string) {
	t.Helper()
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	hostport := u.Host
	u.User = url.UserPassword(testUser, testPassword)
	props, err := json.Marshal(map[string]any{"address": u.String(), "query": query, "target": 2})
	if err != nil {
		t.Fatal(err)
	}
	src, err := prometheusPlugin.New(props, Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return src, hostport
}

// awaitReading waits until src reads want.
func awaitReading(t *testing.T, src Source, want float64) {
	t.Helper()
	await.Until(t, realWait, func() (bool, error) {
		r, err := src.Read(t.Context(), nil)
		if err != nil {
			return false, err
		}
		if r.Metric != "prometheus" || r.Value != want || r.Target != 2 {
			return false, fmt.Errorf("read %+v, awaiting the value %v, target 2", r, want)
		}
		return true, nil
	})
}

// TestPrometheusReal: through a real Prometheus, the reading follows a
// gauge; when Prometheus goes down, a read fails (and the autoscaler
// holds), without showing the address.
func TestPrometheusReal(t *testing.T) {
	g := prometheustest.NewGauge(t, "drover_test_load")
	g.Set(1.5)
	s := prometheustest.Start(t, g.Target())
	src, hostport := realSource(t, s, `avg(drover_test_load{job="drover-test"})`)

	awaitReading(t, src, 1.5)
	g.Set(4.25)
	awaitReading(t, src, 4.25)

	s.Stop()
	r, err := src.Read(t.Context(), nil)
	if err == nil {
		t.Fatalf("read %+v from a stopped Prometheus", r)
	}
	if !strings.Contains(err.Error(), "refused") {
		t.Errorf("error %q, want a refused connection", err)
	}
	assertQuiet(t, err, hostport)
}

// TestPrometheusRealSeries: a real Prometheus's answers of no series and
// of several are errors; their aggregation is a reading.
func TestPrometheusRealSeries(t *testing.T) {
	a, b := prometheustest.NewGauge(t, "drover_test_load"), prometheustest.NewGauge(t, "drover_test_load")
	a.Set(1)
	b.Set(3)
	s := prometheustest.Start(t, a.Target(), b.Target())
	s.AwaitValue(t, "count(drover_test_load)", 2, realWait)

	tests := []struct {
		query   string
		want    float64
		wantErr string
	}{
		{query: "avg(drover_test_load)", want: 2},
		{query: "max(drover_test_load)", want: 3},
		{query: "drover_test_load", wantErr: "returned 2 series: aggregate them"},
		{query: "drover_no_such_metric", wantErr: "returned no series"},
		{query: "scalar(sum(drover_test_load))", want: 4},
		{query: "drover_test_load[1m]", wantErr: "returned a matrix"},
		{query: "sum(drover_test_load", wantErr: "rejected the query"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			src, hostport := realSource(t, s, tt.query)
			r, err := src.Read(t.Context(), nil)
			if tt.wantErr == "" {
				if err != nil || r.Value != tt.want {
					t.Fatalf("Read = %+v, %v; want %v", r, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Read = %+v, %v; want an error saying %q", r, err, tt.wantErr)
			}
			assertQuiet(t, err, hostport)
			if strings.Contains(err.Error(), tt.query) {
				t.Errorf("error %q shows the query", err)
			}
		})
	}
}
