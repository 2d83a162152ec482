package specs

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

var (
	instancePropsPath = cty.GetAttrPath("instance").GetAttr(schema.PropertiesKey)
	flavorPropsPath   = cty.GetAttrPath("flavor").GetAttr(schema.PropertiesKey)
)

func (ld *load) decodeGroup(spec *Spec, blk *hcl.Block, report func(hcl.Diagnostics)) *Group {
	g := &Group{}
	res, tree, ok := ld.decodeInto(blk, groupSchema, &g.Resource, g, report)
	if !ok {
		return nil
	}
	markSensitive(&g.Instance.Properties, res, instancePropsPath)
	markSensitive(&g.Flavor.Properties, res, flavorPropsPath)
	if g.Autoscale != nil {
		for i := range g.Autoscale.Metrics {
			markSensitive(&g.Autoscale.Metrics[i].Properties, res, cty.GetAttrPath("autoscale").GetAttr("metric").IndexInt(i).GetAttr(schema.PropertiesKey))
		}
	}
	diags := g.resolveSize(res)
	diags = append(diags, ld.resolveProvider(spec, g)...)
	diags = append(diags, checkUpdate(&g.Resource, g.Update)...)
	diags = append(diags, checkAutoscale(&g.Resource, g.Autoscale, g.Size, "size")...)
	report(diags)
	if diags.HasErrors() {
		return nil
	}
	tree["size"] = g.Size
	tree["instance"].(map[string]any)["provider"] = g.Instance.Provider
	g.finish(tree, res, map[string]any{"instance": tree["instance"], "flavor": tree["flavor"]})
	return g
}

// resolveSize settles Size from size, logical_ids or the autoscale minimum.
func (g *Group) resolveSize(res *schema.Result) hcl.Diagnostics {
	sizeSet := !res.Value.GetAttr("size").IsNull()
	idsSet := !res.Value.GetAttr("logical_ids").IsNull()
	switch {
	case sizeSet && idsSet:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Both size and logical_ids",
			Detail:   fmt.Sprintf("Group %q sets both; logical_ids fixes the size (one machine per id), so remove size.", g.Name),
			Subject:  g.Range("logical_ids").Ptr(),
		}}
	case idsSet:
		g.Size = len(g.LogicalIDs)
		return g.checkLogicalIDs()
	case sizeSet:
		return nil
	case g.Autoscale != nil:
		g.Size = g.Autoscale.Min
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Missing group size",
		Detail:   fmt.Sprintf("Group %q needs size, logical_ids or an autoscale block.", g.Name),
		Subject:  g.DeclRange.Ptr(),
	}}
}

func (g *Group) checkLogicalIDs() hcl.Diagnostics {
	if n := len(g.LogicalIDs); n > MaxGroupSize {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Too many logical ids",
			Detail:   fmt.Sprintf("Group %q lists %d logical_ids; a group holds at most %d machines.", g.Name, n, MaxGroupSize),
			Subject:  g.Range("logical_ids").Ptr(),
		}}
	}
	var diags hcl.Diagnostics
	seen := map[string]int{}
	for i, id := range g.LogicalIDs {
		rng := g.Range(fmt.Sprintf("logical_ids[%d]", i))
		if !resourceName.MatchString(id) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid logical id",
				Detail:   fmt.Sprintf("%q is not a valid logical id: it becomes part of a machine's name, so use lowercase letters, digits and dashes, starting with a letter.", id),
				Subject:  rng.Ptr(),
			})
		}
		if first, dup := seen[id]; dup {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate logical id",
				Detail:   fmt.Sprintf("%q appears twice in logical_ids (first at position %d).", id, first),
				Subject:  rng.Ptr(),
			})
		}
		seen[id] = i
	}
	if g.Autoscale != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Autoscale with logical_ids",
			Detail:   fmt.Sprintf("Group %q has fixed logical_ids, so its size cannot change: remove the autoscale block or use size.", g.Name),
			Subject:  g.Range("autoscale").Ptr(),
		})
	}
	return diags
}

// resolveProvider checks the provider a group names, or picks the one
// provider of the instance plugin's type, or declares an implicit one when
// the plugin's provider needs no configuration.
func (ld *load) resolveProvider(spec *Spec, g *Group) hcl.Diagnostics {
	plugin := g.Instance.Plugin
	if ref := g.Instance.Provider; ref != "" {
		if typ, _, _ := strings.Cut(ref, "."); typ != plugin {
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Provider of the wrong type",
				Detail:   fmt.Sprintf("instance %q needs a %q provider, but provider.%s is a %q provider.", plugin, plugin, ref, typ),
				Subject:  g.Range("instance.provider").Ptr(),
			}}
		}
		return nil
	}
	var candidates []string
	for _, p := range spec.Providers {
		if p.Type == plugin {
			candidates = append(candidates, p.Name)
		}
	}
	switch {
	case len(candidates) == 1:
		g.Instance.Provider = candidates[0]
		return nil
	case len(candidates) > 1:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Ambiguous provider",
			Detail:   fmt.Sprintf("Several %q providers are declared (%s): say which with provider = provider.%s.", plugin, strings.Join(candidates, ", "), candidates[0]),
			Subject:  g.Range("instance").Ptr(),
		}}
	}
	return ld.implicitProvider(spec, g)
}

