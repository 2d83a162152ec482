package runner_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// managerGroup is swarm "s" and its manager group, with nothing that a
// runner's New contacts.
const managerGroup = `swarm "s" {}
group "m" {
  size = 1
  instance "docker" { image = "x:1" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
`

// TestServicesNeedManagers: a spec with services or networks is refused,
// as the spec's fault, by a runner given no swarm managers, and taken by
// one given them.
func TestServicesNeedManagers(t *testing.T) {
	const refusal = "services and networks need the swarm flavor, which this build of drover lacks"
	tests := []struct {
		name, src         string
		managers, refused bool
	}{
		{name: "service without managers", src: `service "web" {
  swarm = swarm.s
  image = "x:1"
}`, refused: true},
		{name: "network without managers", src: `network "front" { swarm = swarm.s }`, refused: true},
		{name: "service with managers", src: `service "web" {
  swarm = swarm.s
  image = "x:1"
}`, managers: true},
		{name: "neither, without managers", src: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			clusters := swarm.NewClusters(data)
			t.Cleanup(func() { clusters.Close() })
			reg := plugins.Builtins(plugins.BuiltinOptions{DataDir: data, Clusters: clusters})
			l, err := specs.NewLoader(specs.Options{Schemas: reg})
			if err != nil {
				t.Fatal(err)
			}
			spec, err := l.LoadSources(specs.Source{Name: "t.hcl", Src: []byte(managerGroup + tt.src)})
			if err != nil {
				t.Fatal(err)
			}
			opts := runner.Options{Registry: reg, Owner: "t", DataDir: data}
			if tt.managers {
				opts.Managers = clusters
			}
			_, err = runner.New(t.Context(), spec, opts)
			var be *runner.BuildError
			switch {
			case !tt.refused && err != nil:
				t.Fatalf("New: %v", err)
			case tt.refused && (!errors.As(err, &be) || !strings.Contains(err.Error(), refusal)):
				t.Fatalf("New = %v, want a BuildError saying %q", err, refusal)
			}
		})
	}
}
