package runner_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/group"
)

// BenchmarkTimeToRepair measures, for each way of noticing, the time from
// `docker rm -f` of a machine to its replacement running: drover woken by
// engine events, and a baseline that only polls every 10 s (InfraKit's
// default). Run with -benchtime 10x; the metric is the median.
func BenchmarkTimeToRepair(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts func(*runner.Options)
		// phase: a random wait before each removal, so that removals do
		// not fall at the same point of the polling cycle every time.
		phase time.Duration
	}{
		{"events", func(o *runner.Options) { o.Resync = 30 * time.Second }, 0},
		{"poll-10s", func(o *runner.Options) { o.NoEvents, o.Resync = true, 10*time.Second }, 10 * time.Second},
	} {
		b.Run(mode.name, func(b *testing.B) {
			w := newWorld(b)
			w.background(w.spec(3, w.image, ""), mode.opts)
			w.waitHealthy(3)
			var times []time.Duration
			for b.Loop() {
				if mode.phase > 0 {
					time.Sleep(rand.N(mode.phase))
				}
				times = append(times, w.repairOnce(b))
				w.waitHealthy(3)
			}
			slices.Sort(times)
			b.ReportMetric(times[len(times)/2].Seconds(), "s-median")
			b.Logf("%s: %v", mode.name, times)
		})
	}
}

// repairOnce removes a random machine and returns the time until a
// replacement of the same name runs.
func (w *world) repairOnce(b *testing.B) time.Duration {
	list := w.machines()
	victim := list[rand.IntN(len(list))]
	name := victim.Labels[group.TagName]
	start := time.Now()
	if err := w.cli.ContainerRemove(context.WithoutCancel(w.t.Context()), victim.ID, container.RemoveOptions{Force: true}); err != nil {
		b.Fatal(err)
	}
	for deadline := start.Add(time.Minute); time.Now().Before(deadline); {
		for _, m := range w.machines() {
			if m.Labels[group.TagName] == name && m.ID != victim.ID && m.State == "running" {
				return time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond) // the measurement's resolution
	}
	b.Fatalf("no replacement for %s within a minute", name)
	return 0
}
