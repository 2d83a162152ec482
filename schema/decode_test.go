package schema_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

func ctyInt(n int64) cty.Value { return cty.NumberIntVal(n) }

func ctyStrings(ss ...string) cty.Value {
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return cty.ListVal(vs)
}

func oneAttr(a schema.Attribute) *schema.Block {
	a.Name = "x"
	return &schema.Block{Attributes: []schema.Attribute{a}}
}

func TestDecodeKinds(t *testing.T) {
	tests := []struct {
		name string
		typ  schema.Type
		expr string
		want cty.Value
	}{
		{"string", schema.String, `"hello"`, cty.StringVal("hello")},
		{"string from number", schema.String, `5`, cty.StringVal("5")},
		{"string from bool", schema.String, `true`, cty.StringVal("true")},
		{"string template", schema.String, `"a-${1 + 1}"`, cty.StringVal("a-2")},
		{"number", schema.Number, `1.5`, cty.NumberFloatVal(1.5)},
		{"number from string", schema.Number, `"42"`, ctyInt(42)},
		{"number arithmetic", schema.Number, `2 * 3`, ctyInt(6)},
		{"int", schema.Int, `3`, ctyInt(3)},
		{"int negative", schema.Int, `-3`, ctyInt(-3)},
		{"int from string", schema.Int, `"7"`, ctyInt(7)},
		{"int written as 2.0", schema.Int, `2.0`, ctyInt(2)},
		{"bool", schema.Bool, `false`, cty.False},
		{"bool from string", schema.Bool, `"true"`, cty.True},
		{"duration", schema.Duration, `"30s"`, ctyInt(int64(30 * time.Second))},
		{"duration 1h30m", schema.Duration, `"1h30m"`, ctyInt(int64(90 * time.Minute))},
		{"duration zero", schema.Duration, `"0"`, ctyInt(0)},
		{"duration zero as number", schema.Duration, `0`, ctyInt(0)},
		{"size from string", schema.Size, `"64MiB"`, ctyInt(64 << 20)},
		{"size decimal", schema.Size, `"1GB"`, ctyInt(1e9)},
		{"size from number", schema.Size, `1024`, ctyInt(1024)},
		{"size from numeric string", schema.Size, `"1024"`, ctyInt(1024)},
		{"list(string) from tuple", schema.ListOf(schema.String), `["a", 1, true]`, ctyStrings("a", "1", "true")},
		{"list(string) empty", schema.ListOf(schema.String), `[]`, cty.ListValEmpty(cty.String)},
		{"list(int)", schema.ListOf(schema.Int), `[80, 443]`, cty.ListVal([]cty.Value{ctyInt(80), ctyInt(443)})},
		{"list(duration)", schema.ListOf(schema.Duration), `["1s", "2m"]`, cty.ListVal([]cty.Value{ctyInt(int64(time.Second)), ctyInt(int64(2 * time.Minute))})},
		{"list(size) mixed", schema.ListOf(schema.Size), `["1KiB", 10]`, cty.ListVal([]cty.Value{ctyInt(1024), ctyInt(10)})},
		{"list from for expression", schema.ListOf(schema.Int), `[for i in [1, 2] : i * 10]`, cty.ListVal([]cty.Value{ctyInt(10), ctyInt(20)})},
		{"map(string) from object", schema.MapOf(schema.String), `{ a = "x", b = 2 }`, cty.MapVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.StringVal("2")})},
		{"map(string) quoted keys", schema.MapOf(schema.String), `{ "HOME" = "/root" }`, cty.MapVal(map[string]cty.Value{"HOME": cty.StringVal("/root")})},
		{"map(string) empty", schema.MapOf(schema.String), `{}`, cty.MapValEmpty(cty.String)},
		{"map(duration)", schema.MapOf(schema.Duration), `{ fast = "1s" }`, cty.MapVal(map[string]cty.Value{"fast": ctyInt(int64(time.Second))})},
		{"map(bool)", schema.MapOf(schema.Bool), `{ a = true, b = "false" }`, cty.MapVal(map[string]cty.Value{"a": cty.True, "b": cty.False})},
		{"ref", schema.RefTo("swarm"), `swarm.prod`, cty.StringVal("prod")},
		{"list(ref)", schema.ListOf(schema.RefTo("swarm")), `[swarm.prod, swarm.dev]`, ctyStrings("prod", "dev")},
		{"list(ref) empty", schema.ListOf(schema.RefTo("swarm")), `[]`, cty.ListValEmpty(cty.String)},
		{"null string", schema.String, `null`, cty.NullVal(cty.String)},
		{"null list", schema.ListOf(schema.Int), `null`, cty.NullVal(cty.List(cty.Number))},
		{"null duration", schema.Duration, `null`, cty.NullVal(cty.Number)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustDecode(t, "x = "+tt.expr+"\n", oneAttr(schema.Attribute{Type: tt.typ}), &hcl.EvalContext{})
			wantValue(t, "x = "+tt.expr, attr(t, res.Value, "x"), tt.want)
			if res.Incomplete {
				t.Errorf("Incomplete = true, want false")
			}
		})
	}
}

