package specs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/drover/drover/schema"
)

// EnvVarPrefix prefixes environment variables that set spec variables:
// DROVER_VAR_workers=5 sets var.workers.
const EnvVarPrefix = "DROVER_VAR_"

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "default"}, {Name: "type"}, {Name: "description"}, {Name: "sensitive"},
}}

// variable is a declared variable while its value is being settled.
type variable struct {
	*Variable
	ty cty.Type // the type constraint; DynamicPseudoType when none
}

// variables decodes the variable blocks and settles their values, from the
// lowest precedence to the highest: default, DROVER_VAR_NAME, var files in
// order, -var flags.
func (ld *load) variables() ([]*Variable, cty.Value, hcl.Diagnostics) {
	vars := map[string]*variable{}
	var diags hcl.Diagnostics
	ld.decls.each("variable", func(name string, blk *hcl.Block) {
		v, ds := decodeVariable(name, blk, ld.hookContext())
		diags = append(diags, ds...)
		vars[name] = v
	})
	diags = append(diags, ld.varsFromEnv(vars)...)
	for _, path := range ld.opts.VarFiles {
		diags = append(diags, ld.varsFromFile(vars, path)...)
	}
	diags = append(diags, varsFromFlags(vars, ld.opts.Vars, ld.hookContext())...)

	var out []*Variable
	obj := map[string]cty.Value{}
	for _, v := range vars {
		if v.Value == cty.NilVal {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("No value for required variable %q", v.Name),
				Detail:   fmt.Sprintf("The variable has no default. Set it with -var %s=VALUE, a -var-file, or %s%s.", v.Name, EnvVarPrefix, v.Name),
				Subject:  v.DeclRange.Ptr(),
			})
			v.Value = cty.DynamicVal // unknown: uses of it stay quiet
		}
		if ds := checkValueAt(v.Value, v.DeclRange); ds.HasErrors() {
			diags = append(diags, ds...)
			v.Value = cty.DynamicVal
		}
		obj[v.Name] = markInputs(v.Value, v.inputs)
		if v.Sensitive {
			obj[v.Name] = schema.MarkSensitive(obj[v.Name])
		}
		out = append(out, v.Variable)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, cty.ObjectVal(obj), diags
}

// decodeVariable decodes a variable block; ctx holds the evaluation hooks
// alone.
func decodeVariable(name string, blk *hcl.Block, ctx *hcl.EvalContext) (*variable, hcl.Diagnostics) {
	v := &variable{Variable: &Variable{Name: name, DeclRange: blk.DefRange}, ty: cty.DynamicPseudoType}
	content, diags := blk.Body.Content(variableSchema)
	if a, ok := content.Attributes["type"]; ok {
		ty, ds := typeexpr.TypeConstraint(a.Expr)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			v.ty = ty
		}
	}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, gohclString(a, &v.Description, ctx)...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		val, ds := a.Expr.Value(ctx)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			b, err := convert.Convert(val, cty.Bool)
			if err != nil || b.IsNull() || !b.IsKnown() {
				diags = append(diags, attrError(a, "sensitive must be true or false"))
			} else {
				v.Sensitive = b.True()
			}
		}
	}
	if a, ok := content.Attributes["default"]; ok {
		val, ds := a.Expr.Value(ctx)
		diags = append(diags, ds...)
		val = asListFor(val, v.ty)
		if !ds.HasErrors() {
			conv, err := convert.Convert(val, v.ty)
			if err != nil {
				diags = append(diags, attrError(a, fmt.Sprintf("the default does not match the type %s: %s", typeexpr.TypeString(v.ty), err)))
				v.Value = cty.DynamicVal // reported: unknown, so its uses stay quiet
			} else {
				v.Value, v.Source = conv, "default"
			}
		}
	}
	return v, diags
}

func (ld *load) varsFromEnv(vars map[string]*variable) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(vars) {
		raw, ok := ld.opts.LookupEnv(EnvVarPrefix + name)
		if !ok {
			continue
		}
		vars[name].inputs = append(vars[name].inputs, Withheld{Kind: "env", Name: EnvVarPrefix + name})
		diags = append(diags, vars[name].setRaw(raw, "env", "environment variable "+EnvVarPrefix+name, ld.hookContext())...)
	}
	return diags
}

