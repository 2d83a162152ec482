package group_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
)

// observingFlavor records what an Observer is shown and what Drain gets.
type observingFlavor struct {
	testFlavor
	mu       sync.Mutex
	observed [][]string // names per pass
	drained  []instance.Description
	fail     error
}

func (f *observingFlavor) Observe(_ context.Context, _ json.RawMessage, alloc flavor.Allocation, insts []instance.Description) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for _, d := range insts {
		names = append(names, d.Tags["drover.name"])
	}
	f.observed = append(f.observed, names)
	return f.fail
}

func (f *observingFlavor) Drain(_ context.Context, _ json.RawMessage, d instance.Description) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drained = append(f.drained, d)
	return nil
}

func TestObserverSeesListingAndDrainGetsDescription(t *testing.T) {
	r := newRig(t, 2)
	f := &observingFlavor{}
	r.targets["web"].Flavor = f
	r.converge(t)
	if len(f.observed) == 0 || len(f.observed[len(f.observed)-1]) != 2 {
		t.Fatalf("observed %v, want the two instances in the last pass", f.observed)
	}
	r.plugin.Inject(fake.Faults{DescribeErrors: 1})
	before := len(f.observed)
	r.pass(t)
	if len(f.observed) != before {
		t.Fatal("Observe was called after a failed listing")
	}
	r.targets["web"].Spec = specGroup(t, 1, "app:1")
	r.converge(t)
	if len(f.drained) != 1 || f.drained[0].Tags[instance.TagOwner] != "test" || f.drained[0].State != instance.StateRunning {
		t.Fatalf("drained %+v, want one full description as listed", f.drained)
	}
}

func TestObserverErrorFailsThePass(t *testing.T) {
	r := newRig(t, 1)
	f := &observingFlavor{fail: errors.New("bad props")}
	r.targets["web"].Flavor = f
	r.pass(t)
	st, _ := r.rec.Status("web")
	if n := len(r.plugin.Names()); n != 0 || st.Converged || !strings.Contains(st.Held+st.LastError, "bad props") {
		t.Fatalf("after Observe failed: %d instances, status %+v", n, st)
	}
}
