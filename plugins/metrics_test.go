package plugins_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
	"github.com/hashicorp/hcl/v2"
)

// Validate puts each autoscale metric block to its plugin, at the block's
// line: a metric that cannot scale the resource's kind, and properties
// the plugin refuses, without showing their values.
func TestValidateMetrics(t *testing.T) {
	const secret = "hunter2-password"
	for _, tc := range []struct {
		name, group, service string
		line                 int // of the diagnostic; 0: none
		says                 string
	}{
		{"cpu and prometheus on a service", "", `metric "cpu" { target = 0.5 }
    metric "prometheus" {
      address = "https://user:` + secret + `@prom.example:9090"
      query   = "avg(rate(x[1m]))"
      target  = 1
    }`, 0, ""},
		{"pending tasks on a worker group", `metric "swarm_pending_tasks" {}`, "", 0, ""},
		{"pending tasks on a service", "", `metric "swarm_pending_tasks" {}`, 28, "scales groups, not a service"},
		{"memory on a group", `metric "memory" { target = 0.5 }`, "", 19, "scales services, not a group"},
		{"a refused address", "", `metric "cpu" { target = 0.5 }
    metric "prometheus" {
      address = "ftp://user:` + secret + `@prom"
      query   = "up"
      target  = 1
    }`, 29, "http or https"},
		{"a zero target", "", `metric "cpu" { target = 0 }`, 28, "target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := metricSpec(tc.group, tc.service)
			path := filepath.Join(t.TempDir(), "spec.hcl")
			if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			r := plugins.Builtins(plugins.BuiltinOptions{})
			l, err := specs.NewLoader(specs.Options{Schemas: r})
			if err != nil {
				t.Fatal(err)
			}
			spec, err := l.Load(path)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			var errs []string
			line := 0
			for _, d := range r.Validate(t.Context(), spec) {
				if d.Severity == hcl.DiagError { // the docker plugin's warnings aside
					errs = append(errs, d.Detail)
					line = d.Subject.Start.Line
				}
			}
			if tc.line == 0 {
				if len(errs) != 0 {
					t.Fatalf("errors: %q", errs)
				}
				return
			}
			if len(errs) != 1 || line != tc.line || !strings.Contains(errs[0], tc.says) {
				t.Fatalf("errors %q at line %d, want one saying %q at line %d\n%s", errs, line, tc.says, tc.line, src)
			}
			if strings.Contains(errs[0], secret) || strings.Contains(errs[0], "prom.example") {
				t.Fatalf("the error shows the address: %s", errs[0])
			}
		})
	}
}

// metricSpec is a swarm with an autoscaled worker group (its metric
// blocks group, from line 19) and an autoscaled service (service, from
// line 28); either may be empty for none.
func metricSpec(group, service string) string {
	if group == "" {
		group = `metric "swarm_pending_tasks" {}`
	}
	if service == "" {
		service = `metric "cpu" { target = 0.5 }`
	}
	return `swarm "s" {}
group "m" {
  size = 1
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
group "w" {
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "worker"
  }
  autoscale {
    min = 1
    max = 3
    ` + group + `
  }
}
service "web" {
  swarm = swarm.s
  image = "x:1"
  autoscale {
    min = 1
    max = 3
    ` + service + `
  }
}
`
}
