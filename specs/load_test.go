package specs_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/specs"
)

// The example in DESIGN.md is the user's contract: it must load as it is.
func TestDesignExampleLoads(t *testing.T) {
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{"DIGITALOCEAN_TOKEN": "dop_v1_secret"}.lookup})
	spec, err := l.Load("testdata/design.hcl")
	if err != nil {
		t.Fatalf("design example: %v", err)
	}
	if len(spec.Groups) != 3 || len(spec.Services) != 1 || len(spec.Networks) != 1 || len(spec.Swarms) != 2 || len(spec.Providers) != 2 {
		t.Fatalf("unexpected resource counts: %d groups, %d services, %d networks, %d swarms, %d providers",
			len(spec.Groups), len(spec.Services), len(spec.Networks), len(spec.Swarms), len(spec.Providers))
	}
	m := group(spec, "managers")
	if m.Size != 3 || strings.Join(m.LogicalIDs, ",") != "m1,m2,m3" || m.Health.Grace != 5*time.Minute || m.Update.Delay != 30*time.Second {
		t.Errorf("managers decoded wrong: %+v", m)
	}
	w := group(spec, "workers")
	if w.Size != 2 || w.Autoscale == nil || w.Autoscale.Max != 10 || w.Autoscale.CooldownDown != 10*time.Minute || len(w.Autoscale.Metrics) != 2 {
		t.Errorf("workers decoded wrong: %+v %+v", w, w.Autoscale)
	}
	if sw, role, ok := w.SwarmRole(); !ok || sw != "prod" || role != "worker" {
		t.Errorf("workers swarm role = %q %q %v", sw, role, ok)
	}
	web := service(spec, "web")
	if web.Replicas != 6 || web.Ports[0] != (specs.Port{Published: 8080, Target: 8080, Protocol: "tcp"}) ||
		web.Resources.LimitMemory != 64<<20 || web.Update.Order != "start-first" || web.Restart.Delay != 2*time.Second ||
		web.Networks[0] != "backend" || web.Env["GREETING"] != "hello" {
		t.Errorf("web decoded wrong: %+v", web)
	}
	for _, g := range spec.Groups {
		if g.Instance.Provider == "" {
			t.Errorf("group %s has no provider", g.Name)
		}
	}
	if len(spec.Warnings) != 0 {
		t.Errorf("unexpected warnings:\n%s", render(spec.Warnings))
	}
}

func TestExamplesLoad(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.hcl")
	if len(files) < 3 {
		t.Fatalf("found %d examples", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup})
			spec, err := l.Load(f)
			if _, diags := unwrap(t, spec, err); len(diags) > 0 {
				t.Fatalf("%s:\n%s", f, render(diags))
			}
		})
	}
}

func TestDefaultsApplied(t *testing.T) {
	spec := mustLoad(t, base+`service "web" {`+"\n  swarm = swarm.prod\n  image = \"x\"\n}\n")
	g := group(spec, "managers")
	if g.Health.Grace != 2*time.Minute || g.Health.UnhealthyAfter != 30*time.Second || g.Health.MaxInFlight != 1 ||
		g.Update.MaxSurge != 1 || g.Update.MaxUnavailable != 0 || g.Autoscale != nil {
		t.Errorf("group defaults: %+v %+v", g.Health, g.Update)
	}
	var props map[string]any
	_ = json.Unmarshal(g.Instance.Properties.Reveal(), &props)
	if props["privileged"] != false || props["node"] != true {
		t.Errorf("instance properties: %v", props)
	}
	s := service(spec, "web")
	want := specs.UpdateConfig{Parallelism: 1, FailureAction: "pause", Monitor: 5 * time.Second, Order: "stop-first"}
	if s.Mode != "replicated" || s.Replicas != 1 || s.Update != want || s.Restart.Condition != "any" || s.Restart.Delay != 5*time.Second || s.Drift != "correct" {
		t.Errorf("service defaults: %+v", s)
	}
}

func TestVariablePrecedence(t *testing.T) {
	dir := t.TempDir()
	file1 := writeFile(t, dir, "one.hcl", "workers = 4\n")
	file2 := writeFile(t, dir, "two.json", `{"workers": 5}`)
	src := `variable "workers" {
  type    = number
  default = 2
}
` + strings.Replace(base, "size = 3", "size = 1", 1) + `
group "w" {
  size = var.workers
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}`
	cases := []struct {
		name string
		opts []func(*specs.Options)
		want int
	}{
		{"default", nil, 2},
		{"environment", []func(*specs.Options){withEnv(env{"DROVER_VAR_workers": "3"})}, 3},
		{"var file over environment", []func(*specs.Options){withEnv(env{"DROVER_VAR_workers": "3"}), withVarFiles(file1)}, 4},
		{"later var file wins", []func(*specs.Options){withVarFiles(file1, file2)}, 5},
		{"flag over everything", []func(*specs.Options){withEnv(env{"DROVER_VAR_workers": "3"}), withVarFiles(file1), withVars("workers=6")}, 6},
		{"last flag wins", []func(*specs.Options){withVars("workers=6", "workers=7")}, 7},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := mustLoad(t, src, tc.opts...)
			if got := group(spec, "w").Size; got != tc.want {
				t.Errorf("size = %d, want %d", got, tc.want)
			}
			for _, v := range spec.Variables {
				if v.Name == "workers" && v.Display() != fmt.Sprint(tc.want) {
					t.Errorf("variable shows %s, want %d", v.Display(), tc.want)
				}
			}
		})
	}
}

