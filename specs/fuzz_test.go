package specs_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/drover/drover/specs"
)

// FuzzLoad feeds arbitrary sources to the loader: it must never panic, and
// a spec that loads must render and hash. `make test` runs the seeds; `make
// fuzz` searches further.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*.hcl")
	seeds = append(seeds, "testdata/design.hcl")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "{", `group "x" {`, `variable "v" { type = list(number) }`,
		"locals {\n a = local.b\n b = local.a\n}",
		base + "service \"s\" {\n swarm = swarm.prod\n image = \"x\"\n ports = [\"0:0/udp\", \"65536:1\"]\n}",
		`group "g" { size = 1e30 }`,
		"group \"g\" {\n size = var.x[0]\n}",
		`swarm "s" {}` + "\n" + `network "n" { swarm = swarm.s.x }`,
		"variable \"s\" {\n sensitive = true\n default = { a = [1, 2] }\n}\nlocals {\n x = sensitive(var.s)\n}",
	} {
		f.Add([]byte(s))
	}
	l, err := specs.NewLoader(specs.Options{
		Schemas:   builtins(),
		LookupEnv: env{"HOME": "/home/x"}.lookup,
		ReadFile:  func(string) ([]byte, error) { return nil, errors.New("no files while fuzzing") },
		Vars:      []string{"x=1"},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		spec, err := l.LoadSources(specs.Source{Name: "fuzz.hcl", Src: src})
		var le *specs.LoadError
		if err != nil {
			if !errors.As(err, &le) || !le.Diagnostics.HasErrors() {
				t.Fatalf("failure without error diagnostics: %v", err)
			}
			_ = specs.DiagnosticsJSON(le.Diagnostics, le.Files)
			return
		}
		for _, g := range spec.Groups {
			if !hexHash.MatchString(g.Hash) {
				t.Fatalf("group %s hash %q", g.Name, g.Hash)
			}
			if _, err := json.Marshal(g); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := json.Marshal(spec.Services); err != nil {
			t.Fatal(err)
		}
	})
}
