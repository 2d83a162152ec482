package specs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// env is a fake environment.
type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

// load loads src as the spec file "spec.hcl" with the built-in schemas and
// returns the spec (nil when it did not load) and every diagnostic.
func load(t *testing.T, src string, opts ...func(*specs.Options)) (*specs.Spec, hcl.Diagnostics) {
	t.Helper()
	return loadSources(t, []specs.Source{{Name: "spec.hcl", Src: []byte(src)}}, opts...)
}

func loadSources(t *testing.T, srcs []specs.Source, opts ...func(*specs.Options)) (*specs.Spec, hcl.Diagnostics) {
	t.Helper()
	o := specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: env{}.lookup}
	for _, fn := range opts {
		fn(&o)
	}
	l, err := specs.NewLoader(o)
	if err != nil {
		t.Fatalf("NewLoader: %v", err)
	}
	spec, err := l.LoadSources(srcs...)
	return unwrap(t, spec, err)
}

func unwrap(t *testing.T, spec *specs.Spec, err error) (*specs.Spec, hcl.Diagnostics) {
	t.Helper()
	if err == nil {
		return spec, spec.Warnings
	}
	var le *specs.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("load failed without diagnostics: %v", err)
	}
	if spec != nil {
		t.Fatalf("a spec with errors was returned")
	}
	return nil, le.Diagnostics
}

// mustLoad loads src and fails the test on any error.
func mustLoad(t *testing.T, src string, opts ...func(*specs.Options)) *specs.Spec {
	t.Helper()
	spec, diags := load(t, src, opts...)
	if diags.HasErrors() {
		t.Fatalf("spec did not load:\n%s", render(diags))
	}
	return spec
}

func render(diags hcl.Diagnostics) string {
	var b bytes.Buffer
	_ = specs.WriteDiagnostics(&b, diags, nil)
	return b.String()
}

func withVars(kv ...string) func(*specs.Options) {
	return func(o *specs.Options) { o.Vars = append(o.Vars, kv...) }
}

func withEnv(e env) func(*specs.Options) {
	return func(o *specs.Options) { o.LookupEnv = e.lookup }
}

func withVarFiles(paths ...string) func(*specs.Options) {
	return func(o *specs.Options) { o.VarFiles = append(o.VarFiles, paths...) }
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func group(spec *specs.Spec, name string) *specs.Group {
	for _, g := range spec.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func service(spec *specs.Spec, name string) *specs.Service {
	for _, s := range spec.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// A small valid spec that cases extend.
const base = `
provider "docker" "local" {}
swarm "prod" {}
group "managers" {
  size = 3
  instance "docker" {
    image = "drover/node:bookworm"
    node  = true
  }
  flavor "swarm" {
    swarm = swarm.prod
    role  = "manager"
  }
}
`

func builtins() *plugins.Registry { return plugins.Builtins(plugins.BuiltinOptions{}) }
