package schema

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Resolver answers what a body alone cannot: what a reference points to and
// which schema a plugin declares.
type Resolver interface {
	// Ref resolves expr, which must be a reference to a resource of the given
	// kind, and returns the name that identifies the resource.
	Ref(kind string, expr hcl.Expression) (string, hcl.Diagnostics)
	// PluginSchema returns the schema of the named plugin of a kind
	// ("instance", "flavor", "metric", ...), or an error diagnostic at rng.
	PluginSchema(kind, name string, rng hcl.Range) (*Block, hcl.Diagnostics)
}

// Result is a decoded body.
type Result struct {
	// Value is an object holding every attribute of the schema (defaults
	// applied, absent optional ones null), each nested block (an object, or
	// a tuple of objects when repeated; null when absent) and, in a block,
	// its labels as strings.
	Value cty.Value
	// Sensitive holds the paths of values that must never be rendered.
	Sensitive []cty.Path
	// SecretMarks are the marks, other than sensitive, that the values at
	// the Sensitive paths carried: where the loader read them.
	SecretMarks cty.ValueMarks
	// SecretLiterals are the ranges of sensitive values that carried no
	// such mark: written in the spec's own text.
	SecretLiterals []hcl.Range
	// Ranges holds the source range of every written attribute value, list
	// element and block, by PathString.
	Ranges map[string]hcl.Range
	// Incomplete is set when a value was unknown because of an error
	// reported elsewhere (a variable without a value); such a result must
	// not be used even when its own diagnostics hold no error.
	Incomplete bool
}

// Range returns the source range recorded for path, or fallback.
func (r *Result) Range(path string, fallback hcl.Range) hcl.Range {
	if rng, ok := r.Ranges[path]; ok {
		return rng
	}
	return fallback
}

// Decoder decodes bodies against schemas.
type Decoder struct {
	// Ctx evaluates expressions: variables and functions.
	Ctx *hcl.EvalContext
	// Resolver resolves references and plugin schemas.
	Resolver Resolver
	// CheckValue, when set, checks every attribute's value as evaluated,
	// before it is converted to the attribute's type (converting a huge
	// number to a string is itself costly), and reports a problem at rng.
	CheckValue func(v cty.Value, rng hcl.Range) hcl.Diagnostics
}

// Decode decodes body against b. All problems are reported at once; the
// result is only meaningful when the diagnostics hold no error.
func (d *Decoder) Decode(body hcl.Body, b *Block) (*Result, hcl.Diagnostics) {
	res := &Result{Ranges: map[string]hcl.Range{}}
	v, diags := d.decodeBody(body, b, nil, res)
	res.Value = v
	return res, diags
}

func (d *Decoder) decodeBody(body hcl.Body, b *Block, path cty.Path, res *Result) (cty.Value, hcl.Diagnostics) {
	content, diags := body.Content(b.hclSchema())
	vals, more := d.decodeContent(content, body.MissingItemRange(), b, path, res)
	return cty.ObjectVal(vals), append(diags, more...)
}

func (d *Decoder) decodeContent(content *hcl.BodyContent, missing hcl.Range, b *Block, path cty.Path, res *Result) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	vals := map[string]cty.Value{}
	for i := range b.Attributes {
		a := &b.Attributes[i]
		v, ds := d.decodeAttr(a, content.Attributes[a.Name], path.GetAttr(a.Name), res)
		diags = append(diags, ds...)
		vals[a.Name] = v
	}
	byType := map[string][]*hcl.Block{}
	for _, blk := range content.Blocks {
		byType[blk.Type] = append(byType[blk.Type], blk)
	}
	for i := range b.Blocks {
		nb := &b.Blocks[i]
		v, ds := d.decodeNested(nb, byType[nb.Type], missing, path.GetAttr(nb.Type), res)
		diags = append(diags, ds...)
		vals[nb.Type] = v
	}
	return vals, diags
}

