package group_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
)

// sim is a fake world the planner's steps are applied to: created
// instances start, then become healthy readyAfter passes later.
type sim struct {
	now        time.Time
	insts      map[string]*group.Instance
	born       map[string]int // pass at which an instance was created
	pass       int
	readyAfter int
	seq        int
}

func newSim(d group.Desired, config string) *sim {
	s := &sim{now: t0, insts: map[string]*group.Instance{}, born: map[string]int{}, readyAfter: 2}
	for i := 1; i <= d.Size; i++ {
		name := fmt.Sprintf("%s-%d", d.Group, i)
		in := inst(name, func(x *group.Instance) { x.Config = config })
		s.insts[name] = &in
		s.born[name] = -100
	}
	return s
}

func (s *sim) observe() []group.Instance {
	var out []group.Instance
	for name, in := range s.insts {
		if s.pass-s.born[name] >= s.readyAfter && in.State == instance.StateRunning && in.Health != flavor.Unhealthy {
			in.Health = flavor.Healthy
		}
		out = append(out, *in)
	}
	return out
}

func (s *sim) apply(d group.Desired, steps []group.Action) {
	for _, a := range steps {
		switch a.Kind {
		case group.ActionDestroy:
			delete(s.insts, a.Name) // steps list destroys first, as they run
		case group.ActionCreate:
			if _, taken := s.insts[a.Name]; taken {
				panic("planner reused a live name: " + a.Name)
			}
			s.seq++
			s.insts[a.Name] = &group.Instance{ID: instance.ID(fmt.Sprintf("new-%d", s.seq)), Name: a.Name, LogicalID: a.LogicalID,
				Config: d.Config, CreatedAt: s.now, State: instance.StateRunning, Health: flavor.Unknown}
			s.born[a.Name] = s.pass
		}
	}
}

func (s *sim) counts(d group.Desired) (total, ready, current int) {
	for _, in := range s.insts {
		total++
		if in.Health == flavor.Healthy && in.State == instance.StateRunning {
			ready++
			if in.Config == d.Config {
				current++
			}
		}
	}
	return
}

// A rolling update never has fewer than size - max_unavailable ready
// instances nor more than size + max_surge in all, and it finishes.
func TestRollingUpdateInvariants(t *testing.T) {
	for _, c := range []struct{ size, surge, unavailable int }{
		{5, 1, 0}, {5, 0, 1}, {5, 2, 2}, {3, 1, 1}, {10, 3, 0}, {1, 1, 0}, {1, 0, 1}, {7, 0, 3}, {4, 4, 0},
	} {
		t.Run(fmt.Sprintf("size=%d surge=%d unavailable=%d", c.size, c.surge, c.unavailable), func(t *testing.T) {
			d := desired(c.size)
			d.MaxSurge, d.MaxUnavailable = c.surge, c.unavailable
			s := newSim(d, "old")
			var h group.History
			for s.pass = 0; s.pass < 100; s.pass++ {
				p := group.Compute(group.Input{Desired: d, Observed: group.Observed{Instances: s.observe()}, History: h, Now: s.now})
				total, ready, _ := s.counts(d)
				if ready < c.size-c.unavailable {
					t.Fatalf("pass %d: %d ready, below %d", s.pass, ready, c.size-c.unavailable)
				}
				if total > c.size+c.surge {
					t.Fatalf("pass %d: %d instances, above %d", s.pass, total, c.size+c.surge)
				}
				if p.Converged {
					if _, _, current := s.counts(d); current != c.size {
						t.Fatalf("converged with %d current instances", current)
					}
					return
				}
				s.apply(d, p.Steps)
				h.LastCount = len(s.insts)
				s.now = s.now.Add(time.Second)
			}
			t.Fatal("the update did not finish in 100 passes")
		})
	}
}

// Whatever dies along the way, a group converges back to its size with the
// current configuration.
func TestConvergesUnderRandomLoss(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewSource(seed))
			d := desired(6)
			d.MaxSurge, d.MaxUnavailable, d.MaxInFlight = r.Intn(3), r.Intn(2), 1+r.Intn(2)
			if d.MaxSurge+d.MaxUnavailable == 0 {
				d.MaxSurge = 1
			}
			s := newSim(d, "old")
			var h group.History
			for s.pass = 0; s.pass < 200; s.pass++ {
				if s.pass < 40 && r.Intn(4) == 0 { // a death now and then
					for _, in := range s.insts {
						in.State = instance.StateStopped
						break
					}
				}
				p := group.Compute(group.Input{Desired: d, Observed: group.Observed{Instances: s.observe()}, History: h, Now: s.now})
				if p.Converged && s.pass >= 40 {
					return
				}
				s.apply(d, p.Steps)
				h.LastCount = len(s.insts)
				s.now = s.now.Add(time.Second)
			}
			t.Fatalf("did not converge: %d instances", len(s.insts))
		})
	}
}
