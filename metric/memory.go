package metric

import (
	"context"

	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
)

// memoryPlugin is `metric "memory" { target = 0.7 }`: the mean memory use
// of a service's containers, each as a fraction of its memory limit (of
// the host's memory without one), less the page cache the kernel can
// reclaim, from the engines' stats (see memoryUse).
var memoryPlugin = Plugin{
	Schema: &schema.Block{
		Description: "Mean memory use of a service's containers, less reclaimable page cache, as a fraction of each container's memory limit (of the host's memory without one).",
		Attributes: []schema.Attribute{targetAttribute(
			"the mean fraction of the memory limit kept per replica, greater than 0")},
	},
	Kinds: []resource.Kind{resource.Service},
	New:   newTargetSource("memory", readMemory),
}

// readMemory reads a service's containers.
func readMemory(ctx context.Context, s Scope) (float64, error) {
	return containersMean(ctx, s, func(u usage) (float64, bool) { return u.memory, u.memoryOK })
}
