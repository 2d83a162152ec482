package metric

import (
	"context"
	"errors"

	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
)

// doProvider is the provider type whose groups digitalocean_cpu measures.
const doProvider = "digitalocean"

// digitaloceanCPUPlugin is `metric "digitalocean_cpu" { target = 0.6 }`:
// the mean CPU use of a digitalocean group's droplets, each as a fraction
// of all its vCPUs over the last minutes, from the DigitalOcean monitoring
// API (the droplets' metrics agent) through the provider.
var digitaloceanCPUPlugin = Plugin{
	Schema: &schema.Block{
		Description: "Mean CPU use of a digitalocean group's droplets, as a fraction of all their vCPUs (0..1), from the DigitalOcean monitoring API (droplets need monitoring = true).",
		Attributes: []schema.Attribute{targetAttribute(
			"the mean CPU use kept per droplet, greater than 0 (0.6 is 60% of its vCPUs)")},
	},
	Kinds: []resource.Kind{resource.Group},
	New:   newTargetSource("digitalocean_cpu", readDigitalOceanCPU),
}

// readDigitalOceanCPU reads a digitalocean group's droplets.
func readDigitalOceanCPU(ctx context.Context, s Scope) (float64, error) {
	return machinesCPU(ctx, s, func(m Machines) error {
		if m.ProviderType != doProvider {
			return errors.New("the digitalocean_cpu metric reads the DigitalOcean monitoring API, and this group's provider is not digitalocean")
		}
		return nil
	})
}
