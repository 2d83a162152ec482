package specs

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// local is one entry of a locals block.
type local struct {
	attr *hcl.Attribute
	ctx  *hcl.EvalContext // the context of its file
	deps []string
	// broken entries refer to undefined locals, already reported.
	broken bool
}

// locals evaluates every locals entry after the locals it refers to; a
// cycle or a reference to an undefined local is an error. An entry that
// fails is unknown, so that its uses do not repeat the error.
func (ld *load) locals(varObj cty.Value) (cty.Value, hcl.Diagnostics) {
	entries, order, diags := ld.collectLocals(varObj)
	vals := map[string]cty.Value{}
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var visit func(name string, path []string)
	visit = func(name string, path []string) {
		switch state[name] {
		case 2:
			return
		case 1:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cycle in locals",
				Detail:   fmt.Sprintf("local.%s refers to itself: %s.", name, strings.Join(append(path, name), " -> ")),
				Subject:  entries[name].attr.NameRange.Ptr(),
			})
			vals[name] = cty.DynamicVal
			return
		}
		state[name] = 1
		e := entries[name]
		for _, dep := range e.deps {
			visit(dep, append(path, name))
		}
		if e.broken {
			vals[name] = cty.DynamicVal
		}
		if _, failed := vals[name]; !failed {
			// Only the locals it refers to: the object of all of them,
			// built for each of thousands of entries, is quadratic.
			deps := make(map[string]cty.Value, len(e.deps))
			for _, d := range e.deps {
				deps[d] = vals[d]
			}
			e.ctx.Variables["local"] = cty.ObjectVal(deps)
			ds := schema.CheckTraversals(e.attr.Expr, &hcl.EvalContext{Variables: map[string]cty.Value{"var": e.ctx.Variables["var"]}})
			v := cty.DynamicVal
			if !ds.HasErrors() {
				v, ds = e.attr.Expr.Value(e.ctx)
				ds = append(ds, checkValueAt(v, e.attr.Expr.Range())...)
			}
			diags = append(diags, ds...)
			if ds.HasErrors() {
				v = cty.DynamicVal
			}
			vals[name] = markLiteral(v, e.attr.Expr.Range().Filename)
		}
		state[name] = 2
	}
	for _, name := range order {
		visit(name, nil)
	}
	return cty.ObjectVal(vals), diags
}

func (ld *load) collectLocals(varObj cty.Value) (map[string]*local, []string, hcl.Diagnostics) {
	entries := map[string]*local{}
	var order []string
	var diags hcl.Diagnostics
	for _, blk := range ld.decls.locals {
		attrs, ds := blk.Body.JustAttributes()
		diags = append(diags, ds...)
		ctx := ld.evalContext(blk.DefRange.Filename, varObj, cty.EmptyObjectVal)
		for _, name := range sortedKeys(attrs) {
			a := attrs[name]
			if prev, dup := entries[name]; dup {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("Duplicate local %q", name),
					Detail:   fmt.Sprintf("local.%s is already defined at %s.", name, prev.attr.NameRange),
					Subject:  a.NameRange.Ptr(),
				})
				continue
			}
			entries[name] = &local{attr: a, ctx: ctx}
			order = append(order, name)
		}
	}
	for _, name := range order {
		e := entries[name]
		for _, trav := range e.attr.Expr.Variables() {
			if trav.RootName() != "local" || len(trav) < 2 {
				continue
			}
			step, ok := trav[1].(hcl.TraverseAttr)
			if !ok {
				continue
			}
			if _, ok := entries[step.Name]; !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reference to undefined local",
					Detail:   fmt.Sprintf("No local %q is defined.%s", step.Name, didYouMean("local."+step.Name, prefixed("local.", order))),
					Subject:  trav.SourceRange().Ptr(),
				})
				e.broken = true
				continue
			}
			e.deps = append(e.deps, step.Name)
		}
	}
	return entries, order, diags
}

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
