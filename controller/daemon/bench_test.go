package daemon_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/instance"
)

// The benchmark's fleet: 1,000 instances in 50 groups on the fake provider.
const benchGroups, benchSize = 50, 20

// fleet starts a daemon on the fake provider and applies the fleet,
// returning once it has converged.
func fleet(tb testing.TB, resync time.Duration) *harness {
	h := startHarness(tb, resync)
	var groups []string
	for i := range benchGroups {
		groups = append(groups, fmt.Sprintf("g%02d=%d", i, benchSize))
	}
	res := h.apply(bundle(groups...))
	h.await("the fleet", func(st api.Status) bool { return st.Revision == res.Revision.Number && st.Converged })
	if n := len(h.plugin.Names()); n != benchGroups*benchSize {
		tb.Fatalf("%d instances, want %d", n, benchGroups*benchSize)
	}
	return h
}

// BenchmarkResyncPass is one full resync pass of the daemon over the
// fleet: every group woken, observed, planned, reported.
func BenchmarkResyncPass(b *testing.B) {
	h := fleet(b, time.Hour)
	b.ResetTimer()
	for b.Loop() {
		if err := h.d.Resync(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResyncBaseline is the floor under a pass: listing each group's
// instances from the fake provider, one after the other, and nothing else.
func BenchmarkResyncBaseline(b *testing.B) {
	h := fleet(b, time.Hour)
	b.ResetTimer()
	for b.Loop() {
		for i := range benchGroups {
			sel := map[string]string{instance.TagOwner: "test", instance.TagGroup: fmt.Sprintf("g%02d", i)}
			if _, err := h.plugin.Describe(b.Context(), sel); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkIdleFootprint measures the daemon holding the fleet: its RSS,
// and its CPU while idle for DROVER_BENCH_IDLE (default 60s) with the
// default 30 s resync. make bench runs it once (-benchtime 1x).
func BenchmarkIdleFootprint(b *testing.B) {
	window := time.Minute
	if v := os.Getenv("DROVER_BENCH_IDLE"); v != "" {
		var err error
		if window, err = time.ParseDuration(v); err != nil {
			b.Fatalf("DROVER_BENCH_IDLE=%q: %v", v, err)
		}
	}
	h := fleet(b, 30*time.Second) // the default resync
	b.ResetTimer()
	start := cpuTime(b)
	wall := time.Now()
	idle, cancel := context.WithTimeout(b.Context(), window)
	defer cancel()
	<-idle.Done()
	cpu := cpuTime(b) - start
	elapsed := time.Since(wall)
	b.StopTimer()
	st, _ := h.d.Status(b.Context())
	passes := 0
	for _, rs := range st.Resources {
		passes += rs.Passes
	}
	rss, cpuPct := rssMB(b), 100*cpu.Seconds()/elapsed.Seconds()
	b.ReportMetric(rss, "rss-MB")
	b.ReportMetric(cpuPct, "idle-cpu-%")
	fmt.Printf("idle-footprint instances=%d groups=%d rss_mb=%.1f idle_cpu_pct=%.3f window=%s passes=%d\n",
		len(h.plugin.Names()), benchGroups, rss, cpuPct, window, passes)
}

func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssMB reads this process's resident set from /proc.
func rssMB(t testing.TB) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