func (ld *load) varsFromFile(vars map[string]*variable, path string) hcl.Diagnostics {
	src, err := ld.opts.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read variables file", Detail: err.Error()}}
	}
	f, diags := ld.parseVarFile(Source{Name: path, Src: src})
	if diags.HasErrors() {
		return diags
	}
	instrument(f.Body)
	ctx := ld.hookContext()
	attrs, ds := f.Body.JustAttributes()
	diags = append(diags, ds...)
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		v, ok := vars[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The spec declares no variable %q.%s", name, didYouMean(name, sortedKeys(vars))),
				Subject:  a.NameRange.Ptr(),
			})
			continue
		}
		v.inputs = append(v.inputs, Withheld{Kind: "file", Name: path})
		val, ds := a.Expr.Value(ctx)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			diags = append(diags, v.set(val, v.ty, "file", a.Expr.Range().Ptr(), "")...)
		}
	}
	return diags
}

func varsFromFlags(vars map[string]*variable, flags []string, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, kv := range flags {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var",
				Detail:   fmt.Sprintf("-var %q: write NAME=VALUE, such as -var workers=3.", kv),
			})
			continue
		}
		v, ok := vars[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("-var %s=...: the spec declares no variable %q.%s", name, name, didYouMean(name, sortedKeys(vars))),
			})
			continue
		}
		v.inputs = append(v.inputs, Withheld{Kind: "var", Name: name})
		diags = append(diags, v.setRaw(raw, "flag", "-var "+name, ctx)...)
	}
	return diags
}

// setRaw sets the variable from a string given on the command line or in
// the environment: taken as it is for primitive types, parsed as an HCL
// expression for lists, maps and objects, evaluated in ctx (the hooks).
func (v *variable) setRaw(raw, source, where string, ctx *hcl.EvalContext) hcl.Diagnostics {
	if len(raw) > MaxSourceBytes {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Spec limit exceeded: source size",
			Detail:   fmt.Sprintf("The value of %s is %d bytes long; the limit is %d.", where, len(raw), MaxSourceBytes),
		}}
	}
	ty := v.ty
	if ty == cty.DynamicPseudoType && v.Value != cty.NilVal && v.Value.Type().IsPrimitiveType() {
		ty = v.Value.Type() // untyped variable: a raw "5" becomes the default's kind
	}
	if ty.IsPrimitiveType() || ty == cty.DynamicPseudoType {
		return v.set(cty.StringVal(raw), ty, source, nil, where)
	}
	if diags := prescanHCL([]byte(raw), where, hcl.InitialPos, lexExpression); diags.HasErrors() {
		return diags
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), where, hcl.InitialPos)
	if diags.HasErrors() {
		return diags
	}
	instrumentNode(expr)
	val, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	return v.set(val, ty, source, nil, where)
}

// set converts val to ty and makes it the variable's value. where names a
// source that has no range in a file, such as a flag.
func (v *variable) set(val cty.Value, ty cty.Type, source string, subject *hcl.Range, where string) hcl.Diagnostics {
	val = asListFor(val, ty)
	conv, err := convert.Convert(val, ty)
	if err != nil {
		from := ""
		if where != "" {
			from = " (from " + where + ")"
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid value for variable %q", v.Name),
			Detail:   fmt.Sprintf("The value%s does not fit the variable's type %s: %s.", from, typeexpr.TypeString(ty), err),
			Subject:  subject,
		}}
	}
	v.Value, v.Source = conv, source
	return nil
}

func gohclString(a *hcl.Attribute, out *string, ctx *hcl.EvalContext) hcl.Diagnostics {
	val, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return diags
	}
	s, err := convert.Convert(val, cty.String)
	if err != nil || s.IsNull() || !s.IsKnown() {
		return hcl.Diagnostics{attrError(a, fmt.Sprintf("%s must be a string", a.Name))}
	}
	*out = s.AsString()
	return nil
}

func attrError(a *hcl.Attribute, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid %s", a.Name),
		Detail:   detail + ".",
		Subject:  a.Expr.Range().Ptr(),
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
