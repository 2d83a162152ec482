package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/drover/drover/schema"
)

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		b    *schema.Block
	}{
		{"rich", richSchema()},
		{"docker plugin", dockerSchema()},
		{"empty", &schema.Block{}},
		{"defaults of every kind", &schema.Block{Attributes: []schema.Attribute{
			{Name: "s", Type: schema.String, Default: "x"},
			{Name: "s_from_int", Type: schema.String, Default: 5},
			{Name: "n", Type: schema.Number, Default: 1.5},
			{Name: "n_int64", Type: schema.Number, Default: int64(7)},
			{Name: "i", Type: schema.Int, Default: 3},
			{Name: "i_float", Type: schema.Int, Default: 3.0},
			{Name: "b", Type: schema.Bool, Default: false},
			{Name: "d", Type: schema.Duration, Default: "1h30m"},
			{Name: "d_zero", Type: schema.Duration, Default: "0"},
			{Name: "sz", Type: schema.Size, Default: "1GiB"},
			{Name: "sz_num", Type: schema.Size, Default: 4096},
			{Name: "l", Type: schema.ListOf(schema.String), Default: []string{"a"}},
			{Name: "l_any", Type: schema.ListOf(schema.Duration), Default: []any{"1s", "2m"}},
			{Name: "l_empty", Type: schema.ListOf(schema.Int), Default: []any{}},
			{Name: "m", Type: schema.MapOf(schema.String), Default: map[string]string{"a": "b"}},
			{Name: "m_any", Type: schema.MapOf(schema.Size), Default: map[string]any{"a": "1KiB", "b": 10}},
			{Name: "m_empty", Type: schema.MapOf(schema.Bool), Default: map[string]any{}},
			{Name: "one_of", Type: schema.String, OneOf: []string{"a", "b"}, Default: "b"},
			{Name: "bounded", Type: schema.Int, Min: schema.Ptr(1), Max: schema.Ptr(10), Default: 10},
			{Name: "bounded_duration", Type: schema.Duration, Min: schema.Ptr(1), Default: "1s"},
			{Name: "ref", Type: schema.RefTo("swarm"), Required: true},
			{Name: "refs", Type: schema.ListOf(schema.RefTo("network"))},
			{Name: "with_digits_2", Type: schema.String},
		}}},
		{"plugin with label", &schema.Block{Blocks: []schema.Block{
			{Type: "flavor", Plugin: "flavor", Labels: []string{"plugin"}, Attributes: []schema.Attribute{{Name: "x", Type: schema.Int}}},
		}}},
		{"implicit with optional contents", &schema.Block{Blocks: []schema.Block{
			{Type: "health", Implicit: true, Attributes: []schema.Attribute{{Name: "x", Type: schema.Int, Default: 1}},
				Blocks: []schema.Block{{Type: "check", Repeated: true, Attributes: []schema.Attribute{{Name: "cmd", Type: schema.String, Required: true}}}}},
		}}},
		{"same name in different blocks", &schema.Block{
			Attributes: []schema.Attribute{{Name: "name", Type: schema.String}},
			Blocks:     []schema.Block{{Type: "inner", Attributes: []schema.Attribute{{Name: "name", Type: schema.String}}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.b.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestValidateRejects(t *testing.T) {
	attrs := func(as ...schema.Attribute) *schema.Block { return &schema.Block{Type: "test", Attributes: as} }
	nested := func(bs ...schema.Block) *schema.Block { return &schema.Block{Type: "test", Blocks: bs} }
	tests := []struct {
		name    string
		b       *schema.Block
		wantErr string
	}{
		{"upper-case name", attrs(schema.Attribute{Name: "Image", Type: schema.String}), "not a lowercase identifier"},
		{"dash in name", attrs(schema.Attribute{Name: "max-size", Type: schema.String}), "not a lowercase identifier"},
		{"leading digit", attrs(schema.Attribute{Name: "1st", Type: schema.String}), "not a lowercase identifier"},
		{"leading underscore", attrs(schema.Attribute{Name: "_x", Type: schema.String}), "not a lowercase identifier"},
		{"empty name", attrs(schema.Attribute{Name: "", Type: schema.String}), "not a lowercase identifier"},
		{"duplicate attribute", attrs(
			schema.Attribute{Name: "image", Type: schema.String},
			schema.Attribute{Name: "image", Type: schema.Int},
		), "declared twice"},
		{"unknown kind", attrs(schema.Attribute{Name: "x", Type: schema.Type{Kind: "float"}}), "unknown type kind"},
		{"zero type", attrs(schema.Attribute{Name: "x"}), "unknown type kind"},
		{"list without elem", attrs(schema.Attribute{Name: "x", Type: schema.Type{Kind: schema.KindList}}), "without an element type"},
		{"map without elem", attrs(schema.Attribute{Name: "x", Type: schema.Type{Kind: schema.KindMap}}), "without an element type"},
		{"list of lists", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.ListOf(schema.String))}), "nested collections"},
		{"map of lists", attrs(schema.Attribute{Name: "x", Type: schema.MapOf(schema.ListOf(schema.String))}), "nested collections"},
		{"list of maps", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.MapOf(schema.String))}), "nested collections"},
		{"list of bad elem", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.Type{Kind: "nope"})}), "unknown type kind"},
		{"ref without kind", attrs(schema.Attribute{Name: "x", Type: schema.Type{Kind: schema.KindRef}}), "without a resource kind"},
		{"list of ref without kind", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.Type{Kind: schema.KindRef})}), "without a resource kind"},
		{"duration default not a duration", attrs(schema.Attribute{Name: "x", Type: schema.Duration, Default: "abc"}), "default"},
		{"duration default bare number", attrs(schema.Attribute{Name: "x", Type: schema.Duration, Default: 30}), "default"},
		{"duration default negative", attrs(schema.Attribute{Name: "x", Type: schema.Duration, Default: "-1s"}), "negative"},
		{"int default fractional", attrs(schema.Attribute{Name: "x", Type: schema.Int, Default: 1.5}), "not a whole number"},
		{"int default string", attrs(schema.Attribute{Name: "x", Type: schema.Int, Default: "many"}), "default"},
		{"bool default number", attrs(schema.Attribute{Name: "x", Type: schema.Bool, Default: 1}), "default"},
		{"size default docker unit", attrs(schema.Attribute{Name: "x", Type: schema.Size, Default: "64m"}), "MiB"},
		{"size default negative", attrs(schema.Attribute{Name: "x", Type: schema.Size, Default: -1}), "zero or more"},
		{"default not in OneOf", attrs(schema.Attribute{Name: "x", Type: schema.String, OneOf: []string{"a", "b"}, Default: "x"}), "not one of"},
		{"default below Min", attrs(schema.Attribute{Name: "x", Type: schema.Int, Min: schema.Ptr(1), Default: 0}), "less than the minimum"},
		{"default above Max", attrs(schema.Attribute{Name: "x", Type: schema.Number, Max: schema.Ptr(1), Default: 1.5}), "more than the maximum"},
		{"duration default below Min seconds", attrs(schema.Attribute{Name: "x", Type: schema.Duration, Min: schema.Ptr(1), Default: "500ms"}), "0.5 seconds"},
		{"unsupported Go type", attrs(schema.Attribute{Name: "x", Type: schema.Int, Default: int32(1)}), "Go type int32"},
		{"unsupported Go type in list", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.Int), Default: []any{uint(1)}}), "Go type uint"},
		{"list default with bad element", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.Duration), Default: []string{"1s", "soon"}}), "element 1"},
		{"map default with bad value", attrs(schema.Attribute{Name: "x", Type: schema.MapOf(schema.Int), Default: map[string]any{"a": "b"}}), `key "a"`},
		{"list default for a string", attrs(schema.Attribute{Name: "x", Type: schema.String, Default: []string{"a"}}), "default"},
		{"required with default", attrs(schema.Attribute{Name: "x", Type: schema.String, Required: true, Default: "a"}), "required and has a default"},
		{"ref with default", attrs(schema.Attribute{Name: "x", Type: schema.RefTo("swarm"), Default: "prod"}), "references cannot have defaults"},
		{"list of refs with default", attrs(schema.Attribute{Name: "x", Type: schema.ListOf(schema.RefTo("swarm")), Default: []string{"prod"}}), "references cannot have defaults"},
		{"bad block type", nested(schema.Block{Type: "Health"}), "not a lowercase identifier"},
		{"empty block type", nested(schema.Block{}), "not a lowercase identifier"},
		{"duplicate block", nested(schema.Block{Type: "health"}, schema.Block{Type: "health"}), "clashes"},
		{"block clashes with attribute", &schema.Block{
			Attributes: []schema.Attribute{{Name: "health", Type: schema.String}},
			Blocks:     []schema.Block{{Type: "health"}},
		}, "clashes"},
		{"block clashes with label", &schema.Block{
			Labels: []string{"name"},
			Blocks: []schema.Block{{Type: "name"}},
		}, "clashes"},
		{"label clashes with attribute", &schema.Block{
			Labels:     []string{"name"},
			Attributes: []schema.Attribute{{Name: "name", Type: schema.String}},
		}, "has the name of an attribute"},
		{"duplicate label", &schema.Block{Labels: []string{"name", "name"}}, `label "name"`},
		{"implicit with required attribute", nested(schema.Block{Type: "health", Implicit: true, Attributes: []schema.Attribute{
			{Name: "cmd", Type: schema.String, Required: true},
		}}), "implicit block"},
		{"implicit with required block", nested(schema.Block{Type: "health", Implicit: true, Blocks: []schema.Block{
			{Type: "check", Required: true},
		}}), "implicit block"},
		{"plugin without label", nested(schema.Block{Type: "instance", Plugin: "instance"}), "needs a label"},
		{"plugin with properties attribute", nested(schema.Block{Type: "instance", Plugin: "instance", Labels: []string{"plugin"},
			Attributes: []schema.Attribute{{Name: "properties", Type: schema.String}}}), "reserved"},
		{"plugin with properties label", nested(schema.Block{Type: "instance", Plugin: "instance", Labels: []string{"properties"}}), "reserved"},
		{"plugin with properties block", nested(schema.Block{Type: "instance", Plugin: "instance", Labels: []string{"plugin"},
			Blocks: []schema.Block{{Type: "properties"}}}), "reserved"},
		{"error deep inside", nested(schema.Block{Type: "a", Blocks: []schema.Block{{Type: "b", Attributes: []schema.Attribute{
			{Name: "x", Type: schema.Duration, Default: "soon"},
		}}}}), `block "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.b.Validate()
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// A schema sent by a plugin as JSON decodes numbers as float64 and lists as
// []any; such defaults must validate.
func TestValidateSchemaFromJSON(t *testing.T) {
	b, err := json.Marshal(richSchema())
	if err != nil {
		t.Fatal(err)
	}
	var got schema.Block
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate() of the JSON round trip = %v, want nil\nJSON: %s", err, b)
	}
	res := mustDecode(t, `image = "x"`, &got, nil)
	wantValue(t, "replicas", attr(t, res.Value, "replicas"), ctyInt(1))
	wantValue(t, "memory", attr(t, res.Value, "memory"), ctyInt(64<<20))
}

func TestLookups(t *testing.T) {
	b := richSchema()
	if a, ok := b.Attribute("timeout"); !ok || a.Name != "timeout" || a.Type.Kind != schema.KindDuration {
		t.Errorf("Attribute(timeout) = %+v, %v; want the timeout duration attribute", a, ok)
	}
	if a, ok := b.Attribute("nope"); ok || a != nil {
		t.Errorf("Attribute(nope) = %+v, %v; want nil, false", a, ok)
	}
	if nb, ok := b.NestedBlock("metric"); !ok || nb.Type != "metric" || !nb.Repeated {
		t.Errorf("NestedBlock(metric) = %+v, %v; want the repeated metric block", nb, ok)
	}
	if nb, ok := b.NestedBlock("image"); ok || nb != nil {
		t.Errorf("NestedBlock(image) = %+v, %v; want nil, false", nb, ok)
	}
}

func TestTypeStrings(t *testing.T) {
	tests := []struct {
		typ                schema.Type
		wantString, wantIs string
	}{
		{schema.String, "string", "a string"},
		{schema.Number, "number", "a number"},
		{schema.Int, "int", "a whole number"},
		{schema.Bool, "bool", "true or false"},
		{schema.Duration, "duration", `a duration such as "30s"`},
		{schema.Size, "size", `a size such as "64MiB"`},
		{schema.ListOf(schema.String), "list(string)", "a list of strings"},
		{schema.ListOf(schema.Bool), "list(bool)", "a list of bools"},
		{schema.MapOf(schema.Size), "map(size)", "a map of sizes"},
		{schema.ListOf(schema.RefTo("swarm")), "list(swarm reference)", "a list of swarm references"},
		{schema.RefTo("network"), "network reference", "a reference to a network (network.NAME)"},
		{schema.Type{Kind: schema.KindList}, "list(?)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.wantString, func(t *testing.T) {
			if got := tt.typ.String(); got != tt.wantString {
				t.Errorf("String() = %q, want %q", got, tt.wantString)
			}
			if tt.wantIs == "" {
				return
			}
			if got := tt.typ.Describe(); got != tt.wantIs {
				t.Errorf("Describe() = %q, want %q", got, tt.wantIs)
			}
		})
	}
}
