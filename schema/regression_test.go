package schema_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// Regressions for bugs the unit tests found; each case failed before its fix.

func TestParseSizeExact(t *testing.T) {
	for in, want := range map[string]int64{"1.005KB": 1005, "1.015KB": 1015, "9007199254740993": 9007199254740993, "8388607TiB": 8388607 << 40} {
		if got, err := schema.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"8388608TiB", "9223372036854775808", "99999999999999999999"} {
		if got, err := schema.ParseSize(in); err == nil || !strings.Contains(err.Error(), "too large") {
			t.Errorf("ParseSize(%q) = %d, %v; want too large", in, got, err)
		}
	}
}

func TestNumbersOutOfRange(t *testing.T) {
	b := &schema.Block{Attributes: []schema.Attribute{
		{Name: "n", Type: schema.Number, Min: schema.Ptr(0)},
		{Name: "i", Type: schema.Int},
		{Name: "s", Type: schema.Size},
	}}
	for _, src := range []string{`n = 1/0`, `n = "Inf"`, `n = 1e1000000`, `i = 1e30`, `s = 1e30`, `s = 1e1000000`, `i = 1/0`} {
		t.Run(src, func(t *testing.T) {
			_, diags := decode(t, src, b)
			if !diags.HasErrors() {
				t.Errorf("%s was accepted", src)
			}
		})
	}
}

// A sensitive value inside a map is redacted at the map's index, once,
// and the path applies to the decoded value.
func TestSensitivePathInMap(t *testing.T) {
	b := &schema.Block{Attributes: []schema.Attribute{
		{Name: "env", Type: schema.MapOf(schema.String)},
		{Name: "password", Type: schema.String, Sensitive: true},
	}}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
		"secret": schema.MarkSensitive(cty.StringVal("s3cret")),
	})}}
	res := mustDecode(t, "env = { A = \"x\", B = var.secret }\npassword = var.secret\n", b, ctx)
	got := pathStrings(res.Sensitive)
	if strings.Join(got, " ") != `env["B"] password` && strings.Join(got, " ") != `password env["B"]` {
		t.Fatalf("sensitive paths %q, want env[\"B\"] and password once each", got)
	}
	for _, p := range res.Sensitive {
		if _, err := p.Apply(res.Value); err != nil {
			t.Errorf("path %s does not apply to the decoded value: %v", schema.PathString(p), err)
		}
	}
}

func TestValidateRefusesBadBounds(t *testing.T) {
	cases := map[string]schema.Attribute{
		"NaN default":  {Name: "x", Type: schema.Number, Default: math.NaN()},
		"NaN min":      {Name: "x", Type: schema.Number, Min: schema.Ptr(math.NaN())},
		"min over max": {Name: "x", Type: schema.Int, Min: schema.Ptr(3), Max: schema.Ptr(1)},
		"one_of int":   {Name: "x", Type: schema.Int, OneOf: []string{"1"}},
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			b := &schema.Block{Attributes: []schema.Attribute{a}}
			if err := b.Validate(); err == nil {
				t.Error("Validate accepted it")
			}
		})
	}
	bad := &schema.Block{Labels: []string{"Bad-Label"}}
	if err := bad.Validate(); err == nil {
		t.Error("Validate accepted a label that is not an identifier")
	}
}

func TestRequiredNotNull(t *testing.T) {
	b := &schema.Block{Attributes: []schema.Attribute{{Name: "image", Type: schema.String, Required: true}}}
	_, diags := decode(t, `image = null`, b)
	wantError(t, diags, "must not be null")
}

// A plugin may not declare an attribute that the enclosing block keeps
// for itself: the plugin would never see it.
func TestPluginReservedAttribute(t *testing.T) {
	r := newResolver()
	clash := &schema.Block{Attributes: []schema.Attribute{{Name: "provider", Type: schema.String}}}
	r.plugins["instance"]["clash"] = clash
	outer := &schema.Block{Blocks: []schema.Block{{
		Type: "instance", Labels: []string{"plugin"}, Plugin: "instance",
		Attributes: []schema.Attribute{{Name: "provider", Type: schema.String}},
	}}}
	d := &schema.Decoder{Ctx: &hcl.EvalContext{}, Resolver: r}
	_, diags := d.Decode(parse(t, `instance "clash" { provider = "x" }`), outer)
	wantError(t, diags, "reserved attribute")
}
