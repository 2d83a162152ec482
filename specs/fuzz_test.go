package specs_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// FuzzHostile builds deep and large expressions from the fuzz input: each
// byte picks a construct (nesting, operators, for expressions, templates,
// amplifying functions) and the next one its size. Whatever it builds, the
// loader must end with a spec or with diagnostics, never a crash; the
// hostile corpus (TestHostileCorpus) checks time and memory.
func FuzzHostile(f *testing.F) {
	for _, s := range []string{"\x00\xff", "\x01\x80\x02\x40", "\x03\x10\x04\x10\x05\x10", "\x06\xff\x07\xff\x08\xff\x09\xff"} {
		f.Add([]byte(s))
	}
	l, err := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		src := "locals {\n  x = " + hostileExpr(in) + "\n}\n"
		_, err := l.LoadSources(specs.Source{Name: "fuzz.hcl", Src: []byte(src)})
		var le *specs.LoadError
		if err != nil && (!errors.As(err, &le) || !le.Diagnostics.HasErrors()) {
			t.Fatalf("failure without error diagnostics: %v", err)
		}
	})
}

// hostileExpr turns fuzz bytes into an expression, inside out.
func hostileExpr(in []byte) string {
	e := "1"
	for i := 0; i+1 < len(in); i += 2 {
		n := int(in[i+1])*int(in[i+1]) + 1 // up to 65026
		switch in[i] % 10 {
		case 0:
			e = strings.Repeat("(", n) + e + strings.Repeat(")", n)
		case 1:
			e = strings.Repeat("[", n) + e + strings.Repeat("]", n)
		case 2:
			e = strings.Repeat("-", n) + e
		case 3:
			e = fmt.Sprintf("[for i in range(%d): %s]", n, e)
		case 4:
			e = fmt.Sprintf(`"%%{for i in range(%d)}${%s}%%{endfor}"`, n, e)
		case 5:
			e = fmt.Sprintf(`join("", [for i in range(%d): format("%%%dd", i)])`, n%1000, n)
		case 6:
			e = fmt.Sprintf("setproduct(range(%d), range(%d), [%s])", n%1024, n%1024, e)
		case 7:
			e = strings.Repeat(e+" + ", n%2000) + e
		case 8:
			e = fmt.Sprintf(`replace(strrev(jsonencode(%s)), "", "%s")`, e, strings.Repeat("x", n%5000))
		case 9:
			e = fmt.Sprintf(`{for k in range(%d): k => %s}`, n%1024, e)
		}
		if len(e) > 1<<20 {
			break
		}
	}
	return e
}
