package specs_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/specs"
)

// wantDiag is one expected diagnostic: its severity, summary, where it
// points (line and column; 0 means unchecked) and a part of its detail.
type wantDiag struct {
	warning bool
	summary string
	line    int
	col     int
	detail  string
}

func TestDiagnostics(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []wantDiag
	}{
		{
			name: "duplicate group",
			src: base + `
group "managers" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}`,
			want: []wantDiag{{summary: `Duplicate group "managers"`, line: 16, col: 1, detail: "already declared at spec.hcl:4"}},
		},
		{
			name: "duplicate provider",
			src:  base + `provider "docker" "local" {}`,
			want: []wantDiag{{summary: `Duplicate provider "docker.local"`, line: 15, col: 1}},
		},
		{
			name: "undefined provider",
			src: base + `
group "apps" {
  size = 1
  instance "docker" {
    provider = provider.docker.lcal
    image    = "x"
  }
  flavor "vanilla" {}
}`,
			want: []wantDiag{{summary: "Reference to undefined provider", line: 19, col: 16, detail: "Did you mean provider.docker.local?"}},
		},
		{
			name: "undefined swarm",
			src: base + `
group "workers" {
  size = 1
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.prdo
    role  = "worker"
  }
}`,
			want: []wantDiag{{summary: "Reference to undefined swarm", line: 20, col: 13, detail: "Did you mean swarm.prod?"}},
		},
		{
			name: "reference of the wrong kind",
			src: base + `
network "backend" { swarm = swarm.prod }
service "web" {
  swarm = network.backend
  image = "x"
}`,
			want: []wantDiag{{summary: "Invalid swarm reference", line: 18, col: 11, detail: "this refers to a network"}},
		},
		{
			name: "provider of the wrong type",
			src: base + `
provider "digitalocean" "fra1" {
  token  = "t"
  region = "fra1"
}
group "apps" {
  size = 1
  instance "docker" {
    provider = provider.digitalocean.fra1
    image    = "x"
  }
  flavor "vanilla" {}
}`,
			want: []wantDiag{{summary: "Provider of the wrong type", line: 23, col: 16}},
		},
		{
			name: "swarm with no manager group",
			src: base + `
swarm "edge" {}
group "edge-workers" {
  size = 2
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.edge
    role  = "worker"
  }
}`,
			want: []wantDiag{{summary: "Swarm without managers", line: 16, col: 1, detail: "swarm.edge"}},
		},
		{
			name: "even manager count",
			src:  strings.Replace(base, "size = 3", "size = 4", 1),
			want: []wantDiag{{warning: true, summary: "Even number of managers", line: 3, col: 1, detail: "survives the loss of 1"}},
		},
		{
			name: "autoscale min greater than max",
			src: base + `
group "workers" {
  instance "docker" { image = "x" }
  flavor "vanilla" {}
  autoscale {
    min = 5
    max = 3
    metric "cpu" { target = 0.5 }
  }
}`,
			want: []wantDiag{{summary: "Autoscale min is greater than max", line: 21, col: 11, detail: "min = 5 is greater than max = 3"}},
		},
		{
			name: "size outside autoscale bounds",
			src: base + `
group "workers" {
  size = 12
  instance "docker" { image = "x" }
  flavor "vanilla" {}
  autoscale {
    min = 2
    max = 10
    metric "swarm_pending_tasks" {}
  }
}`,
			want: []wantDiag{{summary: "size outside autoscale bounds", line: 17, col: 10}},
		},
		{
			name: "negative size",
			src:  strings.Replace(base, "size = 3", "size = -1", 1),
			want: []wantDiag{{summary: `Invalid value for "size"`, line: 5, col: 10, detail: "less than the minimum of 0"}},
		},
		{
			name: "negative replicas",
			src:  base + `service "web" {` + "\n" + `  swarm = swarm.prod` + "\n" + `  image = "x"` + "\n" + `  replicas = -2` + "\n}",
			want: []wantDiag{{summary: `Invalid value for "replicas"`, line: 18, col: 14}},
		},
		{
			name: "unknown instance plugin",
			src:  strings.Replace(base, `instance "docker"`, `instance "dokcer"`, 1),
			want: []wantDiag{{summary: "Unknown instance plugin", line: 6, col: 12, detail: `Did you mean "docker"?`}},
		},
		{
			name: "unknown flavor plugin",
			src:  strings.Replace(base, `flavor "swarm"`, `flavor "swram"`, 1),
			want: []wantDiag{{summary: "Unknown flavor plugin", line: 10, col: 10, detail: `Did you mean "swarm"?`}},
		},
		{
			name: "unknown provider type",
			src:  strings.Replace(base, `provider "docker" "local"`, `provider "dockr" "local"`, 1),
			want: []wantDiag{{summary: "Unknown provider plugin", line: 2, col: 10, detail: `Did you mean "docker"?`}},
		},
		{
			name: "unknown metric",
			src: base + `
group "workers" {
  instance "docker" { image = "x" }
  flavor "vanilla" {}
  autoscale {
    min = 1
    max = 3
    metric "cpuu" { target = 0.5 }
  }
}`,
			want: []wantDiag{{summary: "Unknown metric plugin", line: 22, col: 12, detail: `Did you mean "cpu"?`}},
		},
		{
			name: "unknown attribute",
			src:  strings.Replace(base, `image = "drover/node:bookworm"`, `imgae = "drover/node:bookworm"`, 1),
			want: []wantDiag{
				{summary: "Unsupported argument", line: 7, col: 5, detail: `Did you mean "image"?`},
				{summary: "Missing required argument", line: 6, detail: `"image" is required`},
			},
		},
		{
			name: "unknown block type",
			src:  base + `grup "web" {}`,
			want: []wantDiag{{summary: "Unsupported block type", line: 15, col: 1, detail: `Did you mean "group"?`}},
		},
		{
			name: "unknown nested block",
			src:  strings.Replace(base, "size = 3", "size = 3\n  helth {}", 1),
			want: []wantDiag{{summary: "Unsupported block type", line: 6, col: 3, detail: `Did you mean "health"?`}},
		},
		{
			name: "invalid resource name",
			src:  base + `swarm "Prod_2" {}`,
			want: []wantDiag{{summary: "Invalid swarm name", line: 15, col: 7, detail: `Did you mean "prod-2"?`}},
		},
		{
			name: "size and logical ids",
			src:  strings.Replace(base, "size = 3", "size = 3\n  logical_ids = [\"a\", \"b\", \"c\"]", 1),
			want: []wantDiag{{summary: "Both size and logical_ids", line: 6, col: 17}},
		},
		{
			name: "no size",
			src:  strings.Replace(base, "size = 3", "", 1),
			want: []wantDiag{{summary: "Missing group size", line: 4, col: 1}},
		},
		{
			name: "duplicate and invalid logical ids",
			src:  strings.Replace(base, "size = 3", `logical_ids = ["m1", "M2", "m1"]`, 1),
			want: []wantDiag{
				{summary: "Invalid logical id", line: 5, col: 24},
				{summary: "Duplicate logical id", line: 5, col: 30},
			},
		},
		{
			name: "autoscaled managers",
			src:  strings.Replace(base, "size = 3", "size = 3\n  autoscale {\n    min = 3\n    max = 5\n    metric \"cpu\" { target = 0.5 }\n  }", 1),
			want: []wantDiag{{summary: "Autoscaled manager group", line: 6, col: 3}},
		},
		{
			name: "rolling update that cannot progress",
			src:  strings.Replace(base, "size = 3", "size = 3\n  update {\n    max_surge = 0\n  }", 1),
			want: []wantDiag{{summary: "Rolling update cannot progress", line: 6, col: 3}},
		},
		{
			name: "global service with replicas",
			src:  base + "service \"agent\" {\n  swarm = swarm.prod\n  image = \"x\"\n  mode = \"global\"\n  replicas = 2\n}",
			want: []wantDiag{{summary: "replicas on a global service", line: 19, col: 14}},
		},
		{
			name: "invalid port",
			src:  base + "service \"web\" {\n  swarm = swarm.prod\n  image = \"x\"\n  ports = [\"80:80\", \"80:http\"]\n}",
			want: []wantDiag{{summary: "Invalid port", line: 18, col: 21, detail: `target "http" is not a port number`}},
		},
		{
			name: "port published by two services",
			src: base + `
service "a" {
  swarm = swarm.prod
  image = "x"
  ports = ["8080:80"]
}
service "b" {
  swarm = swarm.prod
  image = "x"
  ports = ["9090:90", "8080:8080"]
}`,
			want: []wantDiag{{summary: "Port published twice", line: 24, col: 23, detail: "already published by service.a"}},
		},
		{
			name: "dependency cycle",
			src: base + `
service "a" {
  swarm      = swarm.prod
  image      = "x"
  depends_on = [service.b]
}
service "b" {
  swarm      = swarm.prod
  image      = "x"
  depends_on = [service.a]
}`,
			want: []wantDiag{{summary: "Dependency cycle", line: 19, col: 16, detail: "a -> b -> a"}},
		},
		{
			name: "network on another swarm",
			src: base + `
swarm "edge" {}
group "edge-managers" {
  size = 1
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.edge
    role  = "manager"
  }
}
network "backend" { swarm = swarm.edge }
service "web" {
  swarm    = swarm.prod
  image    = "x"
  networks = [network.backend]
}`,
			want: []wantDiag{{summary: "Reference across swarms", line: 29, col: 15, detail: "network.backend is on swarm.edge"}},
		},
		{
			name: "invalid subnet",
			src:  base + `network "backend" {` + "\n" + `  swarm = swarm.prod` + "\n" + `  subnet = "10.0.0.0/33"` + "\n}",
			want: []wantDiag{{summary: "Invalid subnet", line: 17, col: 12}},
		},
		{
			name: "invalid constraint and preference",
			src:  base + "service \"web\" {\n  swarm = swarm.prod\n  image = \"x\"\n  constraints = [\"node.role = worker\"]\n  placement_preferences = [\"node.labels.zone\"]\n}",
			want: []wantDiag{
				{summary: "Invalid constraint", line: 18, col: 18},
				{summary: "Invalid placement_preference", line: 19, col: 28},
			},
		},
		{
			name: "role typo",
			src:  strings.Replace(base, `role  = "manager"`, `role  = "manger"`, 1),
			want: []wantDiag{{summary: `Invalid value for "role"`, line: 12, col: 13, detail: `did you mean "manager"?`}},
		},
		{
			name: "invalid duration",
			src:  strings.Replace(base, "size = 3", "size = 3\n  health {\n    grace = \"5 minutes\"\n  }", 1),
			want: []wantDiag{{summary: `Invalid value for "grace"`, line: 7, col: 13, detail: `such as "30s"`}},
		},
		{
			name: "ambiguous size unit",
			src:  base + "service \"web\" {\n  swarm = swarm.prod\n  image = \"x\"\n  resources {\n    limit_memory = \"64m\"\n  }\n}",
			want: []wantDiag{{summary: `Invalid value for "limit_memory"`, line: 19, col: 20, detail: "64MiB"}},
		},
		{
			name: "ambiguous provider",
			src: base + `
provider "docker" "remote" { host = "tcp://10.0.0.5:2376" }`,
			want: []wantDiag{{summary: "Ambiguous provider", line: 6, col: 3, detail: "docker.local, docker.remote"}},
		},
		{
			name: "provider needing settings",
			src: `
group "workers" {
  size = 1
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "docker-20-04"
  }
  flavor "vanilla" {}
}`,
			want: []wantDiag{{summary: "Missing provider", line: 4, col: 3, detail: `declare provider "digitalocean"`}},
		},
		{
			name: "variable without a value",
			src:  `variable "workers" {}` + "\n" + strings.Replace(base, "size = 3", "size = var.workers", 1),
			want: []wantDiag{{summary: `No value for required variable "workers"`, line: 1, col: 1, detail: "DROVER_VAR_workers"}},
		},
		{
			name: "undeclared variable",
			src:  `variable "workers" { default = 3 }` + "\n" + strings.Replace(base, "size = 3", "size = var.wrokers", 1),
			want: []wantDiag{{summary: "Reference to undeclared variable", line: 6, col: 10, detail: "Did you mean var.workers?"}},
		},
		{
			name: "default of the wrong type",
			src:  `variable "workers" {` + "\n" + `  type = number` + "\n" + `  default = "many"` + "\n}\n" + base,
			want: []wantDiag{{summary: "Invalid default", line: 3, col: 13, detail: "does not match the type number"}},
		},
		{
			name: "cycle in locals",
			src:  "locals {\n  a = local.b\n  b = local.a\n}\n" + base,
			want: []wantDiag{{summary: "Cycle in locals", detail: "a -> b -> a"}},
		},
		{
			name: "undefined local",
			src:  "locals {\n  image = local.imgae\n}\n" + base,
			want: []wantDiag{{summary: "Reference to undefined local", line: 2, col: 11, detail: "Did you mean local.image?"}},
		},
		{
			name: "duplicate local",
			src:  "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n" + base,
			want: []wantDiag{{summary: `Duplicate local "a"`, line: 5, col: 3}},
		},
		{
			name: "syntax error",
			src:  base + "group \"web\" {\n  size = \n}",
			want: []wantDiag{{summary: "Invalid expression", line: 16, col: 10}},
		},
		{
			name: "nested single block twice",
			src:  strings.Replace(base, "size = 3", "size = 3\n  health {}\n  health {}", 1),
			want: []wantDiag{{summary: "Duplicate health block", line: 7, col: 3}},
		},
		{
			name: "missing required block",
			src:  base + "group \"x\" {\n  size = 1\n  instance \"docker\" { image = \"x\" }\n}",
			want: []wantDiag{{summary: "Missing flavor block", line: 15, col: 11}},
		},
		{
			name: "missing metric",
			src:  base + "group \"x\" {\n  instance \"docker\" { image = \"x\" }\n  flavor \"vanilla\" {}\n  autoscale {\n    min = 1\n    max = 2\n  }\n}",
			want: []wantDiag{{summary: "Missing metric block", line: 18, col: 13}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, diags := load(t, tc.src)
			wantErrors := 0
			for _, w := range tc.want {
				if !w.warning {
					wantErrors++
				}
				assertDiag(t, diags, w)
			}
			if got := len(diags.Errs()); got != wantErrors {
				t.Errorf("got %d errors, want %d:\n%s", got, wantErrors, render(diags))
			}
			if wantErrors == 0 && spec == nil {
				t.Errorf("a spec with only warnings did not load")
			}
		})
	}
}

