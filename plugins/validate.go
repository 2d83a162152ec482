package plugins

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/specs"
	"github.com/drover/drover/spierr"
)

// Validate runs the plugins' own checks on spec, as running it would
// before planning: each provider is built (NewValidator, else New) and
// each group's instance and flavor properties are put to the plugins'
// Validate. Nothing is created and no engine or cloud is asked; external
// plugins are asked over their connection. What a plugin refuses is an
// error at the attribute it names, else at its block; what it warns about
// is a warning there. A plugin that cannot check without its backend
// (spierr.ErrUnavailable) gives a warning that it could not.
func (r *Registry) Validate(ctx context.Context, spec *specs.Spec) hcl.Diagnostics {
	v := &validation{spec: spec}
	providers := map[string]instance.Plugin{}
	for _, p := range spec.Providers {
		if pl := v.provider(ctx, r, p); pl != nil {
			providers[p.Name] = pl
			if c, ok := pl.(io.Closer); ok {
				defer c.Close()
			}
		}
	}
	for _, g := range spec.Groups {
		if inst := providers[g.Instance.Provider]; inst != nil {
			v.instance(ctx, g, inst)
		}
		v.flavor(ctx, r, g)
		v.autoscale(&g.Resource, resource.Group, g.Autoscale)
	}
	for _, svc := range spec.Services {
		v.autoscale(&svc.Resource, resource.Service, svc.Autoscale)
	}
	return v.diags
}

// Bounds on what a plugin makes Validate print: the warnings of one block,
// and the runes of one message.
const (
	maxWarnings = 20
	maxDetail   = 2000
)

// validation collects the diagnostics of Registry.Validate.
type validation struct {
	spec  *specs.Spec
	diags hcl.Diagnostics
}

func (v *validation) provider(ctx context.Context, r *Registry, p *specs.Provider) instance.Plugin {
	ip, ok := r.Instance(p.Type)
	if !ok {
		v.add(hcl.DiagError, "Provider plugin not available",
			fmt.Sprintf("The %q instance plugin is known to the spec language but has no implementation in this build of drover.", p.Type),
			&p.Resource, "", "")
		return nil
	}
	build := ip.NewValidator
	if build == nil {
		build = ip.New
	}
	pl, err := build(ctx, p.Config.Reveal())
	if err != nil {
		v.refused(err, "Invalid provider configuration", fmt.Sprintf("The %s plugin refuses this provider", p.Type), &p.Resource, "")
		return nil
	}
	return pl
}

func (v *validation) instance(ctx context.Context, g *specs.Group, inst instance.Plugin) {
	props := g.Instance.Properties.Reveal()
	ws, err := instance.Check(ctx, inst, props)
	if len(ws) > maxWarnings {
		ws = append(ws[:maxWarnings:maxWarnings], spierr.Warning{Message: fmt.Sprintf("and %d more warnings", len(ws)-maxWarnings)})
	}
	for _, w := range ws {
		v.add(hcl.DiagWarning, fmt.Sprintf("The %s plugin warns about this instance", g.Instance.Plugin), w.Message, &g.Resource, "instance", w.Attribute)
	}
	v.refused(err, "Invalid instance properties", fmt.Sprintf("The %s plugin refuses this instance", g.Instance.Plugin), &g.Resource, "instance")
}

func (v *validation) flavor(ctx context.Context, r *Registry, g *specs.Group) {
	fp, ok := r.Flavor(g.Flavor.Plugin)
	if !ok {
		v.add(hcl.DiagError, "Flavor plugin not available",
			fmt.Sprintf("The %q flavor is known to the spec language but has no implementation in this build of drover.", g.Flavor.Plugin),
			&g.Resource, "flavor", "")
		return
	}
	fl, err := fp.New(ctx)
	if err != nil {
		v.refused(err, "Flavor plugin not available", fmt.Sprintf("The %s flavor could not be built", g.Flavor.Plugin), &g.Resource, "flavor")
		return
	}
	if c, ok := fl.(io.Closer); ok {
		defer c.Close()
	}
	err = fl.Validate(ctx, g.Flavor.Properties.Reveal(), flavor.NewAllocation(g.Name, g.Size, g.LogicalIDs))
	v.refused(err, "Invalid flavor properties", fmt.Sprintf("The %s flavor refuses this group", g.Flavor.Plugin), &g.Resource, "flavor")
}

// refused adds err, if any, at the attribute it names under block (a
// block of res, or res itself when block is ""): an error, or a warning
// when the plugin could not check without its backend.
func (v *validation) refused(err error, summary, lead string, res *specs.Resource, block string) {
	if err == nil {
		return
	}
	sev, detail := hcl.DiagError, lead+": "+err.Error()+"."
	if spierr.Retryable(err) {
		sev, summary = hcl.DiagWarning, "Could not check with the plugin"
		detail = "The plugin needs its backend to check this, and could not check it: " + err.Error() + "."
	}
	v.add(sev, summary, detail, res, block, spierr.AttributeOf(err))
}

// add appends a diagnostic at attr of block of res, or the nearest range
// the spec has for it: the attribute's parent ("volumes" for
// "volumes[2]"), the block, the resource. A plugin's message never shows
// the spec's secret values.
func (v *validation) add(sev hcl.DiagnosticSeverity, summary, detail string, res *specs.Resource, block, attr string) {
	for _, s := range v.spec.Secrets() {
		if s != "" {
			detail = strings.ReplaceAll(detail, s, "(sensitive value)")
		}
	}
	if r := []rune(detail); len(r) > maxDetail { // after the secrets went: no half of one is left
		detail = string(r[:maxDetail]) + "..."
	}
	rng := attrRange(res, block, attr)
	v.diags = append(v.diags, &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail, Subject: &rng})
}

// attrRange is the range of attr in block of res, else of the nearest
// thing the spec records a range for. A plugin block's attributes are
// recorded under its properties, a provider's at the top of its body.
func attrRange(res *specs.Resource, block, attr string) hcl.Range {
	prefixes := []string{schema.PropertiesKey + ".", ""} // a plugin block's; a provider's own body
	if block != "" {
		prefixes = []string{block + "." + schema.PropertiesKey + "."}
	}
	for a := attr; a != ""; a = parentPath(a) {
		for _, prefix := range prefixes {
			if rng := res.Range(prefix + a); rng != res.DeclRange {
				return rng
			}
		}
	}
	if block != "" {
		return res.Range(block)
	}
	return res.DeclRange
}

// parentPath is the path above p: "volumes" for "volumes[2]", "resources"
// for "resources.memory", "" at the top.
func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}
