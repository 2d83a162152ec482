package specs_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/drover/drover/specs"
)

// Autoscale blocks are implemented: only rebalance = true is refused.
func TestUnimplementedRefused(t *testing.T) {
	const src = `swarm "s" {}
group "m" {
  size = 1
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
group "web" {
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "worker"
  }
  autoscale {
    min = 1
    max = 3
    metric "cpu" { target = 0.5 }
  }
}
service "api" {
  swarm     = swarm.s
  image     = "x:1"
  rebalance = true
  autoscale {
    min = 2
    max = 4
    metric "cpu" { target = 0.5 }
  }
}
service "plain" {
  swarm     = swarm.s
  image     = "x:1"
  rebalance = false
}
`
	spec := mustLoad(t, src)
	var got []string
	for _, d := range spec.Unimplemented() {
		got = append(got, d.Subject.String()+": "+d.Summary)
	}
	want := []string{
		"spec.hcl:25,15-19: rebalance is not implemented yet: remove it or set it to false",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("diagnostics:\n%q\nwant\n%q", got, want)
	}
	var le *specs.LoadError
	if err := spec.RefuseUnimplemented(); !errors.As(err, &le) || len(le.Diagnostics) != 1 || le.Files == nil {
		t.Fatalf("RefuseUnimplemented: %v, want a LoadError with the diagnostic and the files", err)
	}
	if err := mustLoad(t, `group "g" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}`).RefuseUnimplemented(); err != nil {
		t.Fatalf("a spec without them: %v", err)
	}
}