func assertDiag(t *testing.T, diags hcl.Diagnostics, w wantDiag) {
	t.Helper()
	for _, d := range diags {
		if d.Summary != w.summary || (d.Severity == hcl.DiagWarning) != w.warning {
			continue
		}
		if d.Subject == nil {
			if w.line != 0 || w.col != 0 {
				t.Errorf("%q has no source range", w.summary)
			}
			if !strings.Contains(d.Detail, w.detail) {
				t.Errorf("%q detail %q lacks %q", w.summary, d.Detail, w.detail)
			}
			return
		}
		if w.line != 0 && d.Subject.Start.Line != w.line || w.col != 0 && d.Subject.Start.Column != w.col {
			t.Errorf("%q at %d:%d, want %d:%d", w.summary, d.Subject.Start.Line, d.Subject.Start.Column, w.line, w.col)
		}
		if !strings.Contains(d.Detail, w.detail) {
			t.Errorf("%q detail %q lacks %q", w.summary, d.Detail, w.detail)
		}
		return
	}
	t.Errorf("no diagnostic %q (warning=%v) among:\n%s", w.summary, w.warning, render(diags))
}

// A file with several independent mistakes reports all of them at once.
func TestAllErrorsAtOnce(t *testing.T) {
	src := base + `
group "a" {
  size = -1
  instance "docker" { imgae = "x" }
  flavor "vanilla" {}
}
service "b" {
  swarm = swarm.nope
  image = "x"
  ports = ["x"]
}
network "c" {
  swarm  = swarm.prod
  driver = 1
}
`
	_, diags := load(t, src)
	for _, s := range []string{`Invalid value for "size"`, "Unsupported argument", "Reference to undefined swarm", "Invalid port"} {
		assertDiag(t, diags, wantDiag{summary: s})
	}
}

