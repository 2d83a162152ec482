package group_test

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func desired(size int) group.Desired {
	return group.Desired{
		Group: "web", Size: size, Config: "c0ffee1234567890",
		Grace: time.Minute, UnhealthyAfter: 30 * time.Second, MaxInFlight: 1,
		MaxSurge: 1, MaxUnavailable: 0,
	}
}

// inst builds a ready, up-to-date instance created ten minutes ago.
func inst(name string, opts ...func(*group.Instance)) group.Instance {
	i := group.Instance{
		ID: instance.ID("id-" + name), Name: name, Config: "c0ffee1234567890",
		CreatedAt: t0.Add(-10 * time.Minute), State: instance.StateRunning, Health: flavor.Healthy,
	}
	for _, o := range opts {
		o(&i)
	}
	return i
}

func age(d time.Duration) func(*group.Instance) {
	return func(i *group.Instance) { i.CreatedAt = t0.Add(-d) }
}
func unhealthyFor(d time.Duration) func(*group.Instance) {
	return func(i *group.Instance) {
		i.Health, i.Reason, i.UnhealthySince = flavor.Unhealthy, "healthcheck failing", t0.Add(-d)
	}
}
func starting(i *group.Instance) { i.Health, i.Reason = flavor.Unknown, "starting" }
func dead(i *group.Instance) {
	i.State, i.Health, i.Reason = instance.StateStopped, flavor.Unhealthy, "Exited (137)"
}
func outdated(i *group.Instance) { i.Config = "0ld" }
func lid(id string) func(*group.Instance) {
	return func(i *group.Instance) { i.LogicalID = id }
}

func plan(d group.Desired, insts []group.Instance, mods ...func(*group.Input)) group.Plan {
	in := group.Input{Desired: d, Observed: group.Observed{Instances: insts}, Now: t0, History: group.History{LastCount: len(insts)}}
	for _, m := range mods {
		m(&in)
	}
	return group.Compute(in)
}

// steps renders steps as "create web-4 (missing)", "destroy web-2 (...)".
func steps(p group.Plan) []string {
	out := []string{}
	for _, a := range p.Steps {
		out = append(out, fmt.Sprintf("%s %s (%s)", a.Kind, a.Name, a.Reason.Code))
	}
	return out
}

func changes(p group.Plan) []string {
	out := []string{}
	for _, c := range p.Changes {
		out = append(out, fmt.Sprintf("%s %s (%s)", c.Kind, c.Name, c.Reason.Code))
	}
	return out
}

