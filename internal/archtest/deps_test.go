package archtest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDependencies checks every rule against the module's packages as
// they are.
func TestDependencies(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if err := readDirs(root); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	pkgs, err := goList(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	found, stale := check(rules, pkgs)
	for _, v := range found {
		t.Error(v)
	}
	for _, err := range stale {
		t.Error(err)
	}
	t.Logf("%d rules checked on %d packages", len(rules), len(pkgs))
}

// TestCheck shows that the checker, and each rule of the table, catches
// what it must on made-up packages, and lets the rest be.
func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		rules []rule
		pkgs  []pkg
		want  []string // "pkg -> import (rule)"
		stale int
	}{
		{
			name:  "a forbidden import",
			rules: []rule{{name: "r", pkgs: []string{"a/..."}, forbidden: []string{"b/..."}}},
			pkgs:  []pkg{{path: "a/x", imports: []string{"c", "b/y"}}, {path: "b/y"}, {path: "c"}},
			want:  []string{"a/x -> b/y (r)"},
		},
		{
			name:  "an allowed import is not forbidden",
			rules: []rule{{name: "r", pkgs: []string{"a"}, forbidden: all, allowed: []string{"c"}}},
			pkgs:  []pkg{{path: "a", imports: []string{"c", "d"}}},
			want:  []string{"a -> d (r)"},
		},
		{
			name:  "an excepted package is not governed",
			rules: []rule{{name: "r", pkgs: all, except: []string{"cmd/..."}, forbidden: []string{"cmd/..."}}},
			pkgs:  []pkg{{path: "cmd/x", imports: []string{"cmd/y"}}, {path: "cmd/y"}, {path: "a", imports: []string{"cmd/y"}}},
			want:  []string{"a -> cmd/y (r)"},
		},
		{
			name:  "test imports count only for rules about tests",
			rules: []rule{{name: "own", pkgs: all, forbidden: []string{"b"}}, {name: "tests", pkgs: all, forbidden: []string{"c"}, tests: true}},
			pkgs:  []pkg{{path: "a", tests: []string{"b", "c"}}, {path: "d", imports: []string{"c"}, tests: []string{"c"}}},
			want:  []string{"a -> c (tests)", "d -> c (tests)"},
		},
		{
			name:  "a rule that governs no package is stale",
			rules: []rule{{name: "r", pkgs: []string{"gone/..."}, forbidden: all}},
			pkgs:  []pkg{{path: "a", imports: []string{"b"}}},
			stale: 1,
		},
		{
			name:  "the rules accept a tree that keeps them",
			rules: rules,
			pkgs: []pkg{
				{path: "cmd/drover", imports: []string{"controller/daemon", "controller/api", "plugins", "specs", "group"}},
				{path: "resource"}, {path: "spierr"}, {path: "schema"},
				{path: "reconcile", imports: []string{"resource"}, tests: []string{"reconcile/clocktest"}},
				{path: "specs", imports: []string{"schema"}, tests: []string{"plugins"}},
				{path: "instance", imports: []string{"spierr"}}, {path: "flavor", imports: []string{"instance"}},
				{path: "instance/docker", imports: []string{"instance", "schema", "spierr"}, tests: []string{"instance/docker/dockertest", "instance/instancetest"}},
				{path: "instance/docker/dockertest", imports: []string{"instance", "internal/await"}},
				{path: "plugins/grpc", imports: []string{"instance", "flavor", "schema"}, tests: []string{"instance/docker", "internal/syncbuf"}},
				{path: "group", imports: []string{"instance", "flavor", "reconcile", "resource", "specs"}, tests: []string{"controller/intents", "plugins"}},
				{path: "service", imports: []string{"instance", "reconcile", "specs"}, tests: []string{"plugins", "instance/docker/dockertest"}},
				{path: "controller/api", imports: []string{"resource", "specs"}},
				{path: "controller/events", imports: []string{"resource"}},
				{path: "autoscale", imports: []string{"resource", "specs"}}, {path: "autoscale/placement"},
				{path: "metric", imports: []string{"autoscale", "instance", "resource", "schema"}, tests: []string{"instance/digitalocean", "metric/prometheustest"}},
				{path: "controller/gitsource", tests: []string{"controller/gitsource/gittest"}}, {path: "controller/webhook"},
			},
		},
		{
			name:  "the rules catch the imports the issue names",
			rules: rules,
			pkgs: []pkg{
				{path: "group", imports: []string{"controller/runner"}},
				{path: "service/x", imports: []string{"plugins"}},
				{path: "specs", imports: []string{"instance/docker"}},
				{path: "plugins", tests: []string{"cmd/drover"}},
				{path: "schema", imports: []string{"spierr"}},
				{path: "reconcile", imports: []string{"group"}},
				{path: "flavor", imports: []string{"flavor/swarm"}},
				{path: "instance/digitalocean", imports: []string{"controller/metrics"}},
				{path: "plugins/grpc", imports: []string{"instance/fake"}},
				{path: "controller/api", imports: []string{"controller/daemon"}},
				{path: "autoscale", imports: []string{"metric"}},
				{path: "metric", imports: []string{"flavor/swarm"}},
				{path: "controller/runner", imports: []string{"reconcile/clocktest", "internal/syncbuf"}},
				{path: "service", imports: []string{"group"}},
				{path: "group/x", imports: []string{"instance/docker"}},
				{path: "controller/events", imports: []string{"service"}},
				{path: "controller/webhook", imports: []string{"controller/daemon"}},
			},
			want: []string{
				"controller/webhook -> controller/daemon (git and webhooks are transport)",
				"group -> controller/runner (kinds know no runner nor provider)",
				"service/x -> plugins (kinds know no runner nor provider)",
				"specs -> instance/docker (specs knows no provider)",
				"plugins -> cmd/drover (cmd is imported by nobody)",
				"schema -> spierr (the vocabulary is a leaf)",
				"reconcile -> group (reconcile knows no kind)",
				"flavor -> flavor/swarm (the SPIs know no implementation)",
				"instance/digitalocean -> controller/metrics (providers know no controller)",
				"plugins/grpc -> instance/fake (the transport knows no provider)",
				"controller/api -> controller/daemon (the API is the wire)",
				"controller/runner -> reconcile/clocktest (test support only in tests)",
				"controller/runner -> internal/syncbuf (test support only in tests)",
				"service -> group (service knows no other kind)",
				"group/x -> instance/docker (kinds know no runner nor provider)",
				"controller/events -> service (the plumbing knows no kind)",
				"autoscale -> metric (the autoscaling decision is pure)",
				"metric -> flavor/swarm (metrics know no controller nor provider)",
			},
			stale: -1, // the made-up tree lacks packages some rules govern
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			found, stale := check(c.rules, c.pkgs)
			var got []string
			for _, v := range found {
				got = append(got, v.pkg+" -> "+v.imp+" ("+v.rule.name+")")
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(got, want) {
				t.Errorf("violations:\n got %q\nwant %q", got, want)
			}
			if c.stale >= 0 && len(stale) != c.stale {
				t.Errorf("stale rules: got %v, want %d", stale, c.stale)
			}
		})
	}
}

