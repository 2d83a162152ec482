package schema_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

func TestToJSON(t *testing.T) {
	tests := []struct {
		name string
		in   cty.Value
		want string
	}{
		{"string", cty.StringVal("a\"b"), `"a\"b"`},
		{"true", cty.True, `true`},
		{"false", cty.False, `false`},
		{"int", cty.NumberIntVal(42), `42`},
		{"negative", cty.NumberIntVal(-7), `-7`},
		{"large int", cty.NumberIntVal(300000000000), `300000000000`},
		{"max int64", cty.NumberIntVal(9223372036854775807), `9223372036854775807`},
		{"fraction", cty.NumberFloatVal(0.75), `0.75`},
		{"parsed decimal", cty.MustParseNumberVal("0.1"), `0.1`},
		{"parsed big", cty.MustParseNumberVal("1e21"), `1000000000000000000000`},
		{"null", cty.NullVal(cty.String), `null`},
		{"unknown", cty.UnknownVal(cty.String), `null`},
		{"list", cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), `["a","b"]`},
		{"empty list", cty.ListValEmpty(cty.String), `[]`},
		{"tuple", cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1), cty.True}), `["a",1,true]`},
		{"empty tuple", cty.EmptyTupleVal, `[]`},
		{"set", cty.SetVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), `["a","b"]`},
		{"map", cty.MapVal(map[string]cty.Value{"b": cty.NumberIntVal(2), "a": cty.NumberIntVal(1)}), `{"a":1,"b":2}`},
		{"empty map", cty.MapValEmpty(cty.String), `{}`},
		{"object omits nulls", cty.ObjectVal(map[string]cty.Value{
			"a": cty.StringVal("x"),
			"b": cty.NullVal(cty.String),
			"c": cty.NullVal(cty.List(cty.Number)),
			"d": cty.NullVal(cty.EmptyObject),
		}), `{"a":"x"}`},
		{"nested", cty.ObjectVal(map[string]cty.Value{
			"metric": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
				"target": cty.NumberFloatVal(0.5),
				"window": cty.NullVal(cty.Number),
			})}),
			"env": cty.MapVal(map[string]cty.Value{"HOME": cty.StringVal("/root")}),
		}), `{"env":{"HOME":"/root"},"metric":[{"target":0.5}]}`},
		{"null in list kept", cty.TupleVal([]cty.Value{cty.NullVal(cty.String), cty.StringVal("a")}), `[null,"a"]`},
		{"empty object", cty.EmptyObjectVal, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := schema.ToJSON(tt.in)
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("json.Marshal(ToJSON(%#v)) = %v", tt.in, err)
			}
			if string(b) != tt.want {
				t.Errorf("ToJSON(%#v) marshals to %s, want %s", tt.in, b, tt.want)
			}
		})
	}
}

func TestToJSONNumberTypes(t *testing.T) {
	got := schema.ToJSON(cty.NumberIntVal(300000000000))
	n, ok := got.(json.Number)
	if !ok {
		t.Fatalf("ToJSON(300000000000) = %#v (%T), want a json.Number", got, got)
	}
	if string(n) != "300000000000" {
		t.Errorf("ToJSON(300000000000) = %q, want \"300000000000\" (no exponent)", n)
	}
	if i, err := n.Int64(); err != nil || i != 300000000000 {
		t.Errorf("json.Number(%q).Int64() = %d, %v; want 300000000000", n, i, err)
	}
	if got := schema.ToJSON(cty.ListValEmpty(cty.String)); got == nil {
		t.Errorf("ToJSON(empty list) = nil, want an empty slice")
	}
	if got := schema.ToJSON(cty.MapValEmpty(cty.String)); got == nil {
		t.Errorf("ToJSON(empty map) = nil, want an empty map")
	}
	obj := schema.ToJSON(cty.ObjectVal(map[string]cty.Value{"x": cty.NullVal(cty.String)})).(map[string]any)
	if _, ok := obj["x"]; ok {
		t.Errorf("ToJSON kept the null attribute x: %#v", obj)
	}
}

