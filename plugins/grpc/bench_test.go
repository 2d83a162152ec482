package plugingrpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/spierr"
)

// fleet is the fake plugin holding 1,000 instances tagged like a real
// group's, the same in the benchmark and in the plugin process.
func fleet() *fake.Plugin {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := fake.New(func() time.Time { return created })
	for i := range 1000 {
		_, err := p.Provision(context.Background(), instance.Spec{
			Name: fmt.Sprintf("web-%04d", i),
			Tags: map[string]string{
				instance.TagGroup: "web", instance.TagOwner: "drover-bench",
				instance.TagConfig: "sha256:0123456789abcdef", instance.TagRequest: fmt.Sprintf("%08x", i),
			},
		})
		if err != nil {
			panic(err)
		}
	}
	return p
}

// BenchmarkDescribe1000 compares a Describe of 1,000 instances by the
// same plugin in-process and over gRPC in a plugin process, and reports
// the ratio (grpc/in-process, same run) on the grpc line.
func BenchmarkDescribe1000(b *testing.B) {
	var local instance.Plugin = fleet()
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

// BenchmarkCall is the cost of a small call to a plugin process over
// gRPC: a Validate that succeeds, and a Destroy of an unknown instance,
// whose typed error travels as a status detail.
func BenchmarkCall(b *testing.B) {
	remote := startBenchPlugin(b)
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
	}{
		{"validate", func() error { return remote.Validate(ctx, json.RawMessage(`{"size":"small"}`)) }},
		{"destroy-not-found", func() error {
			if err := remote.Destroy(ctx, "nope", instance.DestroyScaleDown); !errors.Is(err, spierr.ErrNotFound) {
				return fmt.Errorf("Destroy = %v, want not found", err)
			}
			return nil
		}},
	}
	for _, c := range calls {
		b.Run(c.name, func(b *testing.B) {
			lat := latencies{}
			for b.Loop() {
				t0 := time.Now()
				if err := c.call(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			lat.report(b)
		})
	}
}

// startBenchPlugin starts the test binary as a plugin process serving
// the fleet and configures it.
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
