package plugins

import (
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// autoscale checks the metric blocks of an autoscale block of res, a
// resource of kind k, as building its autoscaler would: each metric must
// exist in this build, be able to scale k, and take its properties.
func (v *validation) autoscale(res *specs.Resource, k resource.Kind, a *specs.Autoscale) {
	if a == nil {
		return
	}
	plugins := metric.Builtins()
	for i, m := range a.Metrics {
		block := fmt.Sprintf("autoscale.metric[%d]", i)
		p, ok := plugins[m.Plugin]
		switch {
		case !ok:
			v.add(hcl.DiagError, "Metric plugin not available",
				fmt.Sprintf("The %q metric is known to the spec language but has no implementation in this build of drover.", m.Plugin), res, block, "")
		case !slices.Contains(p.Kinds, k):
			v.add(hcl.DiagError, "Metric cannot scale this resource",
				fmt.Sprintf("The %q metric scales %s, not a %s.", m.Plugin, kindList(p.Kinds), k), res, block, "")
		default:
			_, err := p.New(m.Properties.Reveal(), metric.Options{})
			v.refused(err, "Invalid metric properties", fmt.Sprintf("The %s metric refuses this block", m.Plugin), res, block)
		}
	}
}

// kindList names kinds in prose: "groups", "services and groups".
func kindList(kinds []resource.Kind) string {
	s := ""
	for i, k := range kinds {
		switch {
		case i == 0:
		case i == len(kinds)-1:
			s += " and "
		default:
			s += ", "
		}
		s += string(k) + "s"
	}
	return s
}

// registerMetrics registers the metric plugins' schemas: metric "NAME" {}.
func (r *Registry) registerMetrics() error {
	for name, p := range metric.Builtins() {
		if err := r.Register(specs.PluginMetric, name, p.Schema); err != nil {
			return err
		}
	}
	return nil
}
