package schema_test

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// FuzzDecode decodes arbitrary HCL against the rich schema: whatever the
// input, decoding and rendering must not panic.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		"",
		`image = "nginx"`,
		"replicas = 3\ntimeout = \"2m\"\nmemory = \"512MiB\"\nports = [80, 443]\n",
		"env = { A = \"x\", B = var.secret }\nlimits = { a = \"1KiB\", b = 10 }\n",
		"mode = \"globl\"\nswarm = swarm.prod\nswarms = [swarm.dev, swarm.nope]\n",
		"health {\n  grace = \"5s\"\n}\nupdate {\n  parallelism = 1\n}\nupdate {}\n",
		"metric \"cpu\" {\n  target = 0.5\n  window = \"1m\"\n}\nmetric {}\n",
		"instance \"docker\" {\n  count = 2\n  image = var.image\n  password = var.secret\n  mount {\n    source = \"/a\"\n    target = \"/b\"\n  }\n}\n",
		"instance \"podman\" {\n  anything = 1\n}\nvolume \"local\" \"data\" {\n  path = \"/srv\"\n}\n",
		"ratio = var.unknown\ndelays = [\"1s\", var.dyn]\nreplicas = var.wrokers\n",
		"image = [for x in [1, 2] : x]\ntags = null\nlabels = {}\nenabled = \"maybe\"\n",
		"memory = -1\nmemory = 1.5\nreplicas = 1e3\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	b := richSchema()
	if err := b.Validate(); err != nil {
		f.Fatalf("the fuzz schema is invalid: %v", err)
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"var": cty.ObjectVal(map[string]cty.Value{
			"secret":  schema.MarkSensitive(cty.StringVal("hunter2")),
			"image":   cty.StringVal("busybox"),
			"workers": cty.NumberIntVal(2),
			"unknown": cty.UnknownVal(cty.Number),
			"dyn":     cty.DynamicVal,
			"list":    cty.TupleVal([]cty.Value{cty.StringVal("a"), schema.MarkSensitive(cty.NumberIntVal(1))}),
			"map":     cty.MapVal(map[string]cty.Value{"k": schema.MarkSensitive(cty.StringVal("v"))}),
		}),
		"local": cty.DynamicVal,
	}}
	f.Fuzz(func(t *testing.T, src string) {
		file, _ := hclsyntax.ParseConfig([]byte(src), "fuzz.hcl", hcl.InitialPos)
		if file == nil || file.Body == nil {
			return
		}
		d := &schema.Decoder{Ctx: ctx, Resolver: newResolver()}
		res, diags := d.Decode(file.Body, b)
		if res == nil {
			t.Fatal("Decode returned a nil result")
		}
		if !res.Value.Type().IsObjectType() || res.Value.IsNull() {
			t.Fatalf("Decode returned %#v, want an object", res.Value)
		}
		for _, diag := range diags {
			_ = diag.Error()
		}
		for _, p := range res.Sensitive {
			_ = schema.PathString(p)
		}
		if diags.HasErrors() || res.Incomplete || hugeNumber(res.Value) {
			return
		}
		tree := schema.ToJSON(res.Value)
		_ = schema.Redact(tree, res.Sensitive)
	})
}

// hugeNumber reports a number too large to render quickly: ToJSON writes
// every digit, and "1e9999999" has ten million of them.
func hugeNumber(v cty.Value) bool {
	huge := false
	_ = cty.Walk(v, func(_ cty.Path, v cty.Value) (bool, error) {
		if !v.IsNull() && v.IsKnown() && v.Type() == cty.Number {
			if f := v.AsBigFloat(); !f.IsInf() && (f.MantExp(nil) > 4096 || f.MantExp(nil) < -4096) {
				huge = true
			}
		}
		return !huge, nil
	})
	return huge
}