// implicitProvider declares provider "TYPE" "default" {} for a plugin whose
// provider has no required settings.
func (ld *load) implicitProvider(spec *Spec, g *Group) hcl.Diagnostics {
	plugin := g.Instance.Plugin
	ps, ok := ld.opts.Schemas.Schema(PluginProvider, plugin)
	if !ok {
		ps = &schema.Block{}
	}
	d := &schema.Decoder{Ctx: &hcl.EvalContext{}, Resolver: ld}
	res, diags := d.Decode(hcl.EmptyBody(), ps)
	if diags.HasErrors() {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing provider",
			Detail:   fmt.Sprintf("instance %q needs a provider with settings: declare provider %q \"NAME\" { ... } (its schema requires them).", plugin, plugin),
			Subject:  g.Range("instance").Ptr(),
		}}
	}
	p := &Provider{Type: plugin, Implicit: true}
	p.Kind, p.Name, p.DeclRange, p.decoded = "provider", plugin+".default", g.Range("instance"), res
	tree := schema.ToJSON(res.Value)
	p.Config.raw, _ = json.Marshal(tree)
	p.finish(tree, res, tree)
	spec.Providers = append(spec.Providers, p)
	g.Instance.Provider = p.Name
	return nil
}

// checkUpdate refuses a rolling update that can never make progress.
func checkUpdate(r *Resource, u GroupUpdate) hcl.Diagnostics {
	if u.MaxSurge > 0 || u.MaxUnavailable > 0 {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Rolling update cannot progress",
		Detail:   fmt.Sprintf("%s: max_surge and max_unavailable are both 0, so no machine could ever be replaced. Set max_surge = 1 (create first) or max_unavailable = 1 (destroy first).", r.Addr()),
		Subject:  r.Range("update").Ptr(),
	}}
}

// minAutoscaleInterval is the shortest autoscale interval: metrics read
// more often cost more than they tell.
const minAutoscaleInterval = time.Second

// checkAutoscale checks min <= max, that the starting size (the attribute
// named sizeAttr) lies within them, and the timing: an interval of at
// least a second, and a converge_timeout no shorter than the interval.
// All problems are reported at once, each at its attribute.
func checkAutoscale(r *Resource, a *Autoscale, size int, sizeAttr string) hcl.Diagnostics {
	if a == nil {
		return nil
	}
	diags := checkAutoscaleBounds(r, a, size, sizeAttr)
	return append(diags, checkAutoscaleTiming(r, a)...)
}

// checkAutoscaleBounds checks min <= max and the starting size within.
func checkAutoscaleBounds(r *Resource, a *Autoscale, size int, sizeAttr string) hcl.Diagnostics {
	if a.Min > a.Max {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Autoscale min is greater than max",
			Detail:   fmt.Sprintf("%s: min = %d is greater than max = %d.", r.Addr(), a.Min, a.Max),
			Subject:  r.Range("autoscale.max").Ptr(),
		}}
	}
	if written(r, sizeAttr) && (size < a.Min || size > a.Max) {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("%s outside autoscale bounds", sizeAttr),
			Detail:   fmt.Sprintf("%s: %s = %d is outside autoscale min..max (%d..%d).", r.Addr(), sizeAttr, size, a.Min, a.Max),
			Subject:  r.Range(sizeAttr).Ptr(),
		}}
	}
	return nil
}

// checkAutoscaleTiming checks the interval and converge_timeout; a
// converge_timeout shorter than the interval is reported at
// converge_timeout when it is written, else at interval.
func checkAutoscaleTiming(r *Resource, a *Autoscale) hcl.Diagnostics {
	if a.Interval < minAutoscaleInterval {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Autoscale interval too short",
			Detail:   fmt.Sprintf("%s: interval = %s is shorter than %s; metrics read more often cost more than they tell. Set interval = \"%s\" or more.", r.Addr(), a.Interval, minAutoscaleInterval, minAutoscaleInterval),
			Subject:  r.Range("autoscale.interval").Ptr(),
		}}
	}
	if a.ConvergeTimeout < a.Interval {
		at := "autoscale.converge_timeout"
		if !written(r, at) {
			at = "autoscale.interval"
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Autoscale converge_timeout shorter than interval",
			Detail:   fmt.Sprintf("%s: converge_timeout = %s is shorter than interval = %s, so an action would stop holding the next before one evaluation could see it converge. Set converge_timeout = \"%s\" or more.", r.Addr(), a.ConvergeTimeout, a.Interval, a.Interval),
			Subject:  r.Range(at).Ptr(),
		}}
	}
	return nil
}

// written is whether the attribute at path was written in r's block
// (rather than left to its default).
func written(r *Resource, path string) bool {
	if r.decoded == nil {
		return false
	}
	_, ok := r.decoded.Ranges[path]
	return ok
}
