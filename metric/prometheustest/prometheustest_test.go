package prometheustest

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// awaitScrape bounds the wait for a scrape: one ScrapeInterval unloaded,
// far more on a loaded 2-core machine.
const awaitScrape = time.Minute

// TestStart: a started Prometheus scrapes a gauge and follows its
// changes; once stopped, it no longer answers.
func TestStart(t *testing.T) {
	g := NewGauge(t, "drover_harness_gauge")
	g.Set(3)
	s := Start(t, g.Target())
	s.AwaitValue(t, `up{job="drover-test"}`, 1, awaitScrape)
	s.AwaitValue(t, "drover_harness_gauge", 3, awaitScrape)
	g.Set(7.5)
	s.AwaitValue(t, "drover_harness_gauge", 7.5, awaitScrape)

	s.Stop()
	s.Stop() // a second stop does nothing
	resp, err := http.Get(s.URL() + "/-/ready")
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("a stopped Prometheus answered %s", resp.Status)
	}
}

// TestStartNoTargets: Prometheus runs without targets too.
func TestStartNoTargets(t *testing.T) {
	s := Start(t)
	s.AwaitValue(t, "vector(42)", 42, awaitScrape)
}

// TestStartWithoutBinary: without a prometheus binary, Start fails the
// test, in CI or not, saying how to install it.
func TestStartWithoutBinary(t *testing.T) {
	tests := []struct {
		ci       string
		wantFail bool
	}{
		{ci: "true", wantFail: true},
		{ci: "", wantFail: true},
		{ci: "false", wantFail: true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv("CI", tt.ci)
			rec := &recorder{TB: t}
			var wg sync.WaitGroup
			wg.Go(func() { Start(rec) })
			wg.Wait()
			if rec.failed != tt.wantFail || rec.skipped == tt.wantFail {
				t.Fatalf("failed %v, skipped %v; want failed %v", rec.failed, rec.skipped, tt.wantFail)
			}
			if !strings.Contains(rec.msg, "ensure-prometheus.sh") {
				t.Errorf("message %q does not say how to install Prometheus", rec.msg)
			}
		})
	}
}

// recorder is a testing.TB that records a failure or a skip instead of
// ending the test, ending only the goroutine that called it.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
