package runner

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/reconcile/clocktest"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// remover is a flavor that records the listings RemoveDead is given.
type remover struct {
	flavor.Plugin // nil: other calls panic
	seen          [][]instance.Description
}

func (f *remover) RemoveDead(_ context.Context, _ json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error {
	if alloc.Group != "workers" {
		panic("allocation of group " + alloc.Group)
	}
	f.seen = append(f.seen, insts)
	return nil
}

// plain is a flavor without RemoveDead.
type plain struct{ flavor.Plugin }

func TestLossPass(t *testing.T) {
	tests := []struct {
		name   string
		state  instance.State // of machine w2
		flavor flavor.Plugin
		calls  int
	}{
		{"a stopped machine", instance.StateStopped, &remover{}, 1},
		{"a terminated machine", instance.StateTerminated, &remover{}, 1},
		{"all running: nothing to do", instance.StateRunning, &remover{}, 0},
		{"a flavor that does not remove", instance.StateStopped, plain{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := fake.New(nil)
			for _, n := range []string{"w1", "w2"} {
				if _, err := inst.Provision(t.Context(), instance.Spec{Name: n, Tags: group.Selector("o", "workers")}); err != nil {
					t.Fatal(err)
				}
			}
			inst.Set("w2", tt.state, "")
			g := &specs.Group{Resource: specs.Resource{Kind: "group", Name: "workers"}, Size: 2}
			w := &world{groups: map[string]*group.Target{"workers": {Spec: g, Owner: "o", Instance: inst, Flavor: tt.flavor}}}
			clock := clocktest.New(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
			r := &Runner{queue: reconcile.NewQueue[resource.Key](reconcile.QueueOptions{Clock: clock}), opts: Options{Clock: clock}, lossUntil: map[string]time.Time{}}
			r.world.Store(w)
			r.bindKinds()
			if res, err := (mux{r}).Reconcile(t.Context(), lossKey("workers")); err != nil || res != (reconcile.Result{}) {
				t.Fatalf("unwatched: %+v, %v", res, err)
			}
			if _, err := (mux{r}).Reconcile(t.Context(), lossKey("nope")); err != nil {
				t.Fatal(err)
			}
			calls := 0
			if rm, ok := tt.flavor.(*remover); ok {
				calls = len(rm.seen)
				if calls > 0 && len(rm.seen[0]) != 2 {
					t.Errorf("RemoveDead saw %d machines, want the complete listing of 2", len(rm.seen[0]))
				}
			}
			if calls != tt.calls {
				t.Errorf("RemoveDead called %d times, want %d", calls, tt.calls)
			}
			// An event of the group wakes its node-loss pass first, if its
			// flavor removes, and the group.
			r.queue.Add(resource.Service.KeyOf("web"))
			r.wake(w, instance.Change{Tags: map[string]string{instance.TagGroup: "workers"}})
			r.wake(w, instance.Change{Tags: map[string]string{instance.TagGroup: "other"}})
			want := []resource.Key{resource.Service.KeyOf("web"), resource.Group.KeyOf("workers")}
			if _, ok := tt.flavor.(*remover); ok {
				want = append([]resource.Key{lossKey("workers")}, want...)
			}
			for _, k := range want {
				if got, _ := r.queue.Get(t.Context()); got != k {
					t.Fatalf("queue gave %q, want %q (order %v)", got, k, want)
				}
			}
			if n := r.queue.Len(); n != 0 {
				t.Errorf("%d more keys queued", n)
			}
			// Watched after the event: a pass that finds no dead machine
			// looks again soon, until the watch ends.
			look := tt.calls == 0 && tt.state == instance.StateRunning
			for _, step := range []struct {
				after time.Duration
				want  time.Duration
			}{{0, lossPoll}, {lossWatch - time.Millisecond, lossPoll}, {time.Millisecond, 0}} {
				clock.Advance(step.after)
				res, err := (mux{r}).Reconcile(t.Context(), lossKey("workers"))
				if !look {
					step.want = 0
				}
				if err != nil || res.RequeueAfter != step.want {
					t.Errorf("%v into the watch: %+v, %v; want a look after %v", clock.Now().Sub(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), res, err, step.want)
				}
			}
		})
	}
}

// The swarm flavor is one that takes dead machines out at once.
func TestSwarmFlavorRemovesDead(t *testing.T) {
	fp, ok := plugins.Builtins(plugins.BuiltinOptions{}).Flavor("swarm")
	if !ok {
		t.Fatal("no swarm flavor")
	}
	fl, err := fp.New(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := fl.(deadRemover); !ok {
		t.Errorf("%T does not take dead machines out at once", fl)
	}
}