func TestVariableValues(t *testing.T) {
	src := `
variable "zones" { type = list(string) }
variable "labels" {
  type    = map(string)
  default = {}
}
variable "count" { default = 1 }
variable "name" {}
` + base + `
group "w" {
  size = var.count
  instance "docker" {
    image  = var.name
    labels = merge(var.labels, { zones = join(",", var.zones) })
  }
  flavor "vanilla" {}
}`
	t.Run("complex values from flags", func(t *testing.T) {
		spec := mustLoad(t, src, withVars(`zones=["a","b"]`, `labels={tier="web"}`, "count=2", "name=app:1"))
		var props struct {
			Image  string
			Labels map[string]string
		}
		g := group(spec, "w")
		_ = json.Unmarshal(g.Instance.Properties.Reveal(), &props)
		if g.Size != 2 || props.Image != "app:1" || props.Labels["zones"] != "a,b" || props.Labels["tier"] != "web" {
			t.Errorf("got size %d %+v", g.Size, props)
		}
	})
	t.Run("wrong type from a flag", func(t *testing.T) {
		_, diags := load(t, src, withVars(`zones=["a"]`, "count=many", "name=x"))
		assertDiag(t, diags, wantDiag{summary: `Invalid value for variable "count"`, detail: "-var count"})
	})
	t.Run("undeclared flag", func(t *testing.T) {
		_, diags := load(t, src, withVars(`zones=["a"]`, "name=x", "cuont=2"))
		if len(diags.Errs()) != 1 || !strings.Contains(diags.Errs()[0].Error(), `Did you mean "count"?`) && !strings.Contains(render(diags), "Did you mean count?") {
			t.Errorf("want one error suggesting count:\n%s", render(diags))
		}
	})
	t.Run("undeclared in a var file is a warning", func(t *testing.T) {
		f := writeFile(t, t.TempDir(), "v.hcl", "zones = [\"a\"]\nname = \"x\"\nextra = 1\n")
		spec, diags := load(t, src, withVarFiles(f))
		if spec == nil || len(diags) != 1 || diags[0].Summary != "Value for undeclared variable" {
			t.Errorf("want one warning:\n%s", render(diags))
		}
	})
	t.Run("missing var file", func(t *testing.T) {
		_, diags := load(t, src, withVarFiles("/nonexistent/v.hcl"), withVars(`zones=["a"]`, "name=x"))
		assertDiag(t, diags, wantDiag{summary: "Cannot read variables file", detail: "/nonexistent/v.hcl"})
	})
	t.Run("bad -var syntax", func(t *testing.T) {
		_, diags := load(t, src, withVars(`zones=["a"]`, "name=x", "novalue"))
		assertDiag(t, diags, wantDiag{summary: "Invalid -var", detail: "NAME=VALUE"})
	})
}

func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "init.sh", "#!/bin/sh\necho hi\n")
	writeFile(t, dir, "spec.hcl", `
locals {
  region = upper(env("REGION", "fra1"))
  home   = env("NOT_SET")
}
group "w" {
  size = length(split(",", "a,b,c"))
  instance "docker" {
    image = format("app:%s", lower(local.region))
    env   = { HOME = local.home, USER = env("USER_NAME") }
  }
  flavor "vanilla" {
    init = file("init.sh")
  }
}`)
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{"USER_NAME": "ann"}.lookup})
	spec, err := l.Load(filepath.Join(dir, "spec.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	g := group(spec, "w")
	if g.Size != 3 || !strings.Contains(string(g.Instance.Properties.Reveal()), `"image":"app:fra1"`) ||
		!strings.Contains(string(g.Instance.Properties.Reveal()), `"HOME":""`) ||
		!strings.Contains(string(g.Instance.Properties.Reveal()), `"USER":"ann"`) ||
		!strings.Contains(string(g.Flavor.Properties.Reveal()), `echo hi`) {
		t.Errorf("functions: size %d %s %s", g.Size, g.Instance.Properties.Reveal(), g.Flavor.Properties.Reveal())
	}
	t.Run("missing file", func(t *testing.T) {
		_, diags := load(t, "locals {\n  x = file(\"/nonexistent/x\")\n}\n"+base)
		assertDiag(t, diags, wantDiag{summary: "Error in function call", line: 2, detail: "/nonexistent/x"})
	})
	t.Run("unknown function", func(t *testing.T) {
		_, diags := load(t, "locals {\n  x = uper(\"a\")\n}\n"+base)
		assertDiag(t, diags, wantDiag{summary: "Call to unknown function", line: 2, detail: `Did you mean "upper"?`})
	})
}

// A spec may span the files of a directory; references cross files.
func TestMultiFileSpec(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a_groups.hcl", strings.Replace(base, "swarm \"prod\" {}\n", "", 1))
	writeFile(t, dir, "b_swarm.hcl", "swarm \"prod\" {}\nvariable \"unused\" { default = 1 }\n")
	writeFile(t, dir, "notes.txt", "not a spec")
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins()})
	spec, err := l.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Swarms) != 1 || len(spec.Groups) != 1 || len(spec.Files) != 2 {
		t.Errorf("got %d swarms, %d groups, %d files", len(spec.Swarms), len(spec.Groups), len(spec.Files))
	}
	empty := t.TempDir()
	if _, err := l.Load(empty); err == nil || !strings.Contains(err.Error(), "holds no *.hcl files") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := l.Load(filepath.Join(dir, "missing.hcl")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
