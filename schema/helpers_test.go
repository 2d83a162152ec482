package schema_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// fakeResolver resolves references of the form KIND.NAME to NAME when NAME is
// declared under KIND, and plugin schemas from a map.
type fakeResolver struct {
	names   map[string][]string                 // kind -> declared names
	plugins map[string]map[string]*schema.Block // kind -> plugin name -> schema
}

func newResolver() *fakeResolver {
	return &fakeResolver{
		names: map[string][]string{"swarm": {"prod", "staging", "dev"}},
		plugins: map[string]map[string]*schema.Block{
			"instance": {"docker": dockerSchema()},
			"volume":   {"local": {Attributes: []schema.Attribute{{Name: "path", Type: schema.String, Required: true}}}},
		},
	}
}

func (r *fakeResolver) Ref(kind string, expr hcl.Expression) (string, hcl.Diagnostics) {
	rng := expr.Range()
	bad := func(detail string) (string, hcl.Diagnostics) {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid reference",
			Detail:   detail,
			Subject:  &rng,
		}}
	}
	trav, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(trav) != 2 || trav.RootName() != kind {
		return bad(fmt.Sprintf("A reference to a %s, such as %s.NAME, is required here.", kind, kind))
	}
	step, ok := trav[1].(hcl.TraverseAttr)
	if !ok {
		return bad(fmt.Sprintf("A reference to a %s, such as %s.NAME, is required here.", kind, kind))
	}
	for _, n := range r.names[kind] {
		if n == step.Name {
			return n, nil
		}
	}
	return bad(fmt.Sprintf("There is no %s named %q.%s", kind, step.Name, schema.Suggest(step.Name, r.names[kind])))
}

func (r *fakeResolver) PluginSchema(kind, name string, rng hcl.Range) (*schema.Block, hcl.Diagnostics) {
	if s, ok := r.plugins[kind][name]; ok {
		return s, nil
	}
	return nil, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  fmt.Sprintf("Unknown %s plugin", kind),
		Detail:   fmt.Sprintf("There is no %s plugin named %q.", kind, name),
		Subject:  rng.Ptr(),
	}}
}

// dockerSchema is the properties schema of the fake "docker" instance plugin.
func dockerSchema() *schema.Block {
	return &schema.Block{
		Attributes: []schema.Attribute{
			{Name: "image", Type: schema.String, Required: true},
			{Name: "cpus", Type: schema.Number, Default: 1.0, Min: schema.Ptr(0)},
			{Name: "env", Type: schema.MapOf(schema.String)},
			{Name: "password", Type: schema.String, Sensitive: true},
		},
		Blocks: []schema.Block{
			{Type: "mount", Repeated: true, Attributes: []schema.Attribute{
				{Name: "source", Type: schema.String, Required: true},
				{Name: "target", Type: schema.String, Required: true},
			}},
		},
	}
}

