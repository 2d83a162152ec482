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
