package daemon_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/specs"
)

// The daemon's apply and plan refuse what drover accepts but does not act
// on yet, at its file:line, and record nothing.
func TestUnimplementedRefusedByDaemon(t *testing.T) {
	h := newHarness(t)
	h.apply(bundle("a=1"))
	b := bundle("a=1")
	b.Files["t.hcl"] = append(b.Files["t.hcl"], []byte(`swarm "s" {}
group "m" {
  size = 1
  instance "fake" {}
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
service "auto" {
  swarm     = swarm.s
  image     = "x:1"
  rebalance = true
}
`)...)
	check := func(what string, err error) {
		t.Helper()
		var le *specs.LoadError
		if !errors.As(err, &le) || !strings.Contains(err.Error(), "rebalance is not implemented yet: remove it or set it to false") {
			t.Fatalf("%s: %v, want a LoadError at t.hcl:9", what, err)
		}
	}
	_, err := h.d.Apply(t.Context(), api.ApplyRequest{Bundle: b})
	check("apply", err)
	_, err = h.d.Plan(t.Context(), api.PlanRequest{Bundle: &b})
	check("plan", err)
	if hist, _ := h.d.History(t.Context()); len(hist) != 1 {
		t.Fatalf("%d revisions after a refused apply, want 1", len(hist))
	}
}
