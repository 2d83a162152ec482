package daemon

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// loadHCL loads src as the file name with the built-in plugins.
func loadHCL(t *testing.T, name, src string) *specs.Spec {
	t.Helper()
	l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.LoadSources(specs.Source{Name: name, Src: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dockerGroups(provider string, groups ...string) string {
	var b strings.Builder
	b.WriteString(provider + "\n")
	for _, g := range groups {
		b.WriteString(`group "` + g + `" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}
`)
	}
	return b.String()
}

func addrs(s *specs.Spec) []string {
	var out []string
	for r := range s.Resources() {
		out = append(out, r.Addr())
	}
	return out
}

func TestMerge(t *testing.T) {
	local := `provider "docker" "local" {}`
	other := `provider "docker" "local" { host = "tcp://10.0.0.1:2375" }`
	cases := []struct {
		name     string
		a, b     string
		want     []string
		conflict string
	}{
		{"disjoint, one provider shared", dockerGroups(local, "web"), dockerGroups(local, "api"),
			[]string{"provider.docker.local", "group.api", "group.web"}, ""},
		{"a group in both", dockerGroups(local, "web"), dockerGroups(local, "web", "api"), nil,
			"group.web is declared by stack a (a.hcl:2,1-12) and by stack b (b.hcl:2,1-12)"},
		{"a provider declared differently", dockerGroups(local, "web"), dockerGroups(other, "api"), nil,
			"is declared by stack a (a.hcl:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := merge(map[string]*specs.Spec{"a": loadHCL(t, "a.hcl", tc.a), "b": loadHCL(t, "b.hcl", tc.b)})
			if tc.conflict != "" {
				var ce *ConflictError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.conflict) {
					t.Fatalf("err = %v, want a conflict %q", err, tc.conflict)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a := addrs(got); !slices.Equal(a, tc.want) {
				t.Fatalf("merged %v, want %v", a, tc.want)
			}
		})
	}
}

func TestCarryAndPrune(t *testing.T) {
	prev := loadHCL(t, "p.hcl", dockerGroups(`provider "docker" "local" {}`, "a", "b", "c"))
	next := loadHCL(t, "n.hcl", dockerGroups("", "a"))
	gone := departed(prev, next)
	if !slices.Equal(gone, []string{"group.b", "group.c"}) {
		t.Fatalf("departed %v", gone)
	}
	kept := carry(next, prev, []string{"group.b"})
	if a := addrs(kept); !slices.Equal(a, []string{"provider.docker.default", "provider.docker.local", "group.a", "group.b"}) {
		t.Fatalf("carried %v: want b with the provider it needs", a)
	}
	cases := []struct {
		name string
		next *specs.Spec
		gone []string
		held string
	}{
		{"one of three", next, []string{"group.c"}, ""},
		{"two of three", next, []string{"group.b", "group.c"}, "removes 2 of the 3"},
		{"everything", &specs.Spec{}, []string{"group.a", "group.b", "group.c"}, "removes everything"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := pruneGuard(prev, tc.next, tc.gone); (tc.held == "") != (got == "") || !strings.Contains(got, tc.held) {
				t.Fatalf("pruneGuard = %q, want %q", got, tc.held)
			}
		})
	}
}
