package schema_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

func parseExpr(t *testing.T, src string) hcl.Expression {
	t.Helper()
	e, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, diags.Error())
	}
	return e
}

func TestCheckTraversals(t *testing.T) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"var":   cty.ObjectVal(map[string]cty.Value{"workers": cty.NumberIntVal(2), "image": cty.StringVal("nginx")}),
		"local": cty.EmptyObjectVal,
		"swarm": cty.ObjectVal(map[string]cty.Value{"prod": cty.StringVal("prod")}),
		"list":  cty.TupleVal([]cty.Value{cty.NumberIntVal(1)}),
		"dyn":   cty.DynamicVal,
	}}
	tests := []struct {
		name      string
		expr      string
		wantCount int
		want      []string // substrings of the one diagnostic's summary and detail
	}{
		{"typo", "var.wrokers", 1, []string{"Reference to undeclared variable", "There is no var.wrokers.", "Did you mean var.workers?"}},
		{"typo in expression", "var.imgae == \"x\" ? 1 : var.workers", 1, []string{"Did you mean var.image?"}},
		{"no close name", "var.zzzzzzzzz", 1, []string{"There is no var.zzzzzzzzz."}},
		{"empty object", "local.x", 1, []string{"Reference to undeclared local", `Nothing is declared under "local".`}},
		{"other root", "swarm.prd", 1, []string{"Reference to undeclared swarm", "Did you mean swarm.prod?"}},
		{"two typos", "\"${var.wrokers}${var.imag}\"", 2, nil},
		{"existing", "var.workers", 0, nil},
		{"existing nested step", "var.image.x", 0, nil},
		{"index step", "var[\"nope\"]", 0, nil},
		{"root alone", "var", 0, nil},
		{"root not in context", "nope.x", 0, nil},
		{"non-object root", "list.x", 0, nil},
		{"dynamic root", "dyn.x", 0, nil},
		{"literal", "42", 0, nil},
		{"for expression locals", "[for v in [1] : v]", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := schema.CheckTraversals(parseExpr(t, tt.expr), ctx)
			if len(diags) != tt.wantCount {
				t.Fatalf("CheckTraversals(%s) = %q, want %d diagnostics", tt.expr, diagStrings(diags), tt.wantCount)
			}
			if tt.wantCount == 1 {
				wantError(t, diags, tt.want...)
				if diags[0].Subject == nil || diags[0].Subject.Start.Line != 1 {
					t.Errorf("diagnostic subject = %v, want the traversal", diags[0].Subject)
				}
			}
		})
	}
}

func TestCheckTraversalsSubject(t *testing.T) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{"workers": cty.NumberIntVal(2)})}}
	diags := schema.CheckTraversals(parseExpr(t, "1 + var.wrokers"), ctx)
	if len(diags) != 1 {
		t.Fatalf("got %q, want one diagnostic", diagStrings(diags))
	}
	if s := diags[0].Subject; s.Start.Column != 5 || s.End.Column != 16 {
		t.Errorf("subject = %v, want columns 5-16", s)
	}
}

func TestCheckTraversalsNilContext(t *testing.T) {
	if diags := schema.CheckTraversals(parseExpr(t, "var.x"), nil); len(diags) != 0 {
		t.Errorf("CheckTraversals with a nil context = %q, want nothing", diagStrings(diags))
	}
}

func TestClosest(t *testing.T) {
	candidates := []string{"replicated", "global", "image", "workers", "timeout"}
	tests := []struct {
		in, want string
	}{
		{"replcated", "replicated"},
		{"replicatd", "replicated"},
		{"globl", "global"},
		{"imag", "image"},
		{"imgae", "image"},
		{"wrokers", "workers"},
		{"timeout", "timeout"},
		{"Image", "image"},
		{"timeouts", "timeout"},
		{"banana", ""},
		{"zzzzzzz", ""},
		{"replica", ""},
		{"globalization", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := schema.Closest(tt.in, candidates); got != tt.want {
				t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := schema.Closest("x", nil); got != "" {
		t.Errorf("Closest(x, nil) = %q, want \"\"", got)
	}
	// Ties go to the first candidate; a closer later one wins.
	if got := schema.Closest("cat", []string{"bat", "hat"}); got != "bat" {
		t.Errorf("Closest(cat, [bat hat]) = %q, want \"bat\"", got)
	}
	if got := schema.Closest("cat", []string{"cart", "cat"}); got != "cat" {
		t.Errorf("Closest(cat, [cart cat]) = %q, want \"cat\"", got)
	}
}

func TestSuggest(t *testing.T) {
	if got, want := schema.Suggest("globl", []string{"replicated", "global"}), ` (did you mean "global"?)`; got != want {
		t.Errorf("Suggest(globl) = %q, want %q", got, want)
	}
	if got := schema.Suggest("banana", []string{"replicated", "global"}); got != "" {
		t.Errorf("Suggest(banana) = %q, want \"\"", got)
	}
	if got := schema.Suggest("x", nil); got != "" {
		t.Errorf("Suggest(x, nil) = %q, want \"\"", got)
	}
	if got := schema.Suggest(`a"b`, []string{`a"c`}); !strings.Contains(got, `"a\"c"`) {
		t.Errorf("Suggest quotes its candidate: got %q", got)
	}
}
