package group_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/drover/drover/group"
)

// bigGroup is a 10,000-instance group in the middle of a rolling update,
// with some instances starting, unhealthy or dead.
func bigGroup() (group.Desired, []group.Instance) {
	d := desired(10000)
	insts := make([]group.Instance, 10000)
	for i := range insts {
		in := inst(fmt.Sprintf("web-%d", i+1), age(time.Duration(i)*time.Second))
		switch {
		case i%10 == 0:
			outdated(&in)
		case i%97 == 0:
			unhealthyFor(time.Minute)(&in)
		case i%101 == 0:
			dead(&in)
		case i%53 == 0:
			starting(&in)
			in.CreatedAt = t0.Add(-5 * time.Second)
		}
		insts[i] = in
	}
	return d, insts
}

// BenchmarkSortBaseline10000 is the floor any planner pays: ordering the
// group's instances by name once.
func BenchmarkSortBaseline10000(b *testing.B) {
	_, insts := bigGroup()
	for b.Loop() {
		s := append([]group.Instance(nil), insts...)
		sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	}
}

// BenchmarkPlan10000 plans a 10,000-instance group.
func BenchmarkPlan10000(b *testing.B) {
	d, insts := bigGroup()
	in := group.Input{Desired: d, Observed: group.Observed{Instances: insts}, Now: t0, History: group.History{LastCount: len(insts)}}
	for b.Loop() {
		if p := group.Compute(in); len(p.Steps) == 0 {
			b.Fatal("no steps planned")
		}
	}
}

// BenchmarkPlanWanted plans groups by how many instances are wanted and
// observed, sized by a number and by logical ids: the cost must follow
// what is observed and what one pass does, not what is wanted (100 is the
// baseline; 1,000,000 is past the spec language's limit on purpose).
func BenchmarkPlanWanted(b *testing.B) {
	for _, logical := range []bool{false, true} {
		for _, c := range []struct {
			name           string
			wanted, having int
		}{
			{"100-from-0", 100, 0},
			{"10000-from-0", 10_000, 0},
			{"1000000-from-0", 1_000_000, 0},
			{"10000-from-10000", 10_000, 10_000},
			{"1000000-from-10000", 1_000_000, 10_000},
		} {
			kind := "size"
			if logical {
				kind = "logical"
			}
			b.Run(kind+"/"+c.name, func(b *testing.B) {
				in := observedReady(c.wanted, c.having, logical)
				b.ReportAllocs()
				for b.Loop() {
					group.Compute(in)
				}
			})
		}
	}
}
