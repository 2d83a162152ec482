package group_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/drover/drover/group"
)

// fromZero is a group of n wanted, nothing observed: sized by a number, or
// by n logical ids.
func fromZero(n int, logical bool) group.Input {
	d := desired(n)
	if logical {
		d.LogicalIDs = make([]string, n)
		for i := range d.LogicalIDs {
			d.LogicalIDs[i] = "m" + strconv.Itoa(i+1)
		}
	}
	return group.Input{Desired: d, Now: t0}
}

// observedReady is a group of n wanted with the first `have` of them
// observed ready.
func observedReady(n, have int, logical bool) group.Input {
	in := fromZero(n, logical)
	insts := make([]group.Instance, have)
	for i := range insts {
		if logical {
			insts[i] = inst("web-m"+strconv.Itoa(i+1), lid("m"+strconv.Itoa(i+1)))
		} else {
			insts[i] = inst("web-" + strconv.Itoa(i+1))
		}
	}
	in.Observed.Instances = insts
	in.History.LastCount = have
	return in
}

func allocs(in group.Input) float64 {
	return testing.AllocsPerRun(3, func() { group.Compute(in) })
}

// TestPlanCostFollowsObservedNotRequested plans groups of up to 1,000,000
// wanted (beyond what the spec language allows: the planner must not rely
// on the limit) and checks that a pass creates at most the create cap, that
// the plan still accounts for every missing instance, and that the
// allocations follow what is observed and done in the pass, not what is
// asked for: planning 1,000,000 costs what planning the same pass of 100
// (or of 10,100 with 10,000 observed) costs.
func TestPlanCostFollowsObservedNotRequested(t *testing.T) {
	const slack = 16 // the summary change and its strings, and map growth
	for _, logical := range []bool{false, true} {
		tests := []struct {
			name           string
			in, baseline   group.Input
			observed, want int
		}{
			{"from zero", fromZero(1_000_000, logical), fromZero(100, logical), 0, 1_000_000},
			{"10,000 of 10,000 observed", observedReady(10_000, 10_000, logical), observedReady(10_000, 10_000, logical), 10_000, 10_000},
			{"from 10,000 observed", observedReady(1_000_000, 10_000, logical), observedReady(10_100, 10_000, logical), 10_000, 1_000_000},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s logical=%v", tt.name, logical), func(t *testing.T) {
				p := group.Compute(tt.in)
				missing := tt.want - tt.observed
				creates := 0
				for _, a := range p.Steps {
					if a.Kind == group.ActionCreate {
						creates++
					}
				}
				if want := min(missing, 100); creates != want || len(p.Steps) != want {
					t.Errorf("%d creates in %d steps, want %d (the create cap)", creates, len(p.Steps), want)
				}
				if waits := strings.Join(p.Waiting, "; "); missing > 100 && !strings.Contains(waits, "the cap of 100 creates per pass") {
					t.Errorf("waiting %q does not name the create cap", waits)
				}
				accounted := 0
				for _, c := range p.Changes {
					if c.Kind == group.ChangeCreate {
						accounted += c.Instances()
					}
				}
				if accounted != missing || len(p.Changes) > 101 {
					t.Errorf("changes account for %d creates in %d changes, want %d in at most 101", accounted, len(p.Changes), missing)
				}
				got, base := allocs(tt.in), allocs(tt.baseline)
				if got > base+slack {
					t.Errorf("planning allocates %.0f times, against %.0f for the baseline: it allocates per requested machine", got, base)
				}
				// Proportional to what is observed and done: a few
				// allocations per instance, none per instance asked for.
				if bound := float64(20*tt.observed + 20*creates + 200); got > bound {
					t.Errorf("planning allocates %.0f times for %d observed and %d creates (bound %.0f)", got, tt.observed, creates, bound)
				}
				t.Logf("%.0f allocations (baseline %.0f)", got, base)
			})
		}
	}
}