func TestRedact(t *testing.T) {
	tree := func() any {
		return map[string]any{
			"token": "s3cr3t",
			"image": "nginx",
			"ports": []any{json.Number("80"), json.Number("443")},
			"env":   map[string]any{"HOME": "/root", "KEY": "k"},
			"metric": []any{
				map[string]any{"name": "cpu", "auth": map[string]any{"pass": "p"}},
			},
			"nothing": nil,
		}
	}
	tests := []struct {
		name  string
		paths []cty.Path
		want  func(m map[string]any)
	}{
		{"none", nil, func(m map[string]any) {}},
		{"attribute", []cty.Path{cty.GetAttrPath("token")}, func(m map[string]any) { m["token"] = schema.Redacted }},
		{"list element", []cty.Path{cty.GetAttrPath("ports").IndexInt(1)}, func(m map[string]any) {
			m["ports"].([]any)[1] = schema.Redacted
		}},
		{"whole list", []cty.Path{cty.GetAttrPath("ports")}, func(m map[string]any) { m["ports"] = schema.Redacted }},
		{"map key by index", []cty.Path{cty.GetAttrPath("env").IndexString("KEY")}, func(m map[string]any) {
			m["env"].(map[string]any)["KEY"] = schema.Redacted
		}},
		{"map key by attr", []cty.Path{cty.GetAttrPath("env").GetAttr("KEY")}, func(m map[string]any) {
			m["env"].(map[string]any)["KEY"] = schema.Redacted
		}},
		{"deep", []cty.Path{cty.GetAttrPath("metric").IndexInt(0).GetAttr("auth").GetAttr("pass")}, func(m map[string]any) {
			m["metric"].([]any)[0].(map[string]any)["auth"].(map[string]any)["pass"] = schema.Redacted
		}},
		{"several", []cty.Path{cty.GetAttrPath("token"), cty.GetAttrPath("image")}, func(m map[string]any) {
			m["token"], m["image"] = schema.Redacted, schema.Redacted
		}},
		{"null stays null", []cty.Path{cty.GetAttrPath("nothing")}, func(m map[string]any) {}},
		{"missing attribute ignored", []cty.Path{cty.GetAttrPath("absent"), cty.GetAttrPath("env").GetAttr("NOPE")}, func(m map[string]any) {}},
		{"index out of range ignored", []cty.Path{cty.GetAttrPath("ports").IndexInt(5), cty.GetAttrPath("ports").IndexInt(-1)}, func(m map[string]any) {}},
		{"wrong step kinds ignored", []cty.Path{
			cty.GetAttrPath("ports").GetAttr("x"),
			cty.GetAttrPath("env").IndexInt(0),
			cty.GetAttrPath("ports").IndexString("0"),
			cty.GetAttrPath("image").GetAttr("x"),
		}, func(m map[string]any) {}},
		{"duplicate paths", []cty.Path{cty.GetAttrPath("token"), cty.GetAttrPath("token")}, func(m map[string]any) { m["token"] = schema.Redacted }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tree()
			got := schema.Redact(in, tt.paths)
			if !reflect.DeepEqual(in, tree()) {
				t.Errorf("Redact modified its input: %#v", in)
			}
			want := tree().(map[string]any)
			tt.want(want)
			if !reflect.DeepEqual(got, any(want)) {
				t.Errorf("Redact(%q):\ngot  %#v\nwant %#v", pathStrings(tt.paths), got, want)
			}
		})
	}
}

func TestRedactRootAndScalars(t *testing.T) {
	if got := schema.Redact("secret", []cty.Path{{}}); got != schema.Redacted {
		t.Errorf("Redact(root) = %#v, want %q", got, schema.Redacted)
	}
	if got := schema.Redact(nil, []cty.Path{{}}); got != nil {
		t.Errorf("Redact(nil root) = %#v, want nil", got)
	}
	if got := schema.Redact("plain", nil); got != "plain" {
		t.Errorf("Redact(no paths) = %#v, want \"plain\"", got)
	}
	// With paths, the result shares nothing with the input, not even the
	// parts that were not redacted.
	in := map[string]any{"a": []any{"x"}, "m": map[string]any{"k": "v"}, "s": "secret"}
	out := schema.Redact(in, []cty.Path{cty.GetAttrPath("s")}).(map[string]any)
	out["a"].([]any)[0] = "changed"
	out["m"].(map[string]any)["k"] = "changed"
	if in["a"].([]any)[0] != "x" || in["m"].(map[string]any)["k"] != "v" || in["s"] != "secret" {
		t.Errorf("Redact's result aliases its input: %#v", in)
	}
	// Without paths it documents returning the tree itself.
	same := map[string]any{"k": "v"}
	schema.Redact(same, nil).(map[string]any)["k"] = "w"
	if same["k"] != "w" {
		t.Errorf("Redact(tree, nil) returned a copy, want the tree itself")
	}
}

