package specs

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/schema"
)

func (ld *load) decodeService(blk *hcl.Block, report func(hcl.Diagnostics)) *Service {
	svc := &Service{}
	res, tree, ok := ld.decodeInto(blk, serviceSchema, &svc.Resource, svc, report, checkPorts, checkPlacement)
	if !ok {
		return nil
	}
	diags := svc.resolveReplicas(res)
	diags = append(diags, checkAutoscale(&svc.Resource, svc.Autoscale, svc.Replicas, "replicas")...)
	report(diags)
	if diags.HasErrors() {
		return nil
	}
	tree["replicas"] = svc.Replicas
	hashed := map[string]any{}
	for k, v := range tree {
		if k != "replicas" && k != "autoscale" {
			hashed[k] = v
		}
	}
	svc.finish(tree, res, hashed)
	return svc
}

// resolveReplicas settles Replicas: 1 by default for a replicated service;
// a global service runs one task per node and takes neither replicas nor
// autoscale.
func (svc *Service) resolveReplicas(res *schema.Result) hcl.Diagnostics {
	written := !res.Value.GetAttr("replicas").IsNull()
	if svc.Mode == "replicated" {
		if !written {
			svc.Replicas = 1
			if svc.Autoscale != nil {
				svc.Replicas = svc.Autoscale.Min
			}
		}
		return nil
	}
	var diags hcl.Diagnostics
	for _, attr := range []string{"replicas", "autoscale"} {
		if _, set := res.Ranges[attr]; set {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("%s on a global service", attr),
				Detail:   fmt.Sprintf("%s runs one task on every node (mode = \"global\"), so it takes no %s.", svc.Addr(), attr),
				Subject:  svc.Range(attr).Ptr(),
			})
		}
	}
	return diags
}

// checkPorts parses every port and refuses one published twice.
func checkPorts(res *schema.Result) hcl.Diagnostics {
	ports := res.Value.GetAttr("ports")
	if ports.IsNull() {
		return nil
	}
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	for i, v := range ports.AsValueSlice() {
		rng := res.Range(fmt.Sprintf("ports[%d]", i), res.Range("ports", hcl.Range{}))
		p, err := ParsePort(v.AsString())
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid port", Detail: err.Error() + `; write "PUBLISHED:TARGET[/PROTOCOL]", such as "8080:80".`, Subject: rng.Ptr()})
			continue
		}
		key := fmt.Sprintf("%d/%s", p.Published, p.Protocol)
		if p.Published != 0 && seen[key] {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Port published twice", Detail: fmt.Sprintf("Port %s is published twice.", key), Subject: rng.Ptr()})
		}
		seen[key] = true
	}
	return diags
}

// checkPlacement checks the forms swarm accepts for placement preferences
// and constraints.
func checkPlacement(res *schema.Result) hcl.Diagnostics {
	var diags hcl.Diagnostics
	each := func(attr string, fn func(string) string) {
		list := res.Value.GetAttr(attr)
		if list.IsNull() {
			return
		}
		for i, v := range list.AsValueSlice() {
			if why := fn(v.AsString()); why != "" {
				rng := res.Range(fmt.Sprintf("%s[%d]", attr, i), res.Range(attr, hcl.Range{}))
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + strings.TrimSuffix(attr, "s"), Detail: why, Subject: rng.Ptr()})
			}
		}
	}
	each("placement_preferences", func(s string) string {
		if v, ok := strings.CutPrefix(s, "spread="); ok && v != "" {
			return ""
		}
		return fmt.Sprintf("%q: swarm knows one placement preference, written \"spread=node.labels.NAME\".", s)
	})
	each("constraints", func(s string) string {
		for _, op := range []string{"==", "!="} {
			if l, r, ok := strings.Cut(s, op); ok && strings.TrimSpace(l) != "" && strings.TrimSpace(r) != "" {
				return ""
			}
		}
		return fmt.Sprintf("%q: a constraint is written \"ATTRIBUTE == VALUE\" or \"ATTRIBUTE != VALUE\", such as \"node.role == worker\".", s)
	})
	return diags
}
