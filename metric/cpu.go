package metric

import (
	"context"
	"fmt"

	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
)

// cpuPlugin is `metric "cpu" { target = 0.5 }`: the mean CPU use of a
// service's containers, each in cores (0.5 is half a core) or, for a
// container with a CPU limit, as a fraction of its limit, from the
// engines' stats; or of a group's machines, each as a fraction of all its
// cores, from its provider (see machinesCPU).
var cpuPlugin = Plugin{
	Schema: &schema.Block{
		Description: "Mean CPU use: of a service's containers, in cores (0.5 is half a core) or as a fraction of the container's CPU limit; of a group's machines, as a fraction of all their cores (0..1).",
		Attributes: []schema.Attribute{targetAttribute(
			"the mean CPU use kept per replica or machine, greater than 0")},
	},
	Kinds: []resource.Kind{resource.Service, resource.Group},
	New:   newTargetSource("cpu", readCPU),
}

// readCPU reads a service's containers or a group's machines.
func readCPU(ctx context.Context, s Scope) (float64, error) {
	switch k := s.Key(); k.Kind {
	case resource.Service:
		return containersMean(ctx, s, func(u usage) (float64, bool) { return u.cpu, u.cpuOK })
	case resource.Group:
		return machinesCPU(ctx, s, nil)
	default:
		return 0, fmt.Errorf("the cpu metric measures services and groups, and %s is neither", k)
	}
}
