package daemon_test

import (
	"slices"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
	"github.com/drover/drover/spierr"
)

// newMeasuredHarness is a harness whose fake plugin measures CPU.
func newMeasuredHarness(t testing.TB) *harness {
	return started(&harness{t: t, resync: time.Hour, plugin: fake.New(nil), measured: true, dir: shortTempDir(t)})
}

// autoscaled is a bundle of one group of fake machines that scales on
// their CPU, evaluated every second and acting at once.
func autoscaled() specs.Bundle {
	return specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`group "auto" {
  instance "fake" {}
  flavor "vanilla" {}
  autoscale {
    min                  = 1
    max                  = 5
    interval             = "1s"
    converge_timeout     = "1s"
    cooldown_up          = "0s"
    cooldown_down        = "0s"
    stabilization_window = "0s"
    metric "cpu" { target = 0.5 }
  }
}
`)}}
}

// autoscaling is group.auto's autoscaler in st; nil before its first
// evaluation.
func autoscaling(st api.Status) *resource.Autoscaling {
	for _, rs := range st.Resources {
		if rs.Resource == resource.Group.KeyOf("auto") {
			return rs.Autoscale
		}
	}
	return nil
}

// sized says that group.auto's autoscaler set n machines and the group
// has them.
func sized(n int) func(api.Status) bool {
	return func(st api.Status) bool {
		a := autoscaling(st)
		return a != nil && a.Desired == n && st.Converged && slices.ContainsFunc(st.Resources, func(rs resource.Status) bool {
			return rs.Name == "auto" && rs.Desired == n && rs.Observed.Ready == n
		})
	}
}

// A group's autoscaler follows its machines' CPU to max, keeps the count
// it set across a re-apply of the same spec and a restart of the daemon,
// holds while the metric cannot be read (and says so in status), and goes
// back to min when the machines are idle.
func TestAutoscaledCountSurvivesReapplyAndRestart(t *testing.T) {
	h := newMeasuredHarness(t)
	h.plugin.SetCPU(1) // every machine at twice the target: the group doubles until max
	h.apply(autoscaled())
	st := h.await("the group at max, 5", sized(5))
	if a := autoscaling(st); a.Max != 5 || a.Metrics[0].Metric != "cpu" || a.Metrics[0].Target != 0.5 {
		t.Fatalf("autoscale status %+v", a)
	}

	if again := h.apply(autoscaled()); !again.Unchanged {
		t.Fatalf("the same spec again: %+v, want unchanged", again)
	}
	h.stop()
	h.plugin.Inject(fakeFaults(spierr.Unavailable("cpu", "the engine's stats are down")))
	h.start()
	st = h.await("an evaluation after the restart that holds on the missing metric", func(st api.Status) bool {
		a := autoscaling(st)
		return a != nil && a.Rule == autoscale.RuleMissing
	})
	a := autoscaling(st)
	if a.Desired != 5 || a.Action != string(autoscale.Hold) || a.Metrics[0].Error == "" {
		t.Fatalf("after a restart with the metric down: %+v, want 5 held with the metric's error", a)
	}
	if n := countByGroup(h.plugin)["auto"]; n != 5 {
		t.Fatalf("%d machines after the restart, want the autoscaled 5 (the spec's starting count is 1)", n)
	}

	h.plugin.Inject(fakeFaults(nil))
	h.plugin.SetCPU(0)
	h.await("the idle group back at min, 1", sized(1))
}

func fakeFaults(cpu error) fake.Faults { return fake.Faults{CPUErr: cpu} }
