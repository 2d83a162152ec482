package runner

import (
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
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
