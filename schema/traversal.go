package schema

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// CheckTraversals reports references in expr to attributes that the
// context's objects lack, such as var.wrokers, with a suggestion: HCL's own
// message names the attribute but offers no alternative.
func CheckTraversals(expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	if ctx == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, trav := range expr.Variables() {
		root := trav.RootName()
		obj, ok := ctx.Variables[root]
		if !ok || len(trav) < 2 || !obj.Type().IsObjectType() {
			continue
		}
		step, ok := trav[1].(hcl.TraverseAttr)
		if !ok || obj.Type().HasAttribute(step.Name) {
			continue
		}
		names := attributeNames(obj.Type())
		detail := fmt.Sprintf("There is no %s.%s.", root, step.Name)
		if c := Closest(step.Name, names); c != "" {
			detail += fmt.Sprintf(" Did you mean %s.%s?", root, c)
		} else if len(names) == 0 {
			detail += fmt.Sprintf(" Nothing is declared under %q.", root)
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Reference to undeclared %s", kindOfRoot(root)),
			Detail:   detail,
			Subject:  trav.SourceRange().Ptr(),
		})
	}
	return diags
}

func kindOfRoot(root string) string {
	switch root {
	case "var":
		return "variable"
	case "local":
		return "local"
	}
	return root
}

func attributeNames(ty cty.Type) []string {
	names := make([]string, 0, len(ty.AttributeTypes()))
	for n := range ty.AttributeTypes() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
