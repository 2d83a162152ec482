package daemon_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/specs"
)

// A destroy that names resources removes those and nothing else, records a
// revision that a restart serves the same, and can be rolled back.
func TestDestroySomeRemovesOnlyThose(t *testing.T) {
	h := newHarness(t)
	h.apply(bundle("a=2", "b=1", "c=1"))
	h.await("revision 1", converged(1))

	ds, err := h.d.Destroy(t.Context(), api.DestroyRequest{Resources: []string{"group.b", "group.c", "group.elsewhere"}, Author: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Revision.Kind != api.KindDestroy || !slices.Contains(ds.Revision.Resources, "group.a") || slices.Contains(ds.Revision.Resources, "group.b") {
		t.Fatalf("destroy of b and c: %+v", ds.Revision)
	}
	if ds.Revision.Message != "destroy group.b, group.c" {
		t.Errorf("message %q, want the removed resources named", ds.Revision.Message)
	}
	h.await("b and c gone", func(st api.Status) bool { return converged(ds.Revision.Number)(st) && len(st.Resources) == 1 })
	if got := countByGroup(h.plugin); got["a"] != 2 || got["b"]+got["c"] != 0 {
		t.Fatalf("instances after destroying b and c: %v", got)
	}

	h.stop()
	h.start()
	st := h.await("the destroy revision after a restart", converged(ds.Revision.Number))
	if len(st.Resources) != 1 || st.Resources[0].Resource.String() != "group.a" || st.Hash != ds.Revision.Hash {
		t.Fatalf("status after restart: %+v, want group.a alone with hash %s", st, ds.Revision.Hash)
	}
	if got := countByGroup(h.plugin); got["a"] != 2 {
		t.Fatalf("instances after restart: %v", got)
	}

	rb, err := h.d.Rollback(t.Context(), api.RollbackRequest{Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	h.await("rollback", converged(rb.Revision.Number))
	if got := countByGroup(h.plugin); got["a"] != 2 || got["b"] != 1 || got["c"] != 1 {
		t.Fatalf("instances after rolling back: %v", got)
	}
}

// withSwarm adds to b's t.hcl swarm "s", its manager group "m" of one,
// and more.
func withSwarm(b specs.Bundle, more string) specs.Bundle {
	b.Files["t.hcl"] = append(b.Files["t.hcl"], []byte(`
swarm "s" {}
group "m" {
  size = 1
  instance "fake" {}
  flavor "swarm" {
    swarm = swarm.s
    role  = "manager"
  }
}
`+more)...)
	return b
}

func TestDestroySomeRefused(t *testing.T) {
	h := newHarness(t)
	b := withSwarm(bundle("a=1"), `
network "front" { swarm = swarm.s }
service "db" {
  swarm = swarm.s
  image = "db:1"
}
service "web" {
  swarm      = swarm.s
  image      = "x:1"
  networks   = [network.front]
  depends_on = [service.db]
}`)
	h.apply(b)
	cases := []struct {
		name      string
		resources []string
		want      []string
	}{
		{"nothing it declares", []string{"group.zz", "service.zz"}, []string{"declares none of the 2 resources named"}},
		{"a network in use", []string{"network.front"}, []string{"service.web uses network.front, which the destroy removes"}},
		{"a dependency", []string{"service.db"}, []string{"service.web depends on service.db"}},
		{"the swarm's machines", []string{"group.m"}, []string{
			"service.web runs on swarm.s, whose every group the destroy removes",
			"service.db runs on swarm.s", "network.front lives on swarm.s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.d.Destroy(t.Context(), api.DestroyRequest{Resources: tc.resources})
			var ie *api.InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("destroy %v: %v (%T), want an InvalidError", tc.resources, err, err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if hist, _ := h.d.History(t.Context()); len(hist) != 1 {
				t.Fatalf("%d revisions after a refused destroy, want 1", len(hist))
			}
		})
	}
	// The whole swarm at once is fine.
	ds, err := h.d.Destroy(t.Context(), api.DestroyRequest{Resources: []string{"group.m", "network.front", "service.db", "service.web"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"group.a", "provider.fake.default", "swarm.s"}; !slices.Equal(ds.Revision.Resources, want) {
		t.Fatalf("resources left %v, want %v", ds.Revision.Resources, want)
	}
}

func TestDestroyBeforeApply(t *testing.T) {
	h := newHarness(t)
	_, err := h.d.Destroy(t.Context(), api.DestroyRequest{Resources: []string{"group.a"}})
	if !errors.Is(err, api.ErrNoRevision) {
		t.Fatalf("destroy before any apply: %v, want ErrNoRevision", err)
	}
}
