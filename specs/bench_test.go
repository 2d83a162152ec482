package specs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/drover/drover/specs"
)

// generateSpec writes a spec of n groups and n services on one swarm: one
// manager group and n-1 worker groups with autoscaling, services with
// ports, networks, resources and update settings.
func generateSpec(n int) []byte {
	var b strings.Builder
	b.WriteString("variable \"image\" { default = \"demo/app:1\" }\nlocals {\n  node = \"drover/node:bookworm\"\n}\n")
	b.WriteString("provider \"docker\" \"local\" {}\nswarm \"prod\" {}\nnetwork \"backend\" {\n  swarm = swarm.prod\n}\n")
	for i := 0; i < n; i++ {
		role, size := "worker", "size = 2"
		if i == 0 {
			role, size = "manager", "size = 3"
		}
		fmt.Fprintf(&b, `
group "g%d" {
  %s
  instance "docker" {
    image          = local.node
    node           = true
    env            = { INDEX = "%d" }
    preload_images = [var.image]
    resources {
      memory = "512MiB"
    }
  }
  flavor "swarm" {
    swarm  = swarm.prod
    role   = %q
    labels = { zone = "z%d" }
  }
  health {
    grace = "1m"
  }
}
`, i, size, i, role, i%3)
		fmt.Fprintf(&b, `
service "s%d" {
  swarm       = swarm.prod
  image       = var.image
  replicas    = 3
  ports       = ["%d:80"]
  networks    = [network.backend]
  env         = { NAME = "s%d" }
  constraints = ["node.role == worker"]
  resources {
    reserve_cpu  = 0.1
    limit_memory = "64MiB"
  }
  update {
    parallelism = 2
    order       = "start-first"
  }
}
`, i, 10000+i, i)
	}
	return []byte(b.String())
}

// BenchmarkParse500 is the baseline: HCL parsing alone of the spec that
// BenchmarkLoad500 loads, so the two can be compared within one run.
func BenchmarkParse500(b *testing.B) {
	src := generateSpec(500)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, diags := hclsyntax.ParseConfig(src, "gen.hcl", hcl.InitialPos); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkLoad500 loads and validates 500 groups and 500 services.
func BenchmarkLoad500(b *testing.B) {
	src := generateSpec(500)
	l, err := specs.NewLoader(specs.Options{Schemas: builtins(), LookupEnv: env{}.lookup})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		spec, err := l.LoadSources(specs.Source{Name: "gen.hcl", Src: src})
		if err != nil {
			b.Fatal(err)
		}
		if len(spec.Groups) != 500 || len(spec.Services) != 500 {
			b.Fatalf("loaded %d groups, %d services", len(spec.Groups), len(spec.Services))
		}
	}
}

// The generated spec is valid: the benchmark measures success, not errors.
func TestGeneratedSpecLoads(t *testing.T) {
	_, diags := load(t, string(generateSpec(20)))
	if len(diags) > 0 {
		t.Fatal(render(diags))
	}
}
