package specs

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/drover/drover/schema"
)

// load is one run of the loader.
type load struct {
	opts   Options
	parser *hclparse.Parser
	decls  *decls
	fns    map[string]map[string]function.Function // by directory
	budget *budget
	varObj cty.Value
	local  cty.Value
}

// run parses srcs, collects declarations, settles variables and locals,
// decodes every resource and checks them together. Every error is reported,
// but a resource whose body has errors is left out of the cross-checks.
func (ld *load) run(srcs []Source) (*Spec, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	if total := sourceBytes(srcs); total > MaxSpecBytes {
		return nil, limitDiag(hcl.Range{Filename: srcs[0].Name, Start: hcl.InitialPos, End: hcl.InitialPos},
			limitf("spec size", "The spec's files hold %d bytes together; the limit is %d.", total, MaxSpecBytes))
	}
	var files []*hcl.File
	for _, src := range srcs {
		f, ds := ld.parse(src)
		diags = append(diags, ds...)
		if f != nil {
			instrument(f.Body)
		}
		files = append(files, f)
	}
	if diags.HasErrors() {
		// A file that does not parse hides its declarations; going on
		// would report references to them as undefined.
		return nil, diags
	}
	for _, f := range files {
		content, ds := f.Body.Content(rootSchema)
		diags = append(diags, ds...)
		for _, blk := range content.Blocks {
			diags = append(diags, ld.decls.add(blk)...)
		}
	}
	spec := &Spec{}
	var ds hcl.Diagnostics
	spec.Variables, ld.varObj, ds = ld.variables()
	diags = append(diags, ds...)
	ld.local, ds = ld.locals(ld.varObj)
	diags = append(diags, ds...)
	ds = ld.decodeAll(spec)
	diags = append(diags, ds...)
	diags = append(diags, check(spec, len(spec.Groups) == len(ld.decls.order["group"]))...)
	diags = limitDiagnostics(diags)
	sortDiagnostics(diags)
	redactDiagnostics(diags)
	return spec, capDiagnostics(diags)
}

// parse parses a source once its pre-scan found it within the limits.
func (ld *load) parse(src Source) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(src.Name, ".json") {
		if diags := prescanJSON(src.Src, src.Name); diags.HasErrors() {
			return nil, diags
		}
		return ld.parser.ParseJSON(src.Src, src.Name)
	}
	if diags := prescanHCL(src.Src, src.Name, hcl.InitialPos, lexConfig); diags.HasErrors() {
		return nil, diags
	}
	return ld.parser.ParseHCL(src.Src, src.Name)
}

// evalContext is the context for expressions in a file: var, local and the
// functions, with file() relative to the file's directory.
func (ld *load) evalContext(filename string, varObj, localObj cty.Value) *hcl.EvalContext {
	dir := filepath.Dir(filename)
	if ld.fns == nil {
		ld.fns = map[string]map[string]function.Function{}
	}
	if ld.fns[dir] == nil {
		ld.fns[dir] = ld.functions(dir)
		bound(ld.fns[dir], ld.budget)
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": varObj, "local": localObj},
		Functions: ld.fns[dir],
	}
}

// PluginSchema implements schema.Resolver.
func (ld *load) PluginSchema(kind, name string, rng hcl.Range) (*schema.Block, hcl.Diagnostics) {
	if s, ok := ld.opts.Schemas.Schema(kind, name); ok {
		return s, nil
	}
	if u, ok := ld.opts.Schemas.(interface{ Unavailable(kind, name string) error }); ok {
		if err := u.Unavailable(kind, name); err != nil {
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Unavailable %s plugin", kind),
				Detail:   fmt.Sprintf("The %s plugin %q is installed but could not be used: %v", kind, name, err),
				Subject:  rng.Ptr(),
			}}
		}
	}
	known := ld.opts.Schemas.Names(kind)
	sort.Strings(known)
	detail := fmt.Sprintf("There is no %s plugin named %q.", kind, name)
	if c := schema.Closest(name, known); c != "" {
		detail += fmt.Sprintf(" Did you mean %q?", c)
	}
	if len(known) > 0 {
		detail += fmt.Sprintf(" Known %s plugins: %s.", kind, strings.Join(known, ", "))
	}
	return nil, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Unknown %s plugin", kind),
		Detail:   detail,
		Subject:  rng.Ptr(),
	}}
}

// Ref implements schema.Resolver.
func (ld *load) Ref(kind string, expr hcl.Expression) (string, hcl.Diagnostics) {
	return ld.decls.Ref(kind, expr)
}

// decode decodes one block's body against a schema in the block's file.
func (ld *load) decode(blk *hcl.Block, s *schema.Block) (*schema.Result, hcl.Diagnostics) {
	d := &schema.Decoder{Ctx: ld.evalContext(blk.DefRange.Filename, ld.varObj, ld.local), Resolver: ld, CheckValue: checkValueAt}
	return d.Decode(blk.Body, s)
}

// sortDiagnostics orders diagnostics by file and position, keeping the
// order of those without a position.
func sortDiagnostics(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}

func sourceBytes(srcs []Source) int {
	n := 0
	for _, s := range srcs {
		n += len(s.Src)
	}
	return n
}

// hookContext evaluates what has no variables or functions (variable
// defaults, var files, -var values) with the evaluation hooks alone.
func (ld *load) hookContext() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: hookFunctions(ld.budget)}
}

// checkValueAt checks a value computed at rng against the size limits.
func checkValueAt(v cty.Value, rng hcl.Range) hcl.Diagnostics {
	var s valueSize
	if err := s.walk(v, math.MaxInt64); err != nil {
		return limitDiag(rng, err)
	}
	return nil
}

// capDiagnostics keeps the first MaxDiagnostics: a for expression can
// report the same mistake once per element.
func capDiagnostics(diags hcl.Diagnostics) hcl.Diagnostics {
	if len(diags) <= MaxDiagnostics {
		return diags
	}
	more := diags[MaxDiagnostics]
	return append(diags[:MaxDiagnostics:MaxDiagnostics], &hcl.Diagnostic{
		Severity: more.Severity,
		Summary:  "Too many diagnostics",
		Detail:   fmt.Sprintf("%d more diagnostics are not shown, the first of them: %s", len(diags)-MaxDiagnostics, more.Summary),
		Subject:  more.Subject,
	})
}
