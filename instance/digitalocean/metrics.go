package digitalocean

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// cpuWindow is the window CPU averages over.
const cpuWindow = 5 * time.Minute

// cpuParallel bounds concurrent metric calls.
const cpuParallel = 4

// CPU reads each droplet's CPU-seconds per mode over the last cpuWindow
// from the monitoring API (one call per droplet) and returns 1 -
// Δidle/ΣΔ(all modes). Droplets without two samples (no monitoring agent,
// just created, gone) are left out; the call fails only if no droplet's
// metric could be fetched.
func (p *Plugin) CPU(ctx context.Context, ids []instance.ID) (map[instance.ID]float64, error) {
	const op = "digitalocean.CPU"
	out := map[instance.ID]float64{}
	var mu sync.Mutex
	var firstErr error
	failed := 0
	sem := make(chan struct{}, cpuParallel)
	var wg sync.WaitGroup
	end := p.now()
	for _, id := range ids {
		n, err := strconv.Atoi(string(id))
		if err != nil || n <= 0 {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var m *godo.MetricsResponse
			err := p.retry(ctx, op, func() error {
				var err error
				m, _, err = p.client.Monitoring.GetDropletCPU(ctx, &godo.DropletMetricsRequest{HostID: strconv.Itoa(n), Start: end.Add(-cpuWindow), End: end})
				return p.apiError(op, err)
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			if u, ok := utilisation(m); ok {
				out[id] = u
			}
		})
	}
	wg.Wait()
	if failed > 0 && failed == len(ids) {
		return nil, spierr.Wrap("", op, firstErr)
	}
	return out, nil
}

// utilisation computes 1 - Δidle/ΣΔ from the first and last sample of each
// mode.
func utilisation(m *godo.MetricsResponse) (float64, bool) {
	var idle, total float64
	for _, s := range m.Data.Result {
		if len(s.Values) < 2 {
			continue
		}
		d := float64(s.Values[len(s.Values)-1].Value - s.Values[0].Value)
		if d < 0 { // a counter reset (reboot)
			continue
		}
		total += d
		if string(s.Metric["mode"]) == "idle" {
			idle += d
		}
	}
	if total <= 0 {
		return 0, false
	}
	return min(max(1-idle/total, 0), 1), true
}