func (d *Decoder) decodeNested(nb *Block, blocks []*hcl.Block, missing hcl.Range, path cty.Path, res *Result) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if nb.Required && len(blocks) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Missing %s block", nb.Type),
			Detail:   fmt.Sprintf("A %q block is required here.%s", nb.Type, describe(nb)),
			Subject:  missing.Ptr(),
		})
	}
	if nb.Repeated && len(blocks) == 0 {
		return cty.NullVal(cty.EmptyTuple), diags
	}
	if nb.Repeated {
		elems := make([]cty.Value, 0, len(blocks))
		for i, blk := range blocks {
			v, ds := d.decodeBlock(nb, blk, path.IndexInt(i), res)
			diags = append(diags, ds...)
			elems = append(elems, v)
		}
		return cty.TupleVal(elems), diags
	}
	for _, dup := range blocks[min(1, len(blocks)):] {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s block", nb.Type),
			Detail:   fmt.Sprintf("Only one %q block is allowed here; the first is at %s.", nb.Type, blocks[0].DefRange),
			Subject:  dup.DefRange.Ptr(),
		})
	}
	switch {
	case len(blocks) > 0:
		v, ds := d.decodeBlock(nb, blocks[0], path, res)
		return v, append(diags, ds...)
	case nb.Implicit && nb.Plugin == "":
		v, ds := d.decodeBody(hcl.EmptyBody(), nb, path, res)
		return v, append(diags, ds...)
	}
	return cty.NullVal(cty.EmptyObject), diags
}

func (d *Decoder) decodeBlock(nb *Block, blk *hcl.Block, path cty.Path, res *Result) (cty.Value, hcl.Diagnostics) {
	res.Ranges[PathString(path)] = blk.DefRange
	if nb.Plugin != "" {
		return d.decodePlugin(nb, blk, path, res)
	}
	v, diags := d.decodeBody(blk.Body, nb, path, res)
	return withLabels(v, nb, blk), diags
}

// decodePlugin decodes the attributes the enclosing schema declares on a
// plugin block, then the rest of the body against the plugin's own schema.
func (d *Decoder) decodePlugin(nb *Block, blk *hcl.Block, path cty.Path, res *Result) (cty.Value, hcl.Diagnostics) {
	content, remain, diags := blk.Body.PartialContent(nb.hclSchema())
	vals, more := d.decodeContent(content, blk.Body.MissingItemRange(), nb, path, res)
	diags = append(diags, more...)
	ps, more := d.Resolver.PluginSchema(nb.Plugin, blk.Labels[0], blk.LabelRanges[0])
	diags = append(diags, more...)
	if ps == nil {
		// Without a schema the body cannot be checked: report the plugin
		// name alone rather than a cascade of "unsupported argument".
		vals[PropertiesKey] = cty.EmptyObjectVal
		return withLabels(cty.ObjectVal(vals), nb, blk), diags
	}
	for _, a := range nb.Attributes {
		if _, clash := ps.Attribute(a.Name); clash {
			return withLabels(cty.ObjectVal(vals), nb, blk), append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Plugin %q declares a reserved attribute", blk.Labels[0]),
				Detail:   fmt.Sprintf("The %s plugin %q declares %q, which drover's %q block reserves; the plugin must rename it.", nb.Plugin, blk.Labels[0], a.Name, nb.Type),
				Subject:  blk.LabelRanges[0].Ptr(),
			})
		}
	}
	props, more := d.decodeBody(remain, ps, path.GetAttr(PropertiesKey), res)
	vals[PropertiesKey] = props
	return withLabels(cty.ObjectVal(vals), nb, blk), append(diags, more...)
}

func withLabels(v cty.Value, nb *Block, blk *hcl.Block) cty.Value {
	if len(nb.Labels) == 0 {
		return v
	}
	m := v.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for i, name := range nb.Labels {
		m[name] = cty.StringVal(blk.Labels[i])
	}
	return cty.ObjectVal(m)
}

func (b *Block) hclSchema() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, a := range b.Attributes {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a.Name, Required: a.Required})
	}
	for _, nb := range b.Blocks {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: nb.Type, LabelNames: nb.Labels})
	}
	return s
}

func describe(b *Block) string {
	if b.Description == "" {
		return ""
	}
	return " It holds " + b.Description
}

// PathString writes a path the way a spec author would point at it:
// autoscale.min, metric[0].target, env["HOME"].
func PathString(p cty.Path) string {
	s := ""
	for _, step := range p {
		switch st := step.(type) {
		case cty.GetAttrStep:
			if s != "" {
				s += "."
			}
			s += st.Name
		case cty.IndexStep:
			if st.Key.Type() == cty.String {
				s += fmt.Sprintf("[%q]", st.Key.AsString())
			} else if st.Key.Type() == cty.Number {
				s += fmt.Sprintf("[%s]", st.Key.AsBigFloat().Text('f', -1))
			}
		}
	}
	return s
}

// SortPaths orders paths by their PathString, for stable output.
func SortPaths(ps []cty.Path) {
	sort.Slice(ps, func(i, j int) bool { return PathString(ps[i]) < PathString(ps[j]) })
}
