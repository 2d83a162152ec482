package specs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// decodeAll decodes every resource. Providers come first: groups resolve
// theirs, and may add implicit ones.
func (ld *load) decodeAll(spec *Spec) hcl.Diagnostics {
	var diags hcl.Diagnostics
	add := func(ds hcl.Diagnostics) { diags = append(diags, ds...) }
	ld.decls.each("provider", func(key string, blk *hcl.Block) {
		p, ds := ld.decodeProvider(key, blk)
		add(ds)
		if p != nil {
			spec.Providers = append(spec.Providers, p)
		}
	})
	ld.decls.each("swarm", func(name string, blk *hcl.Block) {
		sw := &Swarm{}
		if res, tree, ok := ld.decodeInto(blk, swarmSchema, &sw.Resource, sw, add); ok {
			sw.finish(tree, res, tree)
			spec.Swarms = append(spec.Swarms, sw)
		}
	})
	ld.decls.each("network", func(name string, blk *hcl.Block) {
		n := &Network{}
		if res, tree, ok := ld.decodeInto(blk, networkSchema, &n.Resource, n, add); ok {
			n.finish(tree, res, tree)
			spec.Networks = append(spec.Networks, n)
		}
	})
	ld.decls.each("group", func(name string, blk *hcl.Block) {
		if g := ld.decodeGroup(spec, blk, add); g != nil {
			spec.Groups = append(spec.Groups, g)
		}
	})
	ld.decls.each("service", func(name string, blk *hcl.Block) {
		if s := ld.decodeService(blk, add); s != nil {
			spec.Services = append(spec.Services, s)
		}
	})
	sortByName(spec.Providers, func(p *Provider) string { return p.Name })
	sortByName(spec.Swarms, func(s *Swarm) string { return s.Name })
	sortByName(spec.Networks, func(n *Network) string { return n.Name })
	sortByName(spec.Groups, func(g *Group) string { return g.Name })
	sortByName(spec.Services, func(s *Service) string { return s.Name })
	return diags
}

func (ld *load) decodeProvider(key string, blk *hcl.Block) (*Provider, hcl.Diagnostics) {
	s, diags := ld.PluginSchema(PluginProvider, blk.Labels[0], blk.LabelRanges[0])
	if s == nil {
		return nil, diags
	}
	p := &Provider{Type: blk.Labels[0]}
	res, tree, ok := ld.decodeInto(blk, s, &p.Resource, &p.Config, func(ds hcl.Diagnostics) { diags = append(diags, ds...) })
	if !ok {
		return nil, diags
	}
	p.Name = key // providers are named TYPE.NAME
	markSensitive(&p.Config, res, nil)
	p.finish(tree, res, tree)
	return p, diags
}

// decodeInto decodes blk against s, runs the checks that need the decoded
// value before it is typed, then fills out (a struct with json tags matching
// the schema) and the Resource r's identity. It reports through report and
// returns the result and its JSON tree, or false when the resource is
// unusable. The caller completes the resource with finish.
func (ld *load) decodeInto(blk *hcl.Block, s *schema.Block, r *Resource, out any, report func(hcl.Diagnostics), checks ...func(*schema.Result) hcl.Diagnostics) (*schema.Result, map[string]any, bool) {
	res, diags := ld.decode(blk, s)
	for _, check := range checks {
		if res.Incomplete {
			break
		}
		diags = append(diags, check(res)...) // checks skip values that failed (null)
	}
	report(diags)
	if diags.HasErrors() || res.Incomplete {
		return nil, nil, false
	}
	tree := schema.ToJSON(res.Value).(map[string]any)
	raw, err := json.Marshal(tree)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		err = dec.Decode(out)
	}
	if err != nil { // the schema and the Go type disagree: a bug, said plainly
		report(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Internal error decoding " + blk.Type,
			Detail:   fmt.Sprintf("drover could not map the decoded %s to its type: %v. Please report this.", blk.Type, err),
			Subject:  blk.DefRange.Ptr(),
		}})
		return nil, nil, false
	}
	r.Kind, r.Name, r.DeclRange, r.decoded = blk.Type, blk.Labels[len(blk.Labels)-1], blk.DefRange, res
	return res, tree, true
}

// finish gives r its rendering, tree with the sensitive paths of res
// redacted, and its hash, of hashed.
func (r *Resource) finish(tree any, res *schema.Result, hashed any) {
	var err error
	r.redacted, err = json.Marshal(schema.Redact(tree, res.Sensitive))
	if err != nil {
		panic(fmt.Sprintf("specs: rendering %s: %v", r.Addr(), err)) // trees are JSON by construction
	}
	r.Hash = hashOf(hashed)
	r.secrets = schema.Collect(tree, res.Sensitive)
}

// markSensitive gives p, decoded from the value at prefix of res, the
// sensitive paths under that prefix.
func markSensitive(p *Properties, res *schema.Result, prefix cty.Path) {
	p.sensitive = schema.TrimPaths(res.Sensitive, prefix)
}

// hashVersion changes when the canonical form changes meaning, so that
// hashes of different schemes never compare equal.
const hashVersion = "drover/v1\n"

// hashOf is the first 16 hex digits of the SHA-256 of v's canonical JSON
// (secrets included: changing a secret is a change).
func hashOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("specs: hashing a value that is not JSON: %v", err))
	}
	sum := sha256.Sum256(append([]byte(hashVersion), b...))
	return hex.EncodeToString(sum[:8])
}

func sortByName[T any](items []T, name func(T) string) {
	sort.Slice(items, func(i, j int) bool { return name(items[i]) < name(items[j]) })
}
