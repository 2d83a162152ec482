package plugingrpc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/plugins/spierr"
)

// listing is an instance plugin with a fixed listing, for benchmarks:
// Describe returns it, Destroy refuses with a typed error.
type listing struct{ ds []instance.Description }

// thousand is a listing of 1,000 instances shaped like a real group's.
func thousand() *listing {
	now := time.Now().UTC()
	ds := make([]instance.Description, 1000)
	for i := range ds {
		ds[i] = instance.Description{
			ID: instance.ID(fmt.Sprintf("i-%06d", i)), State: instance.StateRunning,
			Tags: map[string]string{
				instance.TagGroup: "web", instance.TagOwner: "drover-test",
				instance.TagConfig: "sha256:0123456789abcdef", instance.TagRequest: fmt.Sprintf("%08x", i),
			},
			Addresses: []instance.Address{{Kind: instance.AddressPrivate, IP: fmt.Sprintf("10.0.%d.%d", i/250, i%250)}},
			CreatedAt: now,
		}
	}
	return &listing{ds: ds}
}

func (l *listing) Validate(context.Context, json.RawMessage) error { return nil }
func (l *listing) Provision(context.Context, instance.Spec) (instance.ID, error) {
	return "", spierr.Unsupported("listing.Provision", "fixed listing")
}
func (l *listing) Destroy(_ context.Context, id instance.ID, _ instance.DestroyReason) error {
	return spierr.NotFound("listing.Destroy", "no instance %s", id)
}
func (l *listing) Describe(context.Context, map[string]string) ([]instance.Description, error) {
	return l.ds, nil
}

// BenchmarkDescribe1000 compares a Describe of 1,000 instances in-process
// (an interface call) with the same over gRPC to a plugin process, and
// reports the ratio (grpc/in-process) on the grpc line.
func BenchmarkDescribe1000(b *testing.B) {
	var local instance.Plugin = thousand()
	var inProcess float64 // ns/op
	b.Run("in-process", func(b *testing.B) {
		ctx := context.Background()
		start := time.Now()
		for b.Loop() {
			if ds, err := local.Describe(ctx, nil); err != nil || len(ds) != 1000 {
				b.Fatal(len(ds), err)
			}
		}
		inProcess = float64(time.Since(start).Nanoseconds()) / float64(b.N)
	})
	b.Run("grpc", func(b *testing.B) {
		remote := startBenchPlugin(b)
		ctx := context.Background()
		lat := latencies{}
		for b.Loop() {
			t0 := time.Now()
			if ds, err := remote.Describe(ctx, nil); err != nil || len(ds) != 1000 {
				b.Fatal(len(ds), err)
			}
			lat = append(lat, time.Since(t0))
		}
		lat.report(b)
		if inProcess > 0 {
			b.ReportMetric(lat.mean()/inProcess, "ratio")
		}
	})
}

// BenchmarkCall is the cost of a small plugin call over gRPC to a plugin
// process: a Destroy that returns a typed error (the error path, with a
// status detail, is the heavier one).
func BenchmarkCall(b *testing.B) {
	remote := startBenchPlugin(b)
	ctx := context.Background()
	lat := latencies{}
	for b.Loop() {
		t0 := time.Now()
		if err := remote.Destroy(ctx, "i-1", instance.DestroyScaleDown); !spierr.IsNotDone(err) && err == nil {
			b.Fatal("Destroy succeeded")
		}
		lat = append(lat, time.Since(t0))
	}
	lat.report(b)
}

// startBenchPlugin starts the test binary as a plugin process serving
// the 1,000-instance listing and configures it.
func startBenchPlugin(b *testing.B) instance.Plugin {
	b.Helper()
	_, rpc := startProcess(b, "describe1000")
	c := dispense[*InstanceClient](b, rpc, PluginInstance)
	p, err := c.Configure(context.Background(), "bench", json.RawMessage(`{}`))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// latencies are the durations of single calls.
type latencies []time.Duration

// report reports the 50th and 99th percentiles, in µs.
func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	s := slices.Sorted(slices.Values(l))
	q := func(p float64) float64 {
		return float64(s[min(int(float64(len(s))*p), len(s)-1)]) / float64(time.Microsecond)
	}
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

// mean is the mean duration in ns.
func (l latencies) mean() float64 {
	var sum time.Duration
	for _, d := range l {
		sum += d
	}
	return float64(sum) / float64(len(l))
}
