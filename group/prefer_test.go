package group_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
)

// prefer sets the machines the plan gives up first.
func prefer(ids ...instance.ID) func(*group.Input) {
	return func(in *group.Input) { in.Desired.Prefer = ids }
}

// TestPlanPrefer: when the group has more than its size, the machines
// Prefer names go first, in its order, after the unhealthy ones and before
// the outdated ones.
func TestPlanPrefer(t *testing.T) {
	three := func(mods ...func(*group.Instance)) []group.Instance {
		return []group.Instance{
			inst("web-1", age(30*time.Minute)), inst("web-2", age(20*time.Minute)), inst("web-3", append([]func(*group.Instance){age(10 * time.Minute)}, mods...)...),
		}
	}
	cases := []struct {
		name  string
		d     group.Desired
		insts []group.Instance
		mods  []func(*group.Input)
		want  []string // the changes
		steps []string // the steps of the pass; nil: the changes
	}{
		{
			name: "without a preference the newest goes", d: desired(2), insts: three(),
			want: []string{"destroy web-3 (surplus)"},
		},
		{
			name: "the preferred goes", d: desired(2), insts: three(), mods: []func(*group.Input){prefer("id-web-1")},
			want: []string{"destroy web-1 (surplus)"},
		},
		{
			name: "in the preference's order", d: desired(2), insts: three(), mods: []func(*group.Input){prefer("id-web-2", "id-web-1")},
			want: []string{"destroy web-2 (surplus)"},
		},
		{
			name: "all the preferred, then the newest", d: desired(0), insts: three(), mods: []func(*group.Input){prefer("id-web-2", "id-web-1")},
			want: []string{"destroy web-1 (surplus)", "destroy web-2 (surplus)", "destroy web-3 (surplus)"},
		},
		{
			name: "the unhealthy before the preferred", d: desired(2), insts: three(unhealthyFor(time.Second)),
			mods: []func(*group.Input){prefer("id-web-1")},
			want: []string{"destroy web-3 (surplus)"},
		},
		{
			name: "the preferred before the outdated", d: desired(2), insts: three(outdated),
			mods: []func(*group.Input){prefer("id-web-1")},
			want: []string{"destroy web-1 (surplus)", "replace web-3 (config_changed)"},
			// the rolling update surges a replacement of web-3 in web-1's name
			steps: []string{"destroy web-1 (surplus)", "create web-1 (config_changed)"},
		},
		{
			name: "machines the group does not have are ignored", d: desired(2), insts: three(),
			mods: []func(*group.Input){prefer("id-web-9")},
			want: []string{"destroy web-3 (surplus)"},
		},
		{
			name: "no surplus, nothing given up", d: desired(3), insts: three(),
			mods: []func(*group.Input){prefer("id-web-1")},
			want: []string{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan(c.d, c.insts, c.mods...)
			if got := changes(p); !reflect.DeepEqual(got, c.want) {
				t.Errorf("changes = %q, want %q", got, c.want)
			}
			wantSteps := c.steps
			if wantSteps == nil {
				wantSteps = c.want
			}
			if got := steps(p); !reflect.DeepEqual(got, wantSteps) {
				t.Errorf("steps = %q, want %q", got, wantSteps)
			}
		})
	}
}

// TestReconcilerPrefer: a target's Prefer reaches the plan.
func TestReconcilerPrefer(t *testing.T) {
	r := newRig(t, 3)
	r.converge(t)
	descs, err := r.plugin.Describe(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var web1 instance.ID
	for _, d := range descs {
		if d.Tags[group.TagName] == "web-1" {
			web1 = d.ID
		}
	}
	if web1 == "" {
		t.Fatalf("no web-1 among %v", descs)
	}
	r.targets["web"].Spec = specGroup(t, 2, "app:1")
	r.targets["web"].Prefer = []instance.ID{web1}
	p, err := r.rec.Plan(t.Context(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := changes(p), []string{"destroy web-1 (surplus)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
}
