package metric_test

import (
	"strings"
	"testing"

	"github.com/drover/drover/metric"
)

// mem is a stats read of a container using usage bytes of limit, with
// memory.stat entries kv.
func mem(usage, limit uint64, kv map[string]uint64) stats {
	s := busy(2, 0.1)
	s.memUsage, s.memLimit, s.memStats = usage, limit, kv
	return s
}

// TestMemory: a service's memory is the mean over its containers of the
// usage less the inactive page cache, over the limit.
func TestMemory(t *testing.T) {
	tests := []struct {
		name       string
		containers map[string]fakeContainer
		want       float64
	}{
		{"cgroup v1: total_inactive_file is left out",
			map[string]fakeContainer{"a": {stats: mem(600, 1000, map[string]uint64{"total_inactive_file": 100, "inactive_file": 50, "cache": 300})}}, 0.5},
		{"cgroup v2: inactive_file is left out",
			map[string]fakeContainer{"a": {stats: mem(600, 1000, map[string]uint64{"inactive_file": 200, "file": 300})}}, 0.4},
		{"a cache larger than the usage is not subtracted",
			map[string]fakeContainer{"a": {stats: mem(600, 1000, map[string]uint64{"inactive_file": 700})}}, 0.6},
		{"without memory.stat, the usage",
			map[string]fakeContainer{"a": {stats: mem(250, 1000, nil)}}, 0.25},
		{"the mean of the containers; one without a limit is left out",
			map[string]fakeContainer{"a": {stats: mem(200, 1000, nil)}, "b": {stats: mem(800, 1000, nil)}, "c": {stats: mem(800, 0, nil)}}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &fakeEngine{containers: tt.containers}
			var ids []string
			for id := range tt.containers {
				ids = append(ids, id)
			}
			got, err := read(t, newSource(t, "memory", `{"target":0.7}`, metric.Options{}), serviceOf(e, ids...))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got.Metric != "memory" || got.Target != 0.7 || !near(got.Value, tt.want) {
				t.Errorf("Read = %+v, want memory %v against 0.7", got, tt.want)
			}
		})
	}
}

// TestMemoryErrors: memory measures services only, and a service none of
// whose containers reports a limit cannot be measured.
func TestMemoryErrors(t *testing.T) {
	src := newSource(t, "memory", `{"target":0.7}`, metric.Options{})
	e := &fakeEngine{containers: map[string]fakeContainer{"a": {stats: mem(100, 0, nil)}}}
	if _, err := read(t, src, serviceOf(e, "a")); err == nil || !strings.Contains(err.Error(), "none of the service's 1 containers") {
		t.Errorf("Read without a limit: %v, want none measured", err)
	}
	if _, err := read(t, src, scope{key: group}); err == nil || !strings.Contains(err.Error(), "not a service") {
		t.Errorf("Read of a group: %v, want not a service", err)
	}
}
