package schema

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

type sensitiveMark string

// sensitive is the cty mark carried by values derived from sensitive
// variables; any attribute holding such a value is redacted.
const sensitive = sensitiveMark("sensitive")

// MarkSensitive marks v so that every value computed from it is redacted.
func MarkSensitive(v cty.Value) cty.Value { return v.Mark(sensitive) }

func (d *Decoder) decodeAttr(a *Attribute, ha *hcl.Attribute, path cty.Path, res *Result) (cty.Value, hcl.Diagnostics) {
	if ha == nil {
		v, err := a.defaultValue()
		if err != nil { // Validate rejects such schemas; say so if one slips through.
			return cty.NullVal(a.Type.ctyType()), hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid schema", Detail: fmt.Sprintf("The default of %q is invalid: %s.", a.Name, err)}}
		}
		if a.Sensitive && !v.IsNull() {
			res.Sensitive = append(res.Sensitive, path)
		}
		return v, nil
	}
	res.Ranges[PathString(path)] = ha.Expr.Range()
	if a.Type.Kind == KindList {
		if elems, diags := hcl.ExprList(ha.Expr); !diags.HasErrors() {
			for i, e := range elems {
				res.Ranges[PathString(path.IndexInt(i))] = e.Range()
			}
		}
	}
	if a.Type.Kind == KindRef || a.Type.Kind == KindList && a.Type.Elem.Kind == KindRef {
		return d.decodeRefs(a, ha)
	}
	if diags := CheckTraversals(ha.Expr, d.Ctx); diags.HasErrors() {
		return cty.NullVal(a.Type.ctyType()), diags
	}
	v, diags := ha.Expr.Value(d.Ctx)
	if d.CheckValue != nil && !diags.HasErrors() {
		diags = append(diags, d.CheckValue(v, ha.Expr.Range())...)
	}
	if diags.HasErrors() {
		return cty.NullVal(a.Type.ctyType()), diags
	}
	v, marks := v.UnmarkDeepWithPaths()
	if !v.IsWhollyKnown() {
		// Only a variable or local that failed is unknown, and its error
		// is already reported.
		res.Incomplete = true
		return cty.NullVal(a.Type.ctyType()), diags
	}
	if a.Required && v.IsNull() {
		return cty.NullVal(a.Type.ctyType()), append(diags, invalid(a, ha, fmt.Sprintf("%q is required and must not be null.", a.Name)))
	}
	out, err := convertValue(v, a.Type)
	if err != nil {
		if Hidden(marks) {
			err = errWithheld
		}
		return cty.NullVal(a.Type.ctyType()), append(diags, invalid(a, ha, fmt.Sprintf("%q must be %s: %s.", a.Name, a.Type.Describe(), err)))
	}
	if err := a.check(out); err != nil {
		if Hidden(marks) {
			err = fmt.Errorf("%w; %s", errWithheld, a.rule())
		}
		return cty.NullVal(a.Type.ctyType()), append(diags, invalid(a, ha, fmt.Sprintf("%q: %s.", a.Name, err)))
	}
	res.Sensitive = append(res.Sensitive, sensitivePaths(a, path, marks, out.Type())...)
	res.noteSecrets(a, ha, marks, v)
	return out, diags
}

// sensitivePaths are the paths to redact in an attribute's converted value:
// the whole attribute when the schema says so, else the values that carried
// the sensitive mark, their paths rewritten for the converted type (an
// object written as { B = ... } becomes a map, indexed ["B"]).
func sensitivePaths(a *Attribute, path cty.Path, marks []cty.PathValueMarks, ty cty.Type) []cty.Path {
	if a.Sensitive {
		return []cty.Path{path}
	}
	var out []cty.Path
	for _, pm := range marks {
		if _, ok := pm.Marks[sensitive]; ok {
			out = append(out, append(path.Copy(), pathForType(pm.Path, ty)...))
		}
	}
	return out
}

func pathForType(p cty.Path, ty cty.Type) cty.Path {
	out := make(cty.Path, 0, len(p))
	for _, step := range p {
		if ga, ok := step.(cty.GetAttrStep); ok && ty.IsMapType() {
			step = cty.IndexStep{Key: cty.StringVal(ga.Name)}
		}
		out = append(out, step)
		switch {
		case ty.IsMapType() || ty.IsListType():
			ty = ty.ElementType()
		case ty.IsObjectType():
			if ga, ok := step.(cty.GetAttrStep); ok && ty.HasAttribute(ga.Name) {
				ty = ty.AttributeType(ga.Name)
			}
		}
	}
	return out
}

