package main

import "testing"

// apply and plan refuse, before anything is planned or started, a spec
// that uses what drover does not implement yet, at its file:line.
func TestUnimplementedRefusedByCLI(t *testing.T) {
	spec := writeFile(t, t.TempDir(), "auto.hcl", `swarm "s" {}
group "m" {
  size = 1
  instance "docker" { image = "x" }
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
service "web" {
  swarm     = swarm.s
  image     = "x:1"
  rebalance = true
}
`)
	for _, command := range []string{"apply", "plan"} {
		t.Run(command, func(t *testing.T) {
			r := drover(t, command, "--data-dir", t.TempDir(), spec)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "rebalance is not implemented yet: remove it or set it to false", "auto.hcl:13", "the spec uses what drover does not implement yet (1 error)")
		})
	}
	r := drover(t, "validate", spec)
	wantCode(t, r, exitOK)
}