func TestDecodeKindErrors(t *testing.T) {
	tests := []struct {
		name    string
		a       schema.Attribute
		expr    string
		wantErr []string
	}{
		{"int rejects 1.5", schema.Attribute{Type: schema.Int}, `1.5`, []string{`Invalid value for "x"`, "a whole number", "1.5 is not a whole number"}},
		{"int rejects word", schema.Attribute{Type: schema.Int}, `"many"`, []string{"a whole number"}},
		{"number rejects list", schema.Attribute{Type: schema.Number}, `[1]`, []string{"must be a number"}},
		{"bool rejects number", schema.Attribute{Type: schema.Bool}, `1`, []string{"true or false"}},
		{"string rejects list", schema.Attribute{Type: schema.String}, `["a"]`, []string{"must be a string"}},
		{"duration rejects bare number", schema.Attribute{Type: schema.Duration}, `30`, []string{"is not a duration"}},
		{"duration rejects words", schema.Attribute{Type: schema.Duration}, `"5 minutes"`, []string{"is not a duration"}},
		{"duration rejects negative", schema.Attribute{Type: schema.Duration}, `"-1s"`, []string{"negative"}},
		{"duration rejects list", schema.Attribute{Type: schema.Duration}, `["1s"]`, []string{"write it as a string with a unit"}},
		{"size rejects docker unit", schema.Attribute{Type: schema.Size}, `"64m"`, []string{"64MiB"}},
		{"size rejects fraction", schema.Attribute{Type: schema.Size}, `1.5`, []string{"1.5 is not a whole number"}},
		{"size rejects negative", schema.Attribute{Type: schema.Size}, `-1`, []string{"zero or more"}},
		{"size rejects object", schema.Attribute{Type: schema.Size}, `{}`, []string{"64MiB"}},
		{"list rejects string", schema.Attribute{Type: schema.ListOf(schema.String)}, `"a"`, []string{"a list is required, not a string"}},
		{"list rejects null element", schema.Attribute{Type: schema.ListOf(schema.String)}, `["a", null]`, []string{"element 1 is null"}},
		{"list rejects bad element", schema.Attribute{Type: schema.ListOf(schema.Int)}, `[1, 2.5]`, []string{"element 1", "2.5 is not a whole number"}},
		{"map rejects list", schema.Attribute{Type: schema.MapOf(schema.String)}, `["a"]`, []string{"a map is required"}},
		{"map rejects null value", schema.Attribute{Type: schema.MapOf(schema.String)}, `{ a = null }`, []string{`the value of "a" is null`}},
		{"map rejects bad value", schema.Attribute{Type: schema.MapOf(schema.Duration)}, `{ a = "soon" }`, []string{`key "a"`, "is not a duration"}},
		{"one of", schema.Attribute{Type: schema.String, OneOf: []string{"replicated", "global"}}, `"replcated"`, []string{`"replcated" is not one of "replicated", "global"`, `did you mean "replicated"?`}},
		{"one of without suggestion", schema.Attribute{Type: schema.String, OneOf: []string{"replicated", "global"}}, `"zzzzzzzz"`, []string{"is not one of"}},
		{"int min", schema.Attribute{Type: schema.Int, Min: schema.Ptr(1)}, `0`, []string{"it is 0, less than the minimum of 1"}},
		{"int max", schema.Attribute{Type: schema.Int, Max: schema.Ptr(10)}, `11`, []string{"it is 11, more than the maximum of 10"}},
		{"number min", schema.Attribute{Type: schema.Number, Min: schema.Ptr(0.5)}, `0.25`, []string{"less than the minimum of 0.5"}},
		{"duration min in seconds", schema.Attribute{Type: schema.Duration, Min: schema.Ptr(1)}, `"500ms"`, []string{"it is 0.5 seconds, less than the minimum of 1 seconds"}},
		{"duration max in seconds", schema.Attribute{Type: schema.Duration, Max: schema.Ptr(60)}, `"2m"`, []string{"it is 120 seconds, more than the maximum of 60 seconds"}},
		{"size max in bytes", schema.Attribute{Type: schema.Size, Max: schema.Ptr(1024)}, `"2KiB"`, []string{"it is 2048, more than the maximum of 1024"}},
		{"size min from number", schema.Attribute{Type: schema.Size, Min: schema.Ptr(4096)}, `100`, []string{"less than the minimum of 4096"}},
		{"ref undeclared", schema.Attribute{Type: schema.RefTo("swarm")}, `swarm.prd`, []string{`no swarm named "prd"`, `did you mean "prod"?`}},
		{"ref wrong kind", schema.Attribute{Type: schema.RefTo("swarm")}, `network.prod`, []string{"swarm.NAME"}},
		{"ref string", schema.Attribute{Type: schema.RefTo("swarm")}, `"prod"`, []string{"swarm.NAME"}},
		{"list(ref) not a list", schema.Attribute{Type: schema.ListOf(schema.RefTo("swarm"))}, `swarm.prod`, []string{"must be a list of references, such as [swarm.NAME]"}},
		{"list(ref) bad element", schema.Attribute{Type: schema.ListOf(schema.RefTo("swarm"))}, `[swarm.prod, swarm.nope]`, []string{`no swarm named "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := decode(t, "x = "+tt.expr+"\n", oneAttr(tt.a))
			if !diags.HasErrors() {
				t.Fatalf("x = %s: got no error, value %#v; want an error containing %q", tt.expr, res.Value, tt.wantErr)
			}
			wantError(t, diags, tt.wantErr...)
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic %q has no subject", d.Summary)
				}
			}
			if got := attr(t, res.Value, "x"); !got.IsNull() {
				t.Errorf("x after an error = %#v, want null", got)
			}
		})
	}
}

// Errors in several attributes are all reported at once.
func TestDecodeReportsAllErrors(t *testing.T) {
	b := &schema.Block{Attributes: []schema.Attribute{
		{Name: "a", Type: schema.Int},
		{Name: "b", Type: schema.Duration},
		{Name: "c", Type: schema.Bool},
	}}
	_, diags := decode(t, "a = 1.5\nb = \"x\"\nc = \"maybe\"\n", b)
	if got := len(diags.Errs()); got != 3 {
		t.Errorf("got %d errors %q, want 3", got, diagStrings(diags))
	}
}

func TestDecodeMinMaxInclusive(t *testing.T) {
	b := oneAttr(schema.Attribute{Type: schema.Int, Min: schema.Ptr(1), Max: schema.Ptr(10)})
	for _, v := range []string{"1", "5", "10"} {
		res := mustDecode(t, "x = "+v, b, nil)
		if got := attr(t, res.Value, "x"); got.IsNull() {
			t.Errorf("x = %s: got null, want %s", v, v)
		}
	}
	d := oneAttr(schema.Attribute{Type: schema.Duration, Min: schema.Ptr(1), Max: schema.Ptr(60)})
	for _, v := range []string{`"1s"`, `"1m"`, `"1000ms"`} {
		mustDecode(t, "x = "+v, d, nil)
	}
}

func TestDecodeDefaults(t *testing.T) {
	res := mustDecode(t, `image = "nginx"`, richSchema(), nil)
	want := map[string]cty.Value{
		"image":    cty.StringVal("nginx"),
		"replicas": ctyInt(1),
		"ratio":    cty.NullVal(cty.Number),
		"enabled":  cty.True,
		"timeout":  ctyInt(int64(30 * time.Second)),
		"memory":   ctyInt(64 << 20),
		"ports":    cty.NullVal(cty.List(cty.Number)),
		"delays":   cty.NullVal(cty.List(cty.Number)),
		"env":      cty.NullVal(cty.Map(cty.String)),
		"limits":   cty.NullVal(cty.Map(cty.Number)),
		"mode":     cty.StringVal("replicated"),
		"token":    cty.NullVal(cty.String),
		"swarm":    cty.NullVal(cty.String),
		"swarms":   cty.NullVal(cty.List(cty.String)),
		"tags":     ctyStrings("a", "b"),
		"labels":   cty.MapVal(map[string]cty.Value{"team": cty.StringVal("core")}),
	}
	for name, w := range want {
		wantValue(t, name, attr(t, res.Value, name), w)
	}
	if len(res.Sensitive) != 0 {
		t.Errorf("Sensitive = %q, want none (the token is absent)", pathStrings(res.Sensitive))
	}
}

func TestDecodeRequiredAttribute(t *testing.T) {
	b := &schema.Block{Attributes: []schema.Attribute{
		{Name: "image", Type: schema.String, Required: true},
		{Name: "replicas", Type: schema.Int},
	}}
	_, diags := decode(t, "replicas = 2\n", b)
	wantError(t, diags, "Missing required argument", `"image"`)
}

func TestDecodeUnknownArgument(t *testing.T) {
	_, diags := decode(t, "imag = \"nginx\"\n", richSchema())
	wantError(t, diags, "Unsupported argument", `Did you mean "image"?`)
}

func TestDecodeUnknownBlock(t *testing.T) {
	_, diags := decode(t, "helth {}\n", richSchema())
	wantError(t, diags, "Unsupported block type", `Did you mean "health"?`)
}

func TestDecodeDuplicateSingleBlock(t *testing.T) {
	src := "update {\n  parallelism = 1\n}\nupdate {\n  parallelism = 2\n}\n"
	res, diags := decode(t, src, richSchema())
	wantError(t, diags, "Duplicate update block", "test.hcl:1")
	if len(diags) != 1 {
		t.Errorf("got diagnostics %q, want exactly one", diagStrings(diags))
	}
	if d := diags[0]; d.Subject == nil || d.Subject.Start.Line != 4 {
		t.Errorf("duplicate diagnostic subject = %v, want line 4", d.Subject)
	}
	wantValue(t, "update.parallelism (the first block)", attr(t, res.Value, "update", "parallelism"), ctyInt(1))
}

func TestDecodeRequiredBlock(t *testing.T) {
	b := &schema.Block{Blocks: []schema.Block{
		{Type: "network", Required: true, Description: "the network settings.", Attributes: []schema.Attribute{{Name: "name", Type: schema.String}}},
		{Type: "port", Required: true, Repeated: true, Attributes: []schema.Attribute{{Name: "n", Type: schema.Int}}},
	}}
	res, diags := decode(t, "\n", b)
	wantError(t, diags, "Missing network block", `A "network" block is required here. It holds the network settings.`)
	wantError(t, diags, "Missing port block")
	if len(diags) != 2 {
		t.Errorf("got diagnostics %q, want two", diagStrings(diags))
	}
	if !attr(t, res.Value, "network").IsNull() || !attr(t, res.Value, "port").IsNull() {
		t.Errorf("absent required blocks = %#v, want nulls", res.Value)
	}
	mustDecode(t, "network {}\nport {}\n", b, nil)
}

func TestDecodeImplicitBlock(t *testing.T) {
	res := mustDecode(t, "", richSchema(), nil)
	health := attr(t, res.Value, "health")
	if health.IsNull() {
		t.Fatalf("absent implicit health = null, want its defaults")
	}
	wantValue(t, "health.interval", attr(t, health, "interval"), ctyInt(int64(10*time.Second)))
	wantValue(t, "health.grace", attr(t, health, "grace"), ctyInt(0))
	wantValue(t, "health.retries", attr(t, health, "retries"), ctyInt(3))
	if _, ok := res.Ranges["health"]; ok {
		t.Errorf("Ranges has an entry for the absent health block: %v", res.Ranges["health"])
	}

	// Written, it still applies defaults to what is absent.
	res = mustDecode(t, "health {\n  retries = 5\n}\n", richSchema(), nil)
	wantValue(t, "health.retries", attr(t, res.Value, "health", "retries"), ctyInt(5))
	wantValue(t, "health.interval", attr(t, res.Value, "health", "interval"), ctyInt(int64(10*time.Second)))
}

func TestDecodeAbsentBlocks(t *testing.T) {
	res := mustDecode(t, "", richSchema(), nil)
	for _, name := range []string{"update", "metric", "instance", "volume"} {
		if v := attr(t, res.Value, name); !v.IsNull() {
			t.Errorf("absent %s = %#v, want null", name, v)
		}
	}
	// An implicit plugin block cannot be made up: it stays null.
	b := &schema.Block{Blocks: []schema.Block{{Type: "instance", Plugin: "instance", Implicit: true, Labels: []string{"plugin"}}}}
	res = mustDecode(t, "", b, nil)
	if v := attr(t, res.Value, "instance"); !v.IsNull() {
		t.Errorf("absent implicit plugin block = %#v, want null", v)
	}
}

func TestDecodeRepeatedBlocks(t *testing.T) {
	src := `
metric "cpu" {
  target = 0.5
}
metric "mem" {
  target = 0.8
  window = "1m"
}
metric "cpu" {
  target = 0.9
}
`
	res := mustDecode(t, src, richSchema(), nil)
	metrics := attr(t, res.Value, "metric")
	if !metrics.Type().IsTupleType() {
		t.Fatalf("metric type = %s, want a tuple", metrics.Type().FriendlyName())
	}
	if got := metrics.LengthInt(); got != 3 {
		t.Fatalf("len(metric) = %d, want 3", got)
	}
	want := []struct {
		name   string
		target float64
		window cty.Value
	}{
		{"cpu", 0.5, cty.NullVal(cty.Number)},
		{"mem", 0.8, ctyInt(int64(time.Minute))},
		{"cpu", 0.9, cty.NullVal(cty.Number)},
	}
	for i, w := range want {
		m := metrics.Index(cty.NumberIntVal(int64(i)))
		wantValue(t, "label name", attr(t, m, "name"), cty.StringVal(w.name))
		if got := attr(t, m, "target"); !got.Equals(cty.NumberFloatVal(w.target)).True() {
			t.Errorf("metric[%d].target = %#v, want %v", i, got, w.target)
		}
		wantValue(t, "window", attr(t, m, "window"), w.window)
	}
}

func TestDecodeRepeatedBlockErrors(t *testing.T) {
	_, diags := decode(t, "metric \"cpu\" {}\nmetric {\n  target = 1\n}\n", richSchema())
	wantError(t, diags, "Missing required argument", `"target"`)
	wantError(t, diags, "Missing name for metric")
}

func TestDecodeLabels(t *testing.T) {
	res := mustDecode(t, "volume \"local\" \"data\" {\n  path = \"/srv\"\n}\n", richSchema(), nil)
	v := attr(t, res.Value, "volume").Index(cty.NumberIntVal(0))
	wantValue(t, "driver", attr(t, v, "driver"), cty.StringVal("local"))
	wantValue(t, "name", attr(t, v, "name"), cty.StringVal("data"))
	wantValue(t, "properties.path", attr(t, v, "properties", "path"), cty.StringVal("/srv"))

	b := &schema.Block{Blocks: []schema.Block{{Type: "swarm", Labels: []string{"name"}, Attributes: []schema.Attribute{{Name: "size", Type: schema.Int}}}}}
	res = mustDecode(t, "swarm \"prod\" {\n  size = 3\n}\n", b, nil)
	wantValue(t, "swarm.name", attr(t, res.Value, "swarm", "name"), cty.StringVal("prod"))
	wantValue(t, "swarm.size", attr(t, res.Value, "swarm", "size"), ctyInt(3))
}

func TestDecodePluginBlock(t *testing.T) {
	src := `
instance "docker" {
  count = 2
  image = "busybox"
  env = { A = "1" }
  mount {
    source = "/a"
    target = "/b"
  }
}
`
	res := mustDecode(t, src, richSchema(), nil)
	inst := attr(t, res.Value, "instance")
	wantValue(t, "instance.plugin", attr(t, inst, "plugin"), cty.StringVal("docker"))
	wantValue(t, "instance.count", attr(t, inst, "count"), ctyInt(2))
	props := attr(t, inst, "properties")
	if props.Type().HasAttribute("count") {
		t.Errorf("properties has the wrapper attribute count: %#v", props)
	}
	wantValue(t, "properties.image", attr(t, props, "image"), cty.StringVal("busybox"))
	wantValue(t, "properties.cpus (default)", attr(t, props, "cpus"), cty.NumberFloatVal(1))
	wantValue(t, "properties.env", attr(t, props, "env"), cty.MapVal(map[string]cty.Value{"A": cty.StringVal("1")}))
	wantValue(t, "properties.password", attr(t, props, "password"), cty.NullVal(cty.String))
	wantValue(t, "properties.mount[0].target", attr(t, attr(t, props, "mount").Index(cty.NumberIntVal(0)), "target"), cty.StringVal("/b"))

	// The wrapper's defaults apply too.
	res = mustDecode(t, "instance \"docker\" {\n  image = \"x\"\n}\n", richSchema(), nil)
	wantValue(t, "instance.count (default)", attr(t, res.Value, "instance", "count"), ctyInt(1))
}

func TestDecodePluginBlockErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr []string
	}{
		{"property error", "instance \"docker\" {\n  image = \"x\"\n  cpus = -1\n}\n", []string{"less than the minimum of 0"}},
		{"missing property", "instance \"docker\" {\n  count = 1\n}\n", []string{"Missing required argument", `"image"`}},
		{"unknown property", "instance \"docker\" {\n  image = \"x\"\n  imagee = \"y\"\n}\n", []string{"Unsupported argument", `"imagee"`}},
		{"wrapper error", "instance \"docker\" {\n  image = \"x\"\n  count = 1.5\n}\n", []string{`"count"`, "not a whole number"}},
		{"missing label", "instance {\n  image = \"x\"\n}\n", []string{"Missing plugin for instance"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := decode(t, tt.src, richSchema())
			wantError(t, diags, tt.wantErr...)
		})
	}
}

func TestDecodeUnknownPlugin(t *testing.T) {
	src := `
instance "podman" {
  count = 2
  image = "busybox"
  anything = 1
  whatever {
    x = 1
  }
}
`
	res, diags := decode(t, src, richSchema())
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics %q, want exactly one", len(diags), diagStrings(diags))
	}
	wantError(t, diags, "Unknown instance plugin", `"podman"`)
	if s := diags[0].Subject; s == nil || s.Start.Line != 2 || s.Start.Column != 10 {
		t.Errorf("diagnostic subject = %v, want the label at 2:10", s)
	}
	inst := attr(t, res.Value, "instance")
	wantValue(t, "instance.count", attr(t, inst, "count"), ctyInt(2))
	wantValue(t, "instance.properties", attr(t, inst, "properties"), cty.EmptyObjectVal)
}

func TestDecodeUnknownValues(t *testing.T) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"var":   cty.DynamicVal,
		"local": cty.ObjectVal(map[string]cty.Value{"port": cty.UnknownVal(cty.Number), "name": cty.StringVal("x")}),
	}}
	tests := []struct {
		name string
		src  string
	}{
		{"whole variable", "image = var.image\n"},
		{"template", "image = \"${var.image}:latest\"\n"},
		{"list element", "ports = [80, local.port]\n"},
		{"map value", "env = { A = var.a }\n"},
		{"nested block", "health {\n  grace = var.grace\n}\n"},
		{"plugin property", "instance \"docker\" {\n  image = var.image\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := decodeWith(t, tt.src, richSchema(), ctx)
			if len(diags) != 0 {
				t.Errorf("got diagnostics %q, want none", diagStrings(diags))
			}
			if !res.Incomplete {
				t.Errorf("Incomplete = false, want true")
			}
		})
	}
	res := mustDecode(t, "image = local.name\n", richSchema(), ctx)
	if res.Incomplete {
		t.Errorf("Incomplete = true for a known value, want false")
	}
}

func TestDecodeEvalErrors(t *testing.T) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{
		"var": cty.ObjectVal(map[string]cty.Value{"workers": ctyInt(2)}),
	}}
	tests := []struct {
		name    string
		src     string
		wantErr []string
	}{
		{"typo in variable", "replicas = var.wrokers\n", []string{"Reference to undeclared variable", "Did you mean var.workers?"}},
		{"unknown root", "replicas = nope.x\n", []string{"Unknown variable"}},
		{"no functions", "image = upper(\"x\")\n", []string{"Function calls not allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := decodeWith(t, tt.src, richSchema(), ctx)
			wantError(t, diags, tt.wantErr...)
			if res.Incomplete {
				t.Errorf("Incomplete = true for an error that is reported, want false")
			}
		})
	}
	res := mustDecode(t, "replicas = var.workers * 2\n", richSchema(), ctx)
	wantValue(t, "replicas", attr(t, res.Value, "replicas"), ctyInt(4))
}

// The canonical form of a duration does not depend on how it is written.
func TestDecodeDurationCanonical(t *testing.T) {
	b := oneAttr(schema.Attribute{Type: schema.Duration})
	a := mustDecode(t, `x = "5m"`, b, nil)
	c := mustDecode(t, `x = "300s"`, b, nil)
	if !attr(t, a.Value, "x").RawEquals(attr(t, c.Value, "x")) {
		t.Errorf(`"5m" decoded to %#v and "300s" to %#v, want the same value`, attr(t, a.Value, "x"), attr(t, c.Value, "x"))
	}
}

func TestDecodeRichSchema(t *testing.T) {
	src := `
image    = "nginx:1.27"
replicas = 3
ratio    = 0.75
enabled  = false
timeout  = "2m"
memory   = "512MiB"
ports    = [80, 443]
delays   = ["1s", "500ms"]
env      = { HOME = "/root" }
limits   = { cpu = 1024, mem = "1GiB" }
mode     = "global"
token    = "s3cr3t"
swarm    = swarm.prod
swarms   = [swarm.dev, swarm.staging]

health {
  interval = "5s"
}
update {
  parallelism = 2
}
metric "cpu" {
  target = 0.5
}
instance "docker" {
  image = "busybox"
}
volume "local" "data" {
  path = "/srv/data"
}
`
	res := mustDecode(t, src, richSchema(), nil)
	got := schema.ToJSON(res.Value)
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	want := `{"delays":[1000000000,500000000],"enabled":false,"env":{"HOME":"/root"},` +
		`"health":{"grace":0,"interval":5000000000,"retries":3},"image":"nginx:1.27",` +
		`"instance":{"count":1,"plugin":"docker","properties":{"cpus":1,"image":"busybox"}},` +
		`"labels":{"team":"core"},"limits":{"cpu":1024,"mem":1073741824},` +
		`"memory":536870912,"metric":[{"name":"cpu","target":0.5}],"mode":"global",` +
		`"ports":[80,443],"ratio":0.75,"replicas":3,"swarm":"prod","swarms":["dev","staging"],` +
		`"tags":["a","b"],"timeout":120000000000,"token":"s3cr3t","update":{"parallelism":2},` +
		`"volume":[{"driver":"local","name":"data","properties":{"path":"/srv/data"}}]}`
	if string(b) != want {
		t.Errorf("ToJSON(decoded):\ngot  %s\nwant %s", b, want)
	}
	if got := strings.Join(pathStrings(res.Sensitive), ","); got != "token" {
		t.Errorf("Sensitive = %q, want token", got)
	}
}