func invalid(a *Attribute, ha *hcl.Attribute, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Invalid value for %q", a.Name),
		Detail:   detail,
		Subject:  ha.Expr.Range().Ptr(),
	}
}

func (d *Decoder) decodeRefs(a *Attribute, ha *hcl.Attribute) (cty.Value, hcl.Diagnostics) {
	if a.Type.Kind == KindRef {
		name, diags := d.Resolver.Ref(a.Type.Ref, ha.Expr)
		if diags.HasErrors() {
			return cty.NullVal(cty.String), diags
		}
		return cty.StringVal(name), diags
	}
	exprs, diags := hcl.ExprList(ha.Expr)
	if diags.HasErrors() {
		return cty.NullVal(cty.List(cty.String)), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Invalid value for %q", a.Name),
			Detail:   fmt.Sprintf("%q must be a list of references, such as [%s.NAME].", a.Name, a.Type.Elem.Ref),
			Subject:  ha.Expr.Range().Ptr(),
		}}
	}
	names := make([]cty.Value, 0, len(exprs))
	for _, e := range exprs {
		name, ds := d.Resolver.Ref(a.Type.Elem.Ref, e)
		diags = append(diags, ds...)
		names = append(names, cty.StringVal(name))
	}
	if diags.HasErrors() {
		return cty.NullVal(cty.List(cty.String)), diags
	}
	if len(names) == 0 {
		return cty.ListValEmpty(cty.String), diags
	}
	return cty.ListVal(names), diags
}

func (t Type) ctyType() cty.Type {
	switch t.Kind {
	case KindString, KindRef:
		return cty.String
	case KindBool:
		return cty.Bool
	case KindList:
		return cty.List(t.Elem.ctyType())
	case KindMap:
		return cty.Map(t.Elem.ctyType())
	}
	return cty.Number
}

// convertValue converts v, as evaluated, to the decoded form of t.
func convertValue(v cty.Value, t Type) (cty.Value, error) {
	if v.IsNull() {
		return cty.NullVal(t.ctyType()), nil
	}
	switch t.Kind {
	case KindString:
		return convert.Convert(v, cty.String)
	case KindBool:
		return convert.Convert(v, cty.Bool)
	case KindNumber:
		n, err := convert.Convert(v, cty.Number)
		if err != nil {
			return n, err
		}
		if f, _ := n.AsBigFloat().Float64(); math.IsInf(f, 0) {
			return n, fmt.Errorf("it is out of range")
		}
		return n, nil
	case KindInt:
		n, err := convert.Convert(v, cty.Number)
		if err != nil {
			return n, err
		}
		return n, checkInt64(n.AsBigFloat())
	case KindDuration:
		s, err := convert.Convert(v, cty.String)
		if err != nil {
			return s, fmt.Errorf("write it as a string with a unit, such as \"30s\"")
		}
		dur, err := ParseDuration(s.AsString())
		return cty.NumberIntVal(int64(dur)), err
	case KindSize:
		if v.Type() == cty.Number {
			f := v.AsBigFloat()
			if f.Sign() < 0 {
				return v, fmt.Errorf("a number of bytes must be zero or more")
			}
			return v, checkInt64(f)
		}
		s, err := convert.Convert(v, cty.String)
		if err != nil {
			return s, fmt.Errorf("write it as a string with a unit, such as \"64MiB\"")
		}
		n, err := ParseSize(s.AsString())
		return cty.NumberIntVal(n), err
	case KindList:
		return convertList(v, t)
	case KindMap:
		return convertMap(v, t)
	}
	return v, fmt.Errorf("type %s cannot be written directly", t)
}

// checkInt64 wants a whole number that fits in an int64 (not infinity).
func checkInt64(f *big.Float) error {
	if f.IsInf() || !f.IsInt() {
		return fmt.Errorf("%s is not a whole number", f.Text('g', 10))
	}
	if _, acc := f.Int64(); acc != big.Exact {
		return fmt.Errorf("%s is out of range", f.Text('g', 10))
	}
	return nil
}

func convertList(v cty.Value, t Type) (cty.Value, error) {
	ty := v.Type()
	if !ty.IsListType() && !ty.IsTupleType() && !ty.IsSetType() {
		return v, fmt.Errorf("a list is required, not a %s", ty.FriendlyName())
	}
	var elems []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return v, fmt.Errorf("element %d is null", len(elems))
		}
		c, err := convertValue(ev, *t.Elem)
		if err != nil {
			return v, fmt.Errorf("element %d: %w", len(elems), err)
		}
		elems = append(elems, c)
	}
	if len(elems) == 0 {
		return cty.ListValEmpty(t.Elem.ctyType()), nil
	}
	return cty.ListVal(elems), nil
}