func TestWriteDiagnosticsShowsLocationAndSnippet(t *testing.T) {
	src := strings.Replace(base, `imgae`, `image`, 1)
	src = strings.Replace(src, `image = "drover/node:bookworm"`, `imgae = "drover/node:bookworm"`, 1)
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup})
	_, err := l.LoadSources(specs.Source{Name: "spec.hcl", Src: []byte(src)})
	le := err.(*specs.LoadError)
	var b bytes.Buffer
	if err := specs.WriteDiagnostics(&b, le.Diagnostics, le.Files); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Error: Unsupported argument",
		"--> spec.hcl:7:5 (in group \"managers\")",
		` 7 |     imgae = "drover/node:bookworm"`,
		"   |     ^^^^^\n",
		`Did you mean "image"?`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDiagnosticsJSON(t *testing.T) {
	src := strings.Replace(base, `role  = "manager"`, `role  = "manger"`, 1)
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup})
	_, err := l.LoadSources(specs.Source{Name: "spec.hcl", Src: []byte(src)})
	le := err.(*specs.LoadError)
	out := specs.DiagnosticsJSON(le.Diagnostics, le.Files)
	if len(out) != 1 {
		t.Fatalf("got %d diagnostics, want 1", len(out))
	}
	d := out[0]
	b, _ := json.Marshal(d)
	if d.Severity != "error" || d.Range == nil || d.Range.Filename != "spec.hcl" || d.Range.Start.Line != 12 || d.Range.Start.Column != 13 {
		t.Fatalf("unexpected diagnostic %s", b)
	}
	if d.Snippet == nil {
		t.Fatalf("no snippet: %s", b)
	}
	if got := d.Snippet.Code[d.Snippet.HighlightStartOffset:d.Snippet.HighlightEndOffset]; got != `"manger"` {
		t.Errorf("highlight is %q, want %q (%s)", got, `"manger"`, b)
	}
	if d.Snippet.Context != `group "managers"` {
		t.Errorf("context %q", d.Snippet.Context)
	}
}