// richSchema exercises every kind and block flavour; it is also the schema
// FuzzDecode decodes against.
func richSchema() *schema.Block {
	return &schema.Block{
		Attributes: []schema.Attribute{
			{Name: "image", Type: schema.String},
			{Name: "replicas", Type: schema.Int, Default: 1, Min: schema.Ptr(0), Max: schema.Ptr(100)},
			{Name: "ratio", Type: schema.Number},
			{Name: "enabled", Type: schema.Bool, Default: true},
			{Name: "timeout", Type: schema.Duration, Default: "30s", Min: schema.Ptr(1)},
			{Name: "memory", Type: schema.Size, Default: "64MiB", Max: schema.Ptr(1 << 40)},
			{Name: "ports", Type: schema.ListOf(schema.Int)},
			{Name: "delays", Type: schema.ListOf(schema.Duration)},
			{Name: "env", Type: schema.MapOf(schema.String)},
			{Name: "limits", Type: schema.MapOf(schema.Size)},
			{Name: "mode", Type: schema.String, OneOf: []string{"replicated", "global"}, Default: "replicated"},
			{Name: "token", Type: schema.String, Sensitive: true},
			{Name: "swarm", Type: schema.RefTo("swarm")},
			{Name: "swarms", Type: schema.ListOf(schema.RefTo("swarm"))},
			{Name: "tags", Type: schema.ListOf(schema.String), Default: []string{"a", "b"}},
			{Name: "labels", Type: schema.MapOf(schema.String), Default: map[string]string{"team": "core"}},
		},
		Blocks: []schema.Block{
			{Type: "health", Implicit: true, Attributes: []schema.Attribute{
				{Name: "interval", Type: schema.Duration, Default: "10s"},
				{Name: "grace", Type: schema.Duration, Default: "0s"},
				{Name: "retries", Type: schema.Int, Default: 3},
			}},
			{Type: "update", Attributes: []schema.Attribute{
				{Name: "parallelism", Type: schema.Int, Required: true},
			}},
			{Type: "metric", Repeated: true, Labels: []string{"name"}, Attributes: []schema.Attribute{
				{Name: "target", Type: schema.Number, Required: true},
				{Name: "window", Type: schema.Duration},
			}},
			{Type: "instance", Plugin: "instance", Labels: []string{"plugin"}, Attributes: []schema.Attribute{
				{Name: "count", Type: schema.Int, Default: 1},
			}},
			{Type: "volume", Plugin: "volume", Repeated: true, Labels: []string{"driver", "name"}},
		},
	}
}

// parse parses src as an HCL config and fails the test on syntax errors.
func parse(t *testing.T, src string) hcl.Body {
	t.Helper()
	f, diags := hclsyntax.ParseConfig([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, diags.Error())
	}
	return f.Body
}

// decodeWith decodes src against b with ctx and the fake resolver.
func decodeWith(t *testing.T, src string, b *schema.Block, ctx *hcl.EvalContext) (*schema.Result, hcl.Diagnostics) {
	t.Helper()
	d := &schema.Decoder{Ctx: ctx, Resolver: newResolver()}
	res, diags := d.Decode(parse(t, src), b)
	if res == nil {
		t.Fatalf("Decode returned a nil result")
	}
	return res, diags
}

// decode decodes src against b with an empty context.
func decode(t *testing.T, src string, b *schema.Block) (*schema.Result, hcl.Diagnostics) {
	t.Helper()
	return decodeWith(t, src, b, &hcl.EvalContext{})
}

// mustDecode decodes src and fails the test on any diagnostic.
func mustDecode(t *testing.T, src string, b *schema.Block, ctx *hcl.EvalContext) *schema.Result {
	t.Helper()
	res, diags := decodeWith(t, src, b, ctx)
	if len(diags) > 0 {
		t.Fatalf("decode %q: unexpected diagnostics: %s", src, diags.Error())
	}
	return res
}

// wantError fails unless diags holds an error whose summary or detail
// contains every one of subs.
func wantError(t *testing.T, diags hcl.Diagnostics, subs ...string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		text := d.Summary + ": " + d.Detail
		all := true
		for _, s := range subs {
			if !strings.Contains(text, s) {
				all = false
				break
			}
		}
		if all {
			return
		}
	}
	t.Errorf("got diagnostics %q, want an error containing %q", diagStrings(diags), subs)
}

func diagStrings(diags hcl.Diagnostics) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = d.Summary + ": " + d.Detail
	}
	return out
}

// attr returns the value at the attribute path names in v.
func attr(t *testing.T, v cty.Value, names ...string) cty.Value {
	t.Helper()
	for _, n := range names {
		if v.IsNull() || !v.Type().IsObjectType() || !v.Type().HasAttribute(n) {
			t.Fatalf("no attribute %q in %#v", n, v)
		}
		v = v.GetAttr(n)
	}
	return v
}

// wantValue fails unless got and want are the same value of the same type.
func wantValue(t *testing.T, what string, got, want cty.Value) {
	t.Helper()
	if !got.RawEquals(want) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

// pathStrings renders paths sorted, for comparisons.
func pathStrings(ps []cty.Path) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = schema.PathString(p)
	}
	sort.Strings(out)
	return out
}