func convertMap(v cty.Value, t Type) (cty.Value, error) {
	ty := v.Type()
	if !ty.IsMapType() && !ty.IsObjectType() {
		return v, fmt.Errorf("a map is required, not a %s", ty.FriendlyName())
	}
	elems := map[string]cty.Value{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			return v, fmt.Errorf("the value of %q is null", k.AsString())
		}
		c, err := convertValue(ev, *t.Elem)
		if err != nil {
			return v, fmt.Errorf("key %q: %w", k.AsString(), err)
		}
		elems[k.AsString()] = c
	}
	if len(elems) == 0 {
		return cty.MapValEmpty(t.Elem.ctyType()), nil
	}
	return cty.MapVal(elems), nil
}

// check applies OneOf, Min and Max to a converted value.
func (a *Attribute) check(v cty.Value) error {
	if v.IsNull() {
		return nil
	}
	if len(a.OneOf) > 0 && v.Type() == cty.String {
		s := v.AsString()
		for _, ok := range a.OneOf {
			if s == ok {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s%s", s, quoteList(a.OneOf), Suggest(s, a.OneOf))
	}
	if v.Type() != cty.Number || a.Min == nil && a.Max == nil {
		return nil
	}
	f := new(big.Float).Set(v.AsBigFloat())
	scale, unit := 1.0, ""
	if a.Type.Kind == KindDuration {
		scale, unit = 1e9, " seconds"
	}
	f.Quo(f, big.NewFloat(scale))
	if a.Min != nil && f.Cmp(big.NewFloat(*a.Min)) < 0 {
		return fmt.Errorf("it is %s%s, less than the minimum of %v%s", f.Text('g', 10), unit, *a.Min, unit)
	}
	if a.Max != nil && f.Cmp(big.NewFloat(*a.Max)) > 0 {
		return fmt.Errorf("it is %s%s, more than the maximum of %v%s", f.Text('g', 10), unit, *a.Max, unit)
	}
	return nil
}

// defaultValue is the decoded form of the attribute's default, or null.
func (a *Attribute) defaultValue() (cty.Value, error) {
	if a.Default == nil {
		return cty.NullVal(a.Type.ctyType()), nil
	}
	if a.Type.Kind == KindRef || a.Type.Kind == KindList && a.Type.Elem.Kind == KindRef {
		return cty.NilVal, fmt.Errorf("references cannot have defaults")
	}
	raw, err := goToCty(a.Default)
	if err != nil {
		return cty.NilVal, err
	}
	v, err := convertValue(raw, a.Type)
	if err != nil {
		return cty.NilVal, err
	}
	return v, a.check(v)
}

func goToCty(x any) (cty.Value, error) {
	switch v := x.(type) {
	case string:
		return cty.StringVal(v), nil
	case bool:
		return cty.BoolVal(v), nil
	case int:
		return cty.NumberIntVal(int64(v)), nil
	case int64:
		return cty.NumberIntVal(v), nil
	case float64:
		return cty.NumberFloatVal(v), nil
	case []string:
		elems := make([]cty.Value, len(v))
		for i, s := range v {
			elems[i] = cty.StringVal(s)
		}
		return cty.TupleVal(elems), nil
	case []any:
		elems := make([]cty.Value, len(v))
		for i, e := range v {
			c, err := goToCty(e)
			if err != nil {
				return cty.NilVal, err
			}
			elems[i] = c
		}
		return cty.TupleVal(elems), nil
	case map[string]string:
		m := make(map[string]cty.Value, len(v))
		for k, s := range v {
			m[k] = cty.StringVal(s)
		}
		return cty.ObjectVal(m), nil
	case map[string]any:
		m := make(map[string]cty.Value, len(v))
		for k, e := range v {
			c, err := goToCty(e)
			if err != nil {
				return cty.NilVal, err
			}
			m[k] = c
		}
		return cty.ObjectVal(m), nil
	}
	return cty.NilVal, fmt.Errorf("a default of Go type %T is not supported", x)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Suggest returns ` (did you mean "x"?)` when one of the candidates is close
// to s, or "".
func Suggest(s string, candidates []string) string {
	if c := Closest(s, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// Closest returns the candidate nearest to s by edit distance, if it is near
// enough to be a likely typo, or "".
func Closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(s, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
