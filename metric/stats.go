package metric

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/drover/drover/resource"
)

// statsParallel bounds the containers whose stats are read at once: each
// read waits about a second for the engine's second sample.
const statsParallel = 8

// usage is what one stats read of one container measured. A field whose
// ok is false could not be computed from that read.
type usage struct {
	// cpu is the CPU used between the read's two samples, in cores, or
	// as a fraction of the container's CPU limit when it has one.
	cpu   float64
	cpuOK bool
	// memory is the memory used, less the inactive page cache, as a
	// fraction of the memory limit (the host's memory without one).
	memory   float64
	memoryOK bool
}

// measured is the outcome of measuring a service's containers: the usage
// of those that could be measured, and how many failed.
type measured struct {
	uses   []usage
	total  int
	failed int
	// err is the first failure.
	err error
}

// measureAll reads the stats of every container, statsParallel at a time.
// A container that is gone or not running is left out, neither measured
// nor failed.
func measureAll(ctx context.Context, cs []Container) measured {
	var (
		mu     sync.Mutex
		out    = measured{total: len(cs)}
		wg     sync.WaitGroup
		tokens = make(chan struct{}, statsParallel)
	)
	for _, c := range cs {
		wg.Go(func() {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				out.fail(&mu, fmt.Errorf("container %s: %w", c.ID, ctx.Err()))
				return
			}
			u, ok, err := measure(ctx, c)
			<-tokens
			switch {
			case err != nil:
				out.fail(&mu, fmt.Errorf("container %s: %w", c.ID, err))
			case ok:
				mu.Lock()
				out.uses = append(out.uses, u)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// fail counts one failure under mu, keeping the first error.
func (m *measured) fail(mu *sync.Mutex, err error) {
	mu.Lock()
	defer mu.Unlock()
	m.failed++
	if m.err == nil {
		m.err = err
	}
}

// measure reads one container's stats; ok is false for a container with
// nothing to report: gone or not running.
func measure(ctx context.Context, c Container) (usage, bool, error) {
	if c.Engine == nil {
		return usage{}, false, errors.New("no engine to ask")
	}
	in, err := c.Engine.ContainerInspect(ctx, c.ID)
	if err != nil {
		return usage{}, false, notGone("inspect", err)
	}
	if in.ContainerJSONBase == nil || in.State == nil || !in.State.Running {
		return usage{}, false, nil
	}
	r, err := c.Engine.ContainerStats(ctx, c.ID, false)
	if err != nil {
		return usage{}, false, notGone("stats", err)
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		return usage{}, false, fmt.Errorf("decode the stats: %w", err)
	}
	var limit float64
	if in.HostConfig != nil {
		limit = float64(in.HostConfig.NanoCPUs) / 1e9
	}
	var u usage
	u.cpu, u.cpuOK = cpuUse(s.PreCPUStats, s.CPUStats, limit)
	u.memory, u.memoryOK = memoryUse(s.MemoryStats)
	return u, true, nil
}

// notGone is nil for an engine error saying the container does not exist
// (it is gone: no data, not a failure), else err wrapped with what failed.
func notGone(what string, err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// cpuUse is a container's CPU use between two samples of its stats. The
// engine counts the container's CPU time and the host's, which sums every
// core, so their ratio times the host's cores is the cores the container
// used: 0.5 is half a core. With a limit (in cores) it is a fraction of
// the limit instead, at most 1. ok is false without two samples, or when
// the stats do not say how many cores the host has.
func cpuUse(pre, cur container.CPUStats, limit float64) (float64, bool) {
	if pre.SystemUsage == 0 || cur.SystemUsage <= pre.SystemUsage || cur.CPUUsage.TotalUsage < pre.CPUUsage.TotalUsage {
		return 0, false
	}
	cores := float64(cur.OnlineCPUs)
	if cores == 0 {
		cores = float64(len(cur.CPUUsage.PercpuUsage))
	}
	if cores == 0 {
		return 0, false
	}
	host := float64(cur.CPUUsage.TotalUsage-pre.CPUUsage.TotalUsage) / float64(cur.SystemUsage-pre.SystemUsage)
	used := min(host, 1) * cores
	if limit > 0 {
		return min(used/limit, 1), true
	}
	return used, true
}

// memoryUse is a container's memory use as a fraction of its limit: the
// usage less the inactive page cache, which the kernel reclaims under
// pressure, as `docker stats` counts it: cgroup v1 reports that cache as
// total_inactive_file, cgroup v2 as inactive_file. The engine reports the
// host's memory as the limit of a container without one. ok is false
// without a limit.
func memoryUse(m container.MemoryStats) (float64, bool) {
	if m.Limit == 0 {
		return 0, false
	}
	used := m.Usage
	if v, v1 := m.Stats["total_inactive_file"]; v1 && v < used {
		used -= v
	} else if v, v2 := m.Stats["inactive_file"]; !v1 && v2 && v < used {
		used -= v
	}
	return float64(used) / float64(m.Limit), true
}

// containersMean measures a service's containers and returns the mean of
// what pick takes of each (pick's ok false leaves a container out). It
// fails only when no container could be measured, saying how many failed.
func containersMean(ctx context.Context, s Scope, pick func(usage) (float64, bool)) (float64, error) {
	if k := s.Key(); k.Kind != resource.Service {
		return 0, fmt.Errorf("engine stats measure a service's containers, and %s is not a service", k)
	}
	cs, err := s.Containers(ctx)
	if err != nil {
		return 0, fmt.Errorf("list the service's containers: %w", err)
	}
	if len(cs) == 0 {
		return 0, errors.New("the service has no running containers to measure")
	}
	m := measureAll(ctx, cs)
	var vs []float64
	for _, u := range m.uses {
		if v, ok := pick(u); ok {
			vs = append(vs, v)
		}
	}
	switch {
	case len(vs) > 0:
		return mean(vs), nil
	case m.failed > 0:
		return 0, fmt.Errorf("none of the service's %d containers could be measured, %d failed: %w", m.total, m.failed, m.err)
	}
	return 0, fmt.Errorf("none of the service's %d containers could be measured: gone, not running, or sampled only once", m.total)
}