// Diagnostics come out in source order whatever order they were found in.
func TestDiagnosticsSorted(t *testing.T) {
	src := base + "service \"z\" {\n  swarm = swarm.x\n  image = \"x\"\n}\nnetwork \"a\" { swarm = swarm.y }\n"
	_, diags := load(t, src)
	var lines []int
	for _, d := range diags {
		lines = append(lines, d.Subject.Start.Line)
	}
	if fmt.Sprint(lines) != "[16 19]" {
		t.Errorf("lines %v, want [16 19]", lines)
	}
}

// Carets line up under the offending text when the line is indented with
// tabs.
func TestSnippetWithTabs(t *testing.T) {
	src := "group \"w\" {\n\tsize = 1\n\tinstance \"docker\" {\n\t\timgae = \"x\"\n\t}\n\tflavor \"vanilla\" {}\n}\n"
	l, _ := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup})
	_, err := l.LoadSources(specs.Source{Name: "tabs.hcl", Src: []byte(src)})
	le := err.(*specs.LoadError)
	var b bytes.Buffer
	_ = specs.WriteDiagnostics(&b, le.Diagnostics, le.Files)
	lines := strings.Split(b.String(), "\n")
	for i, line := range lines {
		if strings.Contains(line, "imgae = ") {
			code, caret := line[strings.Index(line, "|")+2:], lines[i+1][strings.Index(lines[i+1], "|")+2:]
			if strings.Index(caret, "^") != strings.Index(code, "imgae") || strings.Count(caret, "^") != len("imgae") {
				t.Errorf("caret misplaced:\n%s\n%s", line, lines[i+1])
			}
			return
		}
	}
	t.Fatalf("no snippet in:\n%s", b.String())
}