func TestTrimPaths(t *testing.T) {
	paths := []cty.Path{
		cty.GetAttrPath("token"),
		cty.GetAttrPath("instance").GetAttr("properties").GetAttr("password"),
		cty.GetAttrPath("instance").GetAttr("properties").GetAttr("env").IndexString("KEY"),
		cty.GetAttrPath("instance").GetAttr("count"),
		cty.GetAttrPath("instance").GetAttr("properties"),
		cty.GetAttrPath("metric").IndexInt(1).GetAttr("properties").GetAttr("key"),
	}
	tests := []struct {
		name   string
		prefix cty.Path
		want   []string
	}{
		{"plugin properties", cty.GetAttrPath("instance").GetAttr("properties"), []string{"", "env[\"KEY\"]", "password"}},
		{"indexed", cty.GetAttrPath("metric").IndexInt(1), []string{"properties.key"}},
		{"other index", cty.GetAttrPath("metric").IndexInt(0), []string{}},
		{"empty prefix", nil, []string{"instance.count", "instance.properties", "instance.properties.env[\"KEY\"]", "instance.properties.password", "metric[1].properties.key", "token"}},
		{"no match", cty.GetAttrPath("nope"), []string{}},
		{"longer than paths", cty.GetAttrPath("token").GetAttr("x"), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := schema.TrimPaths(paths, tt.prefix)
			if gs := pathStrings(got); !reflect.DeepEqual(gs, tt.want) {
				t.Errorf("TrimPaths(%s) = %q, want %q", schema.PathString(tt.prefix), gs, tt.want)
			}
		})
	}
	// The result is a copy.
	got := schema.TrimPaths(paths, cty.GetAttrPath("instance"))
	got[0][0] = cty.GetAttrStep{Name: "changed"}
	if schema.PathString(paths[1]) != "instance.properties.password" {
		t.Errorf("TrimPaths' result aliases its input: %s", schema.PathString(paths[1]))
	}
}

func TestPathString(t *testing.T) {
	tests := []struct {
		path cty.Path
		want string
	}{
		{nil, ""},
		{cty.GetAttrPath("image"), "image"},
		{cty.GetAttrPath("autoscale").GetAttr("min"), "autoscale.min"},
		{cty.GetAttrPath("metric").IndexInt(0).GetAttr("target"), "metric[0].target"},
		{cty.GetAttrPath("env").IndexString("HOME"), `env["HOME"]`},
		{cty.GetAttrPath("env").IndexString(`a"b`), `env["a\"b"]`},
		{cty.GetAttrPath("ports").IndexInt(12), "ports[12]"},
		{cty.IndexIntPath(3), "[3]"},
		{cty.IndexIntPath(3).GetAttr("x"), "[3].x"},
		{cty.GetAttrPath("a").IndexInt(0).IndexInt(1), "a[0][1]"},
		{cty.GetAttrPath("instance").GetAttr("properties").GetAttr("image"), "instance.properties.image"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := schema.PathString(tt.path); got != tt.want {
				t.Errorf("PathString(%#v) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestSortPaths(t *testing.T) {
	ps := []cty.Path{
		cty.GetAttrPath("token"),
		cty.GetAttrPath("env").IndexString("B"),
		cty.GetAttrPath("metric").IndexInt(1),
		cty.GetAttrPath("env").IndexString("A"),
		cty.GetAttrPath("metric").IndexInt(0),
	}
	schema.SortPaths(ps)
	var got []string
	for _, p := range ps {
		got = append(got, schema.PathString(p))
	}
	want := []string{`env["A"]`, `env["B"]`, "metric[0]", "metric[1]", "token"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SortPaths = %q, want %q", got, want)
	}
}
