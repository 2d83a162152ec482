package main

import "testing"

// apply and plan refuse, before anything is planned or started, a spec
// that uses what drover does not implement yet, at its file:line.
func TestUnimplementedRefusedByCLI(t *testing.T) {
	spec := writeFile(t, t.TempDir(), "auto.hcl", `group "web" {
  instance "docker" { image = "x" }
  flavor "vanilla" {}
  autoscale {
    min = 1
    max = 3
    metric "cpu" { target = 0.5 }
  }
}
`)
	for _, command := range []string{"apply", "plan"} {
		t.Run(command, func(t *testing.T) {
			r := drover(t, command, "--data-dir", t.TempDir(), spec)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "autoscale is not implemented yet: remove the block or pin size", "auto.hcl:4", "the spec uses what drover does not implement yet (1 error)")
		})
	}
	r := drover(t, "validate", spec)
	wantCode(t, r, exitOK)
}
