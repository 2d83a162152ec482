package specs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/drover/drover/schema"
)

// rootSchema is the top level of a spec file.
var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "provider", LabelNames: []string{"type", "name"}},
	{Type: "swarm", LabelNames: []string{"name"}},
	{Type: "network", LabelNames: []string{"name"}},
	{Type: "group", LabelNames: []string{"name"}},
	{Type: "service", LabelNames: []string{"name"}},
}}

// resourceName is what names of swarms, networks, groups and services must
// look like: they become container names, hostnames and cloud tags.
var resourceName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

// decls are the blocks of a spec by kind and name, collected before any body
// is decoded so that references can be checked in any order.
type decls struct {
	blocks map[string]map[string]*hcl.Block // kind -> name -> block
	order  map[string][]string              // kind -> names in source order
	locals []*hcl.Block
}

func newDecls() *decls {
	return &decls{blocks: map[string]map[string]*hcl.Block{}, order: map[string][]string{}}
}

// add records a block, reporting duplicates and invalid names.
func (d *decls) add(blk *hcl.Block) hcl.Diagnostics {
	if blk.Type == "locals" {
		d.locals = append(d.locals, blk)
		return nil
	}
	name := blk.Labels[len(blk.Labels)-1]
	key := name
	if blk.Type == "provider" {
		key = blk.Labels[0] + "." + name
	}
	if diag := checkName(blk, name); diag != nil {
		return hcl.Diagnostics{diag}
	}
	if prev, dup := d.blocks[blk.Type][key]; dup {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s %q", blk.Type, key),
			Detail:   fmt.Sprintf("A %s named %q is already declared at %s. Names must be unique within their kind.", blk.Type, key, prev.DefRange),
			Subject:  blk.DefRange.Ptr(),
		}}
	}
	if d.blocks[blk.Type] == nil {
		d.blocks[blk.Type] = map[string]*hcl.Block{}
	}
	d.blocks[blk.Type][key] = blk
	d.order[blk.Type] = append(d.order[blk.Type], key)
	return nil
}

func checkName(blk *hcl.Block, name string) *hcl.Diagnostic {
	rng := blk.LabelRanges[len(blk.LabelRanges)-1]
	switch blk.Type {
	case "variable", "provider":
		if hclsyntax.ValidIdentifier(name) {
			return nil
		}
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s name", blk.Type),
			Detail:   fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name),
			Subject:  rng.Ptr(),
		}
	}
	if resourceName.MatchString(name) {
		return nil
	}
	hint := ""
	if fixed := strings.ReplaceAll(strings.ToLower(name), "_", "-"); resourceName.MatchString(fixed) {
		hint = fmt.Sprintf(" Did you mean %q?", fixed)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s name", blk.Type),
		Detail:   fmt.Sprintf("%q is not a valid %s name: it becomes a hostname and a tag, so use lowercase letters, digits and dashes, starting with a letter, at most 63 characters.%s", name, blk.Type, hint),
		Subject:  rng.Ptr(),
	}
}

// each calls fn for the blocks of a kind in source order.
func (d *decls) each(kind string, fn func(key string, blk *hcl.Block)) {
	for _, key := range d.order[kind] {
		fn(key, d.blocks[kind][key])
	}
}

// refExample shows how a reference to a kind is written.
func refExample(kind string) string {
	if kind == "provider" {
		return "provider.TYPE.NAME"
	}
	return kind + ".NAME"
}

// Ref implements schema.Resolver.
func (d *decls) Ref(kind string, expr hcl.Expression) (string, hcl.Diagnostics) {
	bad := func(detail string) (string, hcl.Diagnostics) {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid %s reference", kind),
			Detail:   detail,
			Subject:  expr.Range().Ptr(),
		}}
	}
	trav, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() {
		return bad(fmt.Sprintf("A reference to a %s is expected here, such as %s.", kind, refExample(kind)))
	}
	root := trav.RootName()
	if root != kind {
		if _, known := d.blocks[root]; known || rootSchemaHas(root) {
			return bad(fmt.Sprintf("A reference to a %s is expected here, such as %s; this refers to a %s.", kind, refExample(kind), root))
		}
		return bad(fmt.Sprintf("A reference to a %s is expected here, such as %s.", kind, refExample(kind)))
	}
	var parts []string
	for _, step := range trav[1:] {
		attr, ok := step.(hcl.TraverseAttr)
		if !ok {
			return bad(fmt.Sprintf("A reference is written %s, without indexes.", refExample(kind)))
		}
		parts = append(parts, attr.Name)
	}
	if want := strings.Count(refExample(kind), "."); len(parts) != want {
		return bad(fmt.Sprintf("A %s reference is written %s.", kind, refExample(kind)))
	}
	name := strings.Join(parts, ".")
	if _, ok := d.blocks[kind][name]; ok {
		return name, nil
	}
	var known []string
	for _, n := range d.order[kind] {
		known = append(known, kind+"."+n)
	}
	return "", hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Reference to undefined %s", kind),
		Detail:   fmt.Sprintf("No %s %q is declared.%s", kind, name, didYouMean(kind+"."+name, known)),
		Subject:  expr.Range().Ptr(),
	}}
}

func rootSchemaHas(typ string) bool {
	for _, b := range rootSchema.Blocks {
		if b.Type == typ {
			return true
		}
	}
	return false
}

// didYouMean is " Did you mean X?" when a candidate is close to s.
func didYouMean(s string, candidates []string) string {
	if c := schema.Closest(s, candidates); c != "" {
		return fmt.Sprintf(" Did you mean %s?", c)
	}
	return ""
}
