package metric_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/metric"
)

// TestCPUOfContainers: a service's CPU is the mean over its measured
// containers of each one's cores used, or its fraction of its CPU limit;
// containers with nothing to report are left out.
func TestCPUOfContainers(t *testing.T) {
	single := busy(2, 0.25)
	single.preSystem = 0
	percpu := busy(4, 0.25)
	percpu.online, percpu.percpu = 0, 4
	tests := []struct {
		name       string
		containers map[string]fakeContainer
		want       float64
	}{
		{"a quarter of 2 cores is half a core",
			map[string]fakeContainer{"a": {stats: busy(2, 0.25)}}, 0.5},
		{"all of 4 cores is 4 cores",
			map[string]fakeContainer{"a": {stats: busy(4, 1)}}, 4},
		{"half a core within a limit of half a core is all of it",
			map[string]fakeContainer{"a": {stats: busy(2, 0.25), nanoCPUs: 5e8}}, 1},
		{"a core within a limit of 2 cores on 4 is half of it",
			map[string]fakeContainer{"a": {stats: busy(4, 0.25), nanoCPUs: 2e9}}, 0.5},
		{"a sample above the limit counts as the limit",
			map[string]fakeContainer{"a": {stats: busy(2, 0.3), nanoCPUs: 5e8}}, 1},
		{"without online_cpus the per-CPU list counts the cores",
			map[string]fakeContainer{"a": {stats: percpu}}, 1},
		{"the mean of the containers",
			map[string]fakeContainer{"a": {stats: busy(2, 0.1)}, "b": {stats: busy(2, 0.3)}, "c": {stats: busy(2, 0.5), nanoCPUs: 1e9}}, (0.2 + 0.6 + 1) / 3},
		{"gone, stopped and once-sampled containers are left out",
			map[string]fakeContainer{"a": {stats: busy(2, 0.4)}, "b": {stats: busy(2, 0.9), stopped: true}, "c": {stats: single}}, 0.8},
		{"failed containers are left out",
			map[string]fakeContainer{"a": {stats: busy(2, 0.1)}, "b": {inspectErr: errors.New("engine is down")}}, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &fakeEngine{containers: tt.containers}
			ids := []string{"gone"}
			for id := range tt.containers {
				ids = append(ids, id)
			}
			got, err := read(t, newSource(t, "cpu", `{"target":0.5}`, metric.Options{}), serviceOf(e, ids...))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got.Metric != "cpu" || got.Target != 0.5 || !near(got.Value, tt.want) || got.Err != "" {
				t.Errorf("Read = %+v, want cpu %v against 0.5", got, tt.want)
			}
			if e.streamed {
				t.Error("a stats read asked for a stream")
			}
		})
	}
}

// TestCPUNoneMeasured: a service none of whose containers can be measured
// is an error saying why, and how many failed; an engine error is kept.
func TestCPUNoneMeasured(t *testing.T) {
	down := errors.New("engine is down")
	single := busy(2, 0.25)
	single.preSystem = 0
	tests := []struct {
		name      string
		scope     metric.Scope
		want      []string
		wantErrIs error
	}{
		{name: "no containers", scope: serviceOf(&fakeEngine{}), want: []string{"no running containers"}},
		{name: "all gone or not sampled twice",
			scope: serviceOf(&fakeEngine{containers: map[string]fakeContainer{"b": {stopped: true}, "c": {stats: single}}}, "a", "b", "c"),
			want:  []string{"none of the service's 3 containers", "gone, not running"}},
		{name: "all failing",
			scope: serviceOf(&fakeEngine{containers: map[string]fakeContainer{"a": {inspectErr: down}, "b": {inspectErr: down}}}, "a", "b"),
			want:  []string{"none of the service's 2 containers", "2 failed"}, wantErrIs: down},
		{name: "a container without an engine",
			scope: scope{key: service, containers: []metric.Container{{ID: "a"}}},
			want:  []string{"1 failed", "no engine"}},
		{name: "the containers cannot be listed",
			scope: scope{key: service, err: down}, want: []string{"list the service's containers"}, wantErrIs: down},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := read(t, newSource(t, "cpu", `{"target":0.5}`, metric.Options{}), tt.scope)
			if err == nil {
				t.Fatalf("Read = %+v, want an error", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if tt.wantErrIs != nil && !errors.Is(err, tt.wantErrIs) {
				t.Errorf("error %q does not wrap %q", err, tt.wantErrIs)
			}
			if got.Metric != "cpu" || got.Value != 0 {
				t.Errorf("reading with the error = %+v, want the metric's name and no value", got)
			}
		})
	}
}

// TestCPUTimeout: Options.Timeout bounds the whole read: containers whose
// engine does not answer in time fail, the others count; if none answers,
// the error says the read timed out.
func TestCPUTimeout(t *testing.T) {
	opts := metric.Options{Timeout: time.Second} // ample for the fake that answers, on a loaded machine
	t.Run("some answer", func(t *testing.T) {
		e := &fakeEngine{containers: map[string]fakeContainer{"a": {stats: busy(2, 0.2)}, "b": {block: true}}}
		got, err := read(t, newSource(t, "cpu", `{"target":1}`, opts), serviceOf(e, "a", "b"))
		if err != nil || !near(got.Value, 0.4) {
			t.Fatalf("Read = %+v, %v; want 0.4 from the container that answered", got, err)
		}
	})
	t.Run("none answers", func(t *testing.T) {
		e := &fakeEngine{containers: map[string]fakeContainer{"a": {block: true}, "b": {block: true}}}
		_, err := read(t, newSource(t, "cpu", `{"target":1}`, opts), serviceOf(e, "a", "b"))
		if err == nil || !strings.Contains(err.Error(), "did not end within 1s") || !strings.Contains(err.Error(), "2 failed") {
			t.Fatalf("Read error = %v, want both failed and the timeout named", err)
		}
	})
}

// TestCPUParallel: the containers are read 8 at a time: all 8 at once
// (the fake holds every read until 8 are in flight), never more (it then
// holds them a while longer, for a ninth to show).
func TestCPUParallel(t *testing.T) {
	e := &fakeEngine{containers: map[string]fakeContainer{},
		full: make(chan struct{}), fullAt: 8, over: make(chan struct{}), overWait: 100 * time.Millisecond}
	var ids []string
	for i := range 20 {
		id := string(rune('a' + i))
		e.containers[id] = fakeContainer{stats: busy(2, 0.5)}
		ids = append(ids, id)
	}
	got, err := read(t, newSource(t, "cpu", `{"target":1}`, metric.Options{Timeout: 10 * time.Second}), serviceOf(e, ids...))
	if err != nil || !near(got.Value, 1) {
		t.Fatalf("Read = %+v, %v; want 1", got, err)
	}
	if e.maxFlight != 8 {
		t.Errorf("at most %d stats reads at once, want 8", e.maxFlight)
	}
}
