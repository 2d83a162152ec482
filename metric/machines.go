package metric

import (
	"context"
	"errors"
	"fmt"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/resource"
)

// machinesCPU is the mean CPU use of a group's running machines, as its
// provider's MetricsSource reports it: each machine's fraction of all its
// cores, 0 (idle) to 1 (every core busy), so a target of 0.6 keeps the
// machines 60% busy whatever their size. check, when set, refuses a group
// the metric cannot measure. It fails when the provider cannot measure
// CPU or reports no running machine.
func machinesCPU(ctx context.Context, s Scope, check func(Machines) error) (float64, error) {
	if k := s.Key(); k.Kind != resource.Group {
		return 0, fmt.Errorf("machine CPU is measured for a group, and %s is not a group", k)
	}
	m, err := s.Machines(ctx)
	if err != nil {
		return 0, fmt.Errorf("list the group's machines: %w", err)
	}
	if check != nil {
		if err := check(m); err != nil {
			return 0, err
		}
	}
	src, ok := instance.Capability[instance.MetricsSource](m.Provider)
	if m.Provider == nil || !ok {
		return 0, fmt.Errorf("the group's provider %q cannot measure CPU", m.ProviderType)
	}
	var ids []instance.ID
	for _, d := range m.Instances {
		if d.State == instance.StateRunning {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return 0, errors.New("the group has no running machines to measure")
	}
	got, err := src.CPU(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("the provider's CPU of %d machines: %w", len(ids), err)
	}
	var vs []float64
	for _, id := range ids {
		if v, ok := got[id]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, fmt.Errorf("the provider has no CPU data for any of the group's %d running machines yet", len(ids))
	}
	return mean(vs), nil
}