// TestViolationMessage checks that a failure names the importer, the
// forbidden import and the rule's reason.
func TestViolationMessage(t *testing.T) {
	r := rule{name: "kinds know no runner nor provider", reason: "they get plugins as interfaces"}
	msg := violation{pkg: "group", imp: "controller/runner", rule: &r}.String()
	for _, want := range []string{"group imports controller/runner", `"kinds know no runner nor provider"`, "they get plugins as interfaces"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, pkg string
		want         bool
	}{
		{"...", "a/b", true},
		{"group", "group", true},
		{"group", "group/x", false},
		{"group/...", "group", true},
		{"group/...", "group/x/y", true},
		{"group/...", "groups", false},
		{".../*test", "instance/docker/dockertest", true},
		{".../*test", "reconcile/clocktest", true},
		{".../*test", "testing/x", false},
		{"internal/await", "internal/awaitx", false},
		{"instance/*", "instance/fake", true},
		{"instance/*", "instance/docker/engine", false},
	}
	for _, c := range cases {
		t.Run(c.pattern+" "+c.pkg, func(t *testing.T) {
			if got := match(c.pattern, c.pkg); got != c.want {
				t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.pkg, got, c.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	const out = `{"ImportPath": "example.com/m/a", "Module": {"Path": "example.com/m"},
		"Imports": ["fmt", "example.com/m/b", "example.com/mx/c"],
		"TestImports": ["example.com/m/t"], "XTestImports": ["example.com/m/a", "testing"]}
	{"ImportPath": "example.com/m", "Module": {"Path": "example.com/m"}}`
	pkgs, err := decode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := []pkg{{path: "a", imports: []string{"b"}, tests: []string{"t", "a"}}, {path: "."}}
	if !slices.EqualFunc(pkgs, want, func(a, b pkg) bool {
		return a.path == b.path && slices.Equal(a.imports, b.imports) && slices.Equal(a.tests, b.tests)
	}) {
		t.Errorf("decode = %+v, want %+v", pkgs, want)
	}
}
