package docker

import (
	"testing"

	"github.com/docker/docker/api/types/container"
)

func TestCPUFraction(t *testing.T) {
	sample := func(total, system uint64) container.CPUStats {
		return container.CPUStats{CPUUsage: container.CPUUsage{TotalUsage: total}, SystemUsage: system, OnlineCPUs: 4}
	}
	tests := []struct {
		name     string
		pre, cur container.CPUStats
		limit    float64
		want     float64
		ok       bool
	}{
		{"one core of four", sample(100, 1000), sample(200, 1400), 0, 0.25, true},
		{"one core of a two-core limit", sample(100, 1000), sample(200, 1400), 2, 0.5, true},
		{"a limit above the host's cores", sample(100, 1000), sample(200, 1400), 8, 0.25, true},
		{"over the limit, clamped", sample(100, 1000), sample(400, 1400), 0.5, 1, true},
		{"idle", sample(100, 1000), sample(100, 1400), 0, 0, true},
		{"one sample", container.CPUStats{}, sample(200, 1400), 0, 0, false},
		{"no host time passed", sample(100, 1000), sample(200, 1000), 0, 0, false},
		{"a reset counter", sample(300, 1000), sample(200, 1400), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cpuFraction(tt.pre, tt.cur, tt.limit)
			if ok != tt.ok || got != tt.want {
				t.Errorf("cpuFraction = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
