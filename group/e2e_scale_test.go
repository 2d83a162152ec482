package group_test

import (
	"testing"
	"time"
)

// growToConverged runs passes of r's group until it converges, failing if
// a pass creates more than capPerPass instances. It returns the passes
// made, and the wall time of the growing passes and of the last one (the
// whole group observed, nothing to do).
func growToConverged(tb testing.TB, r *rig, size, capPerPass int) (passes int, growing, steady time.Duration) {
	tb.Helper()
	for passes < size/capPerPass+5 {
		passes++
		before := r.plugin.Calls().Provision
		start := time.Now()
		r.pass(tb)
		took := time.Since(start)
		if made := r.plugin.Calls().Provision - before; made > capPerPass {
			tb.Fatalf("pass %d created %d instances, more than the cap of %d", passes, made, capPerPass)
		}
		if st, _ := r.rec.Status("web"); st.Converged {
			return passes, growing, took
		}
		growing += took
		r.clock.Advance(time.Second)
	}
	st, _ := r.rec.Status("web")
	tb.Fatalf("not converged after %d passes: %+v, %d provisions", passes, st.Counts, r.plugin.Calls().Provision)
	return 0, 0, 0
}

// TestGroupGrowsByTheCreateCap grows a group of 1,000 from nothing through
// the reconciler and the fake instance plugin: at most 100 creates a pass,
// so 10 passes that create and one that sees the group whole.
func TestGroupGrowsByTheCreateCap(t *testing.T) {
	r := newRig(t, 1000)
	passes, _, _ := growToConverged(t, r, 1000, 100)
	if passes != 11 || r.plugin.Calls().Provision != 1000 {
		t.Errorf("converged in %d passes with %d creates, want 11 passes and 1000", passes, r.plugin.Calls().Provision)
	}
}

// BenchmarkReconcile10000 grows a group of 10,000 from nothing to converged
// through the reconciler against the fake instance plugin, and reports the
// wall time of a pass while it grows (every pass observes the whole group
// and creates up to the cap) and of the steady pass at the end, beside the
// same for a group of 100 measured in the same run.
func BenchmarkReconcile10000(b *testing.B) {
	for b.Loop() {
		small := newRig(b, 100)
		_, sGrow, sSteady := growToConverged(b, small, 100, 100)
		big := newRig(b, 10_000)
		passes, grow, steady := growToConverged(b, big, 10_000, 100)
		b.ReportMetric(float64(passes), "passes")
		b.ReportMetric(float64(grow.Milliseconds())/float64(passes-1), "ms/growing-pass")
		b.ReportMetric(float64(steady.Microseconds())/1e3, "ms/steady-pass")
		b.ReportMetric(float64(sGrow.Microseconds())/1e3, "baseline-ms/growing-pass")
		b.ReportMetric(float64(sSteady.Microseconds())/1e3, "baseline-ms/steady-pass")
	}
}