func TestPlan(t *testing.T) {
	cases := []struct {
		name        string
		d           group.Desired
		insts       []group.Instance
		mods        []func(*group.Input)
		wantSteps   []string
		wantChanges []string
		converged   bool
		held        bool
		requeue     time.Duration
		waiting     string
	}{
		{
			name:        "empty group is created",
			d:           desired(3),
			wantSteps:   []string{"create web-1 (missing)", "create web-2 (missing)", "create web-3 (missing)"},
			wantChanges: []string{"create web-1 (missing)", "create web-2 (missing)", "create web-3 (missing)"},
		},
		{
			name:      "converged",
			d:         desired(3),
			insts:     []group.Instance{inst("web-1"), inst("web-2"), inst("web-3")},
			wantSteps: []string{}, wantChanges: []string{}, converged: true,
		},
		{
			name:        "scale up fills the lowest free names",
			d:           desired(5),
			insts:       []group.Instance{inst("web-1"), inst("web-3")},
			wantSteps:   []string{"create web-2 (missing)", "create web-4 (missing)", "create web-5 (missing)"},
			wantChanges: []string{"create web-2 (missing)", "create web-4 (missing)", "create web-5 (missing)"},
		},
		{
			name:        "scale down gives up the newest",
			d:           desired(2),
			insts:       []group.Instance{inst("web-1", age(50*time.Minute)), inst("web-2", age(40*time.Minute)), inst("web-3", age(30*time.Minute)), inst("web-4", age(20*time.Minute)), inst("web-5", age(10*time.Minute))},
			wantSteps:   []string{"destroy web-3 (surplus)", "destroy web-4 (surplus)", "destroy web-5 (surplus)"},
			wantChanges: []string{"destroy web-3 (surplus)", "destroy web-4 (surplus)", "destroy web-5 (surplus)"},
		},
		{
			name: "scale down gives up unhealthy, then out of date, then newest",
			d:    desired(2),
			insts: []group.Instance{
				inst("web-1", age(50*time.Minute), unhealthyFor(5*time.Second)),
				inst("web-2", age(40*time.Minute), outdated),
				inst("web-3", age(30*time.Minute)),
				inst("web-4", age(20*time.Minute)),
				inst("web-5", age(10*time.Minute)),
			},
			wantSteps:   []string{"destroy web-1 (surplus)", "destroy web-2 (surplus)", "destroy web-5 (surplus)"},
			wantChanges: []string{"destroy web-1 (surplus)", "destroy web-2 (surplus)", "destroy web-5 (surplus)"},
		},
		{
			name:        "scale to zero is capped per pass",
			d:           desired(0),
			insts:       manyInstances(14),
			mods:        []func(*group.Input){func(in *group.Input) { in.Limits.MaxDestroysPerPass = 4 }},
			wantSteps:   []string{"destroy web-11 (surplus)", "destroy web-12 (surplus)", "destroy web-13 (surplus)", "destroy web-14 (surplus)"},
			wantChanges: nil, // 14 destroys, checked by count below
			waiting:     "cap of 4 destroys",
		},
		{
			name:        "a dead instance is replaced at once, under its name",
			d:           desired(3),
			insts:       []group.Instance{inst("web-1"), inst("web-2", dead), inst("web-3")},
			wantSteps:   []string{"destroy web-2 (dead)", "create web-2 (missing)"},
			wantChanges: []string{"replace web-2 (dead)"},
		},
		{
			name:        "a half-made instance of a create in flight is not dead",
			d:           desired(3),
			insts:       []group.Instance{inst("web-1"), inst("web-2", dead, func(i *group.Instance) { i.Creating = true; i.CreatedAt = t0 }), inst("web-3")},
			wantSteps:   []string{},
			wantChanges: []string{},
			requeue:     time.Minute,
		},
		{
			name:        "unhealthy, not yet long enough",
			d:           desired(2),
			insts:       []group.Instance{inst("web-1"), inst("web-2", unhealthyFor(10*time.Second))},
			wantSteps:   []string{},
			wantChanges: []string{},
			requeue:     20 * time.Second,
			waiting:     "web-2 to recover",
		},
		{
			name:        "unhealthy past unhealthy_after is replaced",
			d:           desired(2),
			insts:       []group.Instance{inst("web-1"), inst("web-2", unhealthyFor(31*time.Second))},
			wantSteps:   []string{"destroy web-2 (unhealthy)", "create web-2 (missing)"},
			wantChanges: []string{"replace web-2 (unhealthy)"},
		},
		{
			name:        "unhealthy within the grace period waits for its end",
			d:           desired(2),
			insts:       []group.Instance{inst("web-1"), inst("web-2", age(20*time.Second), unhealthyFor(20*time.Second))},
			wantSteps:   []string{},
			wantChanges: []string{},
			requeue:     40 * time.Second,
		},
		{
			name:        "never healthy within grace is replaced",
			d:           desired(2),
			insts:       []group.Instance{inst("web-1"), inst("web-2", age(61*time.Second), starting)},
			wantSteps:   []string{"destroy web-2 (unhealthy)", "create web-2 (missing)"},
			wantChanges: []string{"replace web-2 (unhealthy)"},
		},
		{
			name:        "starting instances are waited for",
			d:           desired(2),
			insts:       []group.Instance{inst("web-1", age(5*time.Second), starting), inst("web-2", age(15*time.Second), starting)},
			wantSteps:   []string{},
			wantChanges: []string{},
			requeue:     45 * time.Second,
			waiting:     "web-1, web-2 to become healthy",
		},
		{
			name: "max_in_flight bounds replacements of unhealthy instances",
			d:    desired(4),
			insts: []group.Instance{
				inst("web-1", unhealthyFor(40*time.Second)), inst("web-2", unhealthyFor(50*time.Second)),
				inst("web-3", unhealthyFor(45*time.Second)), inst("web-4"),
			},
			wantSteps:   []string{"destroy web-2 (unhealthy)", "create web-2 (missing)"},
			wantChanges: []string{"replace web-1 (unhealthy)", "replace web-2 (unhealthy)", "replace web-3 (unhealthy)"},
			waiting:     "wait for max_in_flight",
		},
		{
			name: "a replacement under way uses up max_in_flight",
			d:    desired(3),
			insts: []group.Instance{
				inst("web-1", unhealthyFor(40*time.Second)), inst("web-2"), inst("web-4", age(5*time.Second), starting),
				inst("web-3", dead),
			},
			// web-4 is the replacement under way: it holds the slot, and
			// web-1 waits for it.
			wantSteps:   []string{"destroy web-3 (dead)"},
			wantChanges: []string{"replace web-1 (unhealthy)", "destroy web-3 (dead)"},
			requeue:     55 * time.Second,
			waiting:     "wait for max_in_flight",
		},
		{
			name:        "rolling update, surge first",
			d:           desired(3),
			insts:       []group.Instance{inst("web-1", outdated), inst("web-2", outdated), inst("web-3", outdated)},
			wantSteps:   []string{"create web-4 (config_changed)"},
			wantChanges: []string{"replace web-1 (config_changed)", "replace web-2 (config_changed)", "replace web-3 (config_changed)"},
		},
		{
			name:        "rolling update waits for the new instance before giving up an old one",
			d:           desired(3),
			insts:       []group.Instance{inst("web-1", outdated), inst("web-2", outdated), inst("web-3", outdated), inst("web-4", age(5*time.Second), starting)},
			wantSteps:   []string{},
			wantChanges: []string{"replace web-1 (config_changed)", "replace web-2 (config_changed)", "destroy web-3 (surplus)"},
			requeue:     55 * time.Second,
			waiting:     "to keep 3 ready",
		},
		{
			name:        "rolling update gives up an old one once the new one is ready",
			d:           desired(3),
			insts:       []group.Instance{inst("web-1", outdated, age(30*time.Minute)), inst("web-2", outdated, age(20*time.Minute)), inst("web-3", outdated, age(15*time.Minute)), inst("web-4", age(time.Minute))},
			wantSteps:   []string{"destroy web-3 (surplus)", "create web-3 (config_changed)"},
			wantChanges: []string{"replace web-1 (config_changed)", "replace web-2 (config_changed)", "destroy web-3 (surplus)"},
		},
		{
			name: "rolling update, unavailable first",
			d: func() group.Desired {
				d := desired(3)
				d.MaxSurge, d.MaxUnavailable = 0, 1
				return d
			}(),
			insts:       []group.Instance{inst("web-1", outdated, age(30*time.Minute)), inst("web-2", outdated, age(20*time.Minute)), inst("web-3", outdated, age(15*time.Minute))},
			wantSteps:   []string{"destroy web-3 (config_changed)", "create web-3 (missing)"},
			wantChanges: []string{"replace web-1 (config_changed)", "replace web-2 (config_changed)", "replace web-3 (config_changed)"},
		},
		{
			name: "update delay spaces the steps",
			d: func() group.Desired {
				d := desired(2)
				d.UpdateDelay = 30 * time.Second
				return d
			}(),
			insts:       []group.Instance{inst("web-1", outdated), inst("web-2")},
			mods:        []func(*group.Input){func(in *group.Input) { in.History.LastUpdateStep = t0.Add(-5 * time.Second) }},
			wantSteps:   []string{},
			wantChanges: []string{"replace web-1 (config_changed)"},
			requeue:     25 * time.Second,
			waiting:     "update delay",
		},
		{
			name:        "a failed observation plans nothing",
			d:           desired(3),
			mods:        []func(*group.Input){func(in *group.Input) { in.Observed.Err = errors.New("engine unreachable") }},
			wantSteps:   []string{},
			wantChanges: []string{},
			held:        true,
		},
		{
			name:        "an implausible drop is held for a second look",
			d:           desired(5),
			insts:       []group.Instance{inst("web-1")},
			mods:        []func(*group.Input){func(in *group.Input) { in.History.LastCount = 5 }},
			wantSteps:   []string{},
			wantChanges: []string{},
			held:        true,
			requeue:     time.Second,
		},
		{
			name:        "a confirmed drop is acted on",
			d:           desired(3),
			insts:       []group.Instance{inst("web-1")},
			mods:        []func(*group.Input){func(in *group.Input) { in.History.LastCount, in.History.DropConfirmed = 5, true }},
			wantSteps:   []string{"create web-2 (missing)", "create web-3 (missing)"},
			wantChanges: []string{"create web-2 (missing)", "create web-3 (missing)"},
		},
		{
			name:  "the crash-loop breaker stops creates, not the clean-up",
			d:     desired(2),
			insts: []group.Instance{inst("web-1"), inst("web-2", dead)},
			mods: []func(*group.Input){func(in *group.Input) {
				in.History.BreakerUntil, in.History.Failures = t0.Add(20*time.Second), 3
			}},
			wantSteps:   []string{"destroy web-2 (dead)"},
			wantChanges: []string{"replace web-2 (dead)"},
			requeue:     20 * time.Second,
			waiting:     "crash-loop backoff after 3",
		},
		{
			name:  "creates in flight hold their slot and name",
			d:     desired(3),
			insts: []group.Instance{inst("web-1")},
			mods: []func(*group.Input){func(in *group.Input) {
				in.Observed.Intents = []group.Intent{{Name: "web-2", Request: "r1", Created: t0}}
			}},
			wantSteps:   []string{"create web-3 (missing)"},
			wantChanges: []string{"create web-3 (missing)"},
			waiting:     "web-2 to become healthy",
		},
		{
			name: "a second instance of a name is surplus, the better one is kept",
			d:    desired(3),
			insts: []group.Instance{inst("web-1"), inst("web-2", starting, age(5*time.Second), func(i *group.Instance) { i.ID = "id-dup" }),
				inst("web-2"), inst("web-3")},
			wantSteps:   []string{"destroy web-2 (surplus)"},
			wantChanges: []string{"destroy web-2 (surplus)"},
		},
		{
			name:  "a create of unknown outcome holds its slot until the listing must show it",
			d:     desired(3),
			insts: []group.Instance{inst("web-1")},
			mods: []func(*group.Input){func(in *group.Input) {
				in.Observed.Intents = []group.Intent{{Name: "web-2", Request: "r1", Created: t0.Add(-time.Minute), Until: t0.Add(30 * time.Second)}}
			}},
			wantSteps:   []string{"create web-3 (missing)"},
			wantChanges: []string{"create web-3 (missing)"},
			requeue:     30*time.Second + time.Millisecond,
			waiting:     "web-2, whose create failed without certainty",
		},
		{
			name:      "a provider without change hints is polled while machines boot",
			d:         desired(2),
			insts:     []group.Instance{inst("web-1"), inst("web-2", starting, age(15*time.Second))},
			mods:      []func(*group.Input){func(in *group.Input) { in.PollStarting = 2 * time.Second }},
			wantSteps: []string{}, wantChanges: []string{},
			requeue: 2 * time.Second,
			waiting: "web-2 to become healthy",
		},
		{
			name: "but not for a machine that was healthy and went quiet",
			d:    desired(2),
			insts: []group.Instance{inst("web-1"), inst("web-2", starting, age(15*time.Second), func(i *group.Instance) {
				i.WasHealthy, i.UnknownSince = true, t0.Add(-time.Minute)
			})},
			mods:      []func(*group.Input){func(in *group.Input) { in.PollStarting = 2 * time.Second }},
			wantSteps: []string{}, wantChanges: []string{},
			requeue: 5 * time.Second,
		},
		{
			name:        "terminated instances are not counted",
			d:           desired(1),
			insts:       []group.Instance{inst("web-1"), inst("web-2", func(i *group.Instance) { i.State = instance.StateTerminated })},
			wantSteps:   []string{},
			wantChanges: []string{},
			converged:   true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(tc.d, tc.insts, tc.mods...)
			if got := steps(p); !reflect.DeepEqual(got, tc.wantSteps) {
				t.Errorf("steps:\n got  %q\n want %q", got, tc.wantSteps)
			}
			if tc.wantChanges != nil {
				if got := changes(p); !reflect.DeepEqual(got, tc.wantChanges) {
					t.Errorf("changes:\n got  %q\n want %q", got, tc.wantChanges)
				}
			}
			if p.Converged != tc.converged {
				t.Errorf("converged = %v, want %v", p.Converged, tc.converged)
			}
			if (p.Held != "") != tc.held {
				t.Errorf("held = %q, want held=%v", p.Held, tc.held)
			}
			if p.RequeueAfter != tc.requeue {
				t.Errorf("requeue after %s, want %s", p.RequeueAfter, tc.requeue)
			}
			if tc.waiting != "" && !strings.Contains(strings.Join(p.Waiting, "; "), tc.waiting) {
				t.Errorf("waiting %q lacks %q", p.Waiting, tc.waiting)
			}
		})
	}
}

