package runner

import (
	"fmt"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/controller/scalestore"
	"github.com/drover/drover/metric"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// The count an autoscaler keeps its resource at: the spec's until it has
// set one, then what it set, within the spec's bounds of the moment.
func TestAutoscalerCount(t *testing.T) {
	acted := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		min, max int
		rec      scaled
		want     int
	}{
		{"not loaded yet: the spec's", 1, 10, scaled{state: autoscale.State{Desired: 7}}, 3},
		{"loaded, nothing set: the spec's", 1, 10, scaled{loaded: true}, 3},
		{"set: what it set", 1, 10, scaled{loaded: true, state: autoscale.State{Desired: 7, LastAction: acted}}, 7},
		{"held at a count: that count", 1, 10, scaled{loaded: true, state: autoscale.State{Desired: 4}}, 4},
		{"max lowered since: the new max", 1, 5, scaled{loaded: true, state: autoscale.State{Desired: 7, LastAction: acted}}, 5},
		{"min raised since: the new min", 8, 10, scaled{loaded: true, state: autoscale.State{Desired: 7, LastAction: acted}}, 8},
		{"scaled to zero: zero, not the spec's", 0, 10, scaled{loaded: true, state: autoscale.State{Desired: 0, LastAction: acted}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &autoscaler{policy: autoscale.Policy{Min: tc.min, Max: tc.max}, from: 3}
			if got := a.count(tc.rec); got != tc.want {
				t.Fatalf("count = %d, want %d", got, tc.want)
			}
		})
	}
}

// ForgetAutoscaled forgets the state of exactly the spec's autoscaled
// resources, so that an apply after a destroy starts from the spec.
func TestForgetAutoscaled(t *testing.T) {
	store := scalestore.NewMemStore()
	r := &Runner{opts: Options{Scales: store}}
	ctx := t.Context()
	keys := []resource.Key{resource.Group.KeyOf("w"), resource.Service.KeyOf("web"), resource.Group.KeyOf("fixed"), resource.Service.KeyOf("elsewhere")}
	for _, key := range keys {
		if err := store.Put(ctx, key, autoscale.State{Desired: 5}); err != nil {
			t.Fatal(err)
		}
		r.scaling.set(key, scaled{loaded: true, state: autoscale.State{Desired: 5}})
	}
	spec := &specs.Spec{
		Groups: []*specs.Group{
			{Resource: specs.Resource{Name: "w"}, Autoscale: &specs.Autoscale{Min: 1, Max: 9}},
			{Resource: specs.Resource{Name: "fixed"}, Size: 5},
		},
		Services: []*specs.Service{{Resource: specs.Resource{Name: "web"}, Autoscale: &specs.Autoscale{Min: 1, Max: 9}}},
	}
	if err := r.ForgetAutoscaled(ctx, spec); err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		_, stored, _ := store.Get(ctx, key)
		loaded := r.scaling.get(key).loaded
		want := key.Name == "fixed" || key.Name == "elsewhere" // not autoscaled by this spec: kept
		if stored != want || loaded != want {
			t.Errorf("%s: stored %v, in memory %v; want %v", key, stored, loaded, want)
		}
	}
}

// A group's autoscaler grows by at most groupStep machines at once unless
// its spec sets max_step; a service's max_step 0 is no limit.
func TestGroupStepLimit(t *testing.T) {
	for _, tc := range []struct {
		key     resource.Key
		maxStep int
		want    int
	}{
		{resource.Group.KeyOf("w"), 0, groupStep},
		{resource.Group.KeyOf("w"), 3, 3},
		{resource.Service.KeyOf("web"), 0, 0},
	} {
		t.Run(fmt.Sprintf("%s max_step %d", tc.key, tc.maxStep), func(t *testing.T) {
			a, err := newAutoscaler(tc.key, "s", &specs.Autoscale{Min: 1, Max: 100, MaxStep: tc.maxStep}, 1, metric.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.policy.MaxStep != tc.want {
				t.Fatalf("max step %d, want %d", a.policy.MaxStep, tc.want)
			}
		})
	}
}
