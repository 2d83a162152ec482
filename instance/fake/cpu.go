package fake

import (
	"context"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// SetCPU sets the CPU use that Measured's CPU reports for every
// instance, from 0 to 1; until it is set, it reports none.
func (p *Plugin) SetCPU(use float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cpu = &use
}

// Measured is the plugin with the MetricsSource capability: CPU reports
// what SetCPU set. The plugin itself has no capability, as a provider that
// cannot measure.
type Measured struct{ *Plugin }

// Measured returns p with the MetricsSource capability.
func (p *Plugin) Measured() Measured { return Measured{p} }

// CPU implements instance.MetricsSource: the use SetCPU set, for each of
// ids that exists; it fails while Faults.CPUErr is set.
func (m Measured) CPU(ctx context.Context, ids []instance.ID) (map[instance.ID]float64, error) {
	p := m.Plugin
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, spierr.Wrap(spierr.CodeUnavailable, "cpu", err)
	}
	if p.faults.CPUErr != nil {
		return nil, p.faults.CPUErr
	}
	out := map[instance.ID]float64{}
	for _, id := range ids {
		if _, ok := p.instances[id]; ok && p.cpu != nil {
			out[id] = *p.cpu
		}
	}
	return out, nil
}
