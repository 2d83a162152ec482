package daemon_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// reactionSpec is one group of fake machines autoscaled on their CPU,
// evaluated every interval and acting at once.
func reactionSpec(interval time.Duration) specs.Bundle {
	b := autoscaled()
	src := strings.Replace(string(b.Files["t.hcl"]), `interval             = "1s"`, `interval             = "`+interval.String()+`"`, 1)
	src = strings.Replace(src, `max                  = 5`, `max                  = 4`, 1)
	b.Files["t.hcl"] = []byte(src)
	return b
}

// BenchmarkAutoscaleReaction measures, on the daemon with the fake
// provider, the time from a group's CPU crossing its target to the
// autoscaler's scale-up event. The crossing comes just after an
// evaluation (its event awaited), the worst moment: the next evaluation
// is a whole interval away, so this is the bound, by design one interval
// plus the metric's read. Each op is one crossing up and one back down.
// The baseline is the interval itself.
func BenchmarkAutoscaleReaction(b *testing.B) {
	const interval = time.Second
	h := newMeasuredHarness(b)
	h.plugin.SetCPU(0.5) // at target: the group holds at 1
	h.apply(reactionSpec(interval))
	h.await("one machine, evaluated", sized(1))
	var lat []time.Duration
	for b.Loop() {
		_, ch := h.d.Subscribe(b.Context(), 1<<62)
		awaitKind(b, ch, autoscale.EventHeld) // an evaluation just happened
		crossed := time.Now()
		h.plugin.SetCPU(1)
		lat = append(lat, awaitAction(b, ch, autoscale.Up).Sub(crossed))
		h.plugin.SetCPU(0.25)
		h.await("back to one machine", sized(1))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "ms/reaction")
	b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms/reaction")
	b.ReportMetric(float64(interval.Milliseconds()), "baseline-ms/interval")
}

// awaitAction returns when the first autoscaled event of action a arrives
// on ch, within a minute.
func awaitAction(b *testing.B, ch <-chan resource.Event, a autoscale.Action) time.Time {
	return await(b, ch, "a scale "+string(a), func(e resource.Event) bool {
		return e.Kind == autoscale.EventAutoscaled && e.Autoscale != nil && e.Autoscale.Action == string(a)
	})
}

// awaitKind returns when the first event of kind arrives on ch, within a
// minute.
func awaitKind(b *testing.B, ch <-chan resource.Event, kind string) time.Time {
	return await(b, ch, "an event "+kind, func(e resource.Event) bool { return e.Kind == kind })
}

// await returns when the first event on ch that is what says arrives,
// within a minute.
func await(b *testing.B, ch <-chan resource.Event, what string, is func(resource.Event) bool) time.Time {
	deadline := time.After(time.Minute)
	for {
		select {
		case e := <-ch:
			if is(e) {
				return time.Now()
			}
		case <-deadline:
			b.Fatalf("no %s within a minute", what)
		}
	}
}