func manyInstances(n int) []group.Instance {
	out := make([]group.Instance, n)
	for i := range out {
		out[i] = inst(fmt.Sprintf("web-%d", i+1))
	}
	return out
}

func TestPlanLogicalIDs(t *testing.T) {
	d := desired(3)
	d.Group, d.LogicalIDs = "managers", []string{"m1", "m2", "m3"}
	m := func(name, id string, opts ...func(*group.Instance)) group.Instance {
		return inst(name, append([]func(*group.Instance){lid(id)}, opts...)...)
	}
	cases := []struct {
		name      string
		insts     []group.Instance
		wantSteps []string
	}{
		{"created by id", nil, []string{"create managers-m1 (missing)", "create managers-m2 (missing)", "create managers-m3 (missing)"}},
		{"a missing id is recreated under its name", []group.Instance{m("managers-m1", "m1"), m("managers-m3", "m3")}, []string{"create managers-m2 (missing)"}},
		{"an id not in the spec is destroyed", []group.Instance{m("managers-m1", "m1"), m("managers-m2", "m2"), m("managers-m3", "m3"), m("managers-m9", "m9")}, []string{"destroy managers-m9 (unknown_logical_id)"}},
		{"two instances for one id: the newer goes", []group.Instance{
			m("managers-m1", "m1", age(time.Hour)), m("managers-m1-x", "m1", age(time.Minute)), m("managers-m2", "m2"), m("managers-m3", "m3"),
		}, []string{"destroy managers-m1-x (surplus)"}},
		{"surge for an id takes a second name", []group.Instance{m("managers-m1", "m1", outdated), m("managers-m2", "m2", outdated), m("managers-m3", "m3", outdated)},
			[]string{"create managers-m1-c0ffee (config_changed)"}},
		{"the outdated instance of an id goes once its successor is ready", []group.Instance{
			m("managers-m1", "m1", outdated), m("managers-m1-c0ffee", "m1", age(time.Minute)), m("managers-m2", "m2", outdated), m("managers-m3", "m3", outdated),
		}, []string{"destroy managers-m1 (surplus)", "create managers-m2-c0ffee (config_changed)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := plan(d, tc.insts)
			if got := steps(p); !reflect.DeepEqual(got, tc.wantSteps) {
				t.Errorf("steps:\n got  %q\n want %q", got, tc.wantSteps)
			}
		})
	}
}

// The plan depends on the instances, not on the order they were listed in.
func TestPlanDeterministic(t *testing.T) {
	insts := []group.Instance{
		inst("web-1", outdated, age(time.Hour)), inst("web-2", unhealthyFor(time.Minute)), inst("web-3", dead),
		inst("web-4", age(2*time.Hour)), inst("web-5", age(5*time.Second), starting), inst("web-6", age(3*time.Hour)),
	}
	want := plan(desired(4), insts)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 50; i++ {
		shuffled := append([]group.Instance(nil), insts...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := plan(desired(4), shuffled); !reflect.DeepEqual(got, want) {
			t.Fatalf("plan changed with input order:\n got  %+v\n want %+v", got, want)
		}
	}
}
