package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSourceMetrics(t *testing.T) {
	m, reg := newMetrics(t)
	at := time.Unix(1700000000, 0)
	m.SourcePolled("app", "applied", at)
	m.SourcePolled("app", "apply_failed", time.Time{})
	m.SourcePolled("app", "apply_failed", time.Time{})
	m.SourcePolled("infra", "applied", at.Add(time.Minute))
	want := `
# HELP drover_source_last_applied_timestamp_seconds When each git source last had a commit applied (unix time).
# TYPE drover_source_last_applied_timestamp_seconds gauge
drover_source_last_applied_timestamp_seconds{source="app"} 1.7e+09
drover_source_last_applied_timestamp_seconds{source="infra"} 1.70000006e+09
# HELP drover_source_polls_total Polls of each git source, by outcome (applied, unchanged, apply_failed, held).
# TYPE drover_source_polls_total counter
drover_source_polls_total{outcome="applied",source="app"} 1
drover_source_polls_total{outcome="applied",source="infra"} 1
drover_source_polls_total{outcome="apply_failed",source="app"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "drover_source_polls_total", "drover_source_last_applied_timestamp_seconds"); err != nil {
		t.Fatal(err)
	}
	m.ForgetSource("app")
	if n := testutil.CollectAndCount(m.sources.polls); n != 1 {
		t.Fatalf("after forgetting app: %d poll series, want infra's only", n)
	}
}
