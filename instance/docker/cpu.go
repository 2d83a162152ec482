package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/docker/docker/api/types/container"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// cpuParallel bounds the containers CPU queries at once: each waits about
// a second for the engine's second sample.
const cpuParallel = 8

// CPU implements instance.MetricsSource: each container's CPU use over the
// engine's last sampling interval (about a second), from its stats, as a
// fraction of all the host's cores, or of the container's CPU limit when
// it has one. Containers that are gone, not running or not sampled twice
// yet are left out; the call fails only if every container failed.
func (p *Plugin) CPU(ctx context.Context, ids []instance.ID) (map[instance.ID]float64, error) {
	const op = "docker.CPU"
	if err := p.ready(ctx); err != nil {
		return nil, err
	}
	var (
		mu     sync.Mutex
		out    = map[instance.ID]float64{}
		errs   []error
		wg     sync.WaitGroup
		tokens = make(chan struct{}, cpuParallel)
	)
	for _, id := range ids {
		wg.Go(func() {
			tokens <- struct{}{}
			u, ok, err := p.containerCPU(ctx, op, id)
			<-tokens
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case ok:
				out[id] = u
			}
		})
	}
	wg.Wait()
	if len(ids) > 0 && len(errs) == len(ids) {
		return nil, errs[0]
	}
	return out, nil
}

// containerCPU is the CPU use of container id; ok is false when it has
// none to report (gone, stopped, one sample only).
func (p *Plugin) containerCPU(ctx context.Context, op string, id instance.ID) (float64, bool, error) {
	c, err := p.cli.ContainerInspect(ctx, string(id))
	if err != nil {
		return 0, false, gone(fail(op, err, fmt.Sprintf("inspect %s", id)))
	}
	if c.State == nil || !c.State.Running {
		return 0, false, nil
	}
	r, err := p.cli.ContainerStats(ctx, string(id), false)
	if err != nil {
		return 0, false, gone(fail(op, err, fmt.Sprintf("stats of %s", id)))
	}
	defer r.Body.Close()
	var s container.StatsResponse
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		return 0, false, spierr.Unavailable(op, "decode the stats of %s: %v", id, err)
	}
	var limit float64
	if c.HostConfig != nil {
		limit = float64(c.HostConfig.NanoCPUs) / 1e9
	}
	u, ok := cpuFraction(s.PreCPUStats, s.CPUStats, limit)
	return u, ok, nil
}

// gone is nil for a container that is gone (no data, not a failure),
// else err.
func gone(err error) error {
	if errors.Is(err, spierr.ErrNotFound) {
		return nil
	}
	return err
}

// cpuFraction is the container's CPU use between two samples: its CPU
// time over the host's, which counts every core, so a fraction of all the
// host's cores; with a limit (in cores), a fraction of the limit instead.
// It is clamped to [0, 1]; ok is false without two samples.
func cpuFraction(pre, cur container.CPUStats, limit float64) (float64, bool) {
	if cur.SystemUsage <= pre.SystemUsage || cur.CPUUsage.TotalUsage < pre.CPUUsage.TotalUsage || pre.SystemUsage == 0 {
		return 0, false
	}
	u := float64(cur.CPUUsage.TotalUsage-pre.CPUUsage.TotalUsage) / float64(cur.SystemUsage-pre.SystemUsage)
	cores := float64(cur.OnlineCPUs)
	if cores == 0 {
		cores = float64(len(cur.CPUUsage.PercpuUsage))
	}
	if limit > 0 && cores > 0 && limit < cores {
		u = u * cores / limit
	}
	return min(max(u, 0), 1), true
}
