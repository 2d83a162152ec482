package group

import (
	"fmt"
	"sort"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/resource"
)

// ActionKind is what a step does.
type ActionKind string

// The kinds of steps.
const (
	ActionCreate  ActionKind = "create"
	ActionDestroy ActionKind = "destroy"
)

// ChangeKind is how an instance differs from the spec.
type ChangeKind string

// The kinds of changes, rendered "+", "-" and "-/+".
const (
	ChangeCreate  ChangeKind = "create"
	ChangeDestroy ChangeKind = "destroy"
	ChangeReplace ChangeKind = "replace"
)

// Reason codes say why an instance is created, destroyed or replaced.
const (
	ReasonMissing       = "missing"            // the group is short of instances
	ReasonSurplus       = "surplus"            // the group has too many
	ReasonConfigChanged = "config_changed"     // the instance runs an old configuration
	ReasonUnhealthy     = "unhealthy"          // unhealthy past unhealthy_after, or never healthy within grace
	ReasonDead          = "dead"               // the instance stopped and will not come back
	ReasonUnknownID     = "unknown_logical_id" // its logical id is not in the spec
)

// Reason is why an action or change is planned: a code for programs and a
// detail for people ("unhealthy for 45s: healthcheck failing").
type Reason struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

func (r Reason) String() string {
	if r.Detail == "" {
		return r.Code
	}
	return r.Detail
}

// Action is one step to carry out now.
type Action struct {
	Kind      ActionKind  `json:"kind"`
	Name      string      `json:"name"`
	LogicalID string      `json:"logical_id,omitempty"`
	Instance  instance.ID `json:"instance,omitempty"` // for destroys
	Reason    Reason      `json:"reason"`
	// UpdateStep marks the steps of a rolling update, which are spaced by
	// the update delay.
	UpdateStep bool `json:"update_step,omitempty"`
}

// Change is one difference between the spec and the world.
type Change struct {
	Kind      ChangeKind `json:"kind"`
	Name      string     `json:"name"`
	LogicalID string     `json:"logical_id,omitempty"`
	Reason    Reason     `json:"reason"`
	// Count, when above 1, makes this change stand for that many creates
	// not named yet: a plan names at most Limits.MaxCreatesPerPass creates
	// of a group (those of the next pass), and sums up the rest in one
	// change named "(N more)".
	Count int `json:"count,omitempty"`
}

// Instances is how many instances the change is about: Count, or 1.
func (c Change) Instances() int { return max(c.Count, 1) }

// Plan is the outcome of planning a group.
type Plan struct {
	Group string `json:"group"`
	// Changes are every difference to converge, whatever the safety rails
	// allow now: what `drover plan` shows.
	Changes []Change `json:"changes"`
	// Steps are what to do in this pass, within the safety rails.
	Steps []Action `json:"steps"`
	// Waiting says what the group waits for before it can go on.
	Waiting []string `json:"waiting,omitempty"`
	// RequeueAfter is the next deadline at which the plan may change
	// without any event (a grace period ending); 0 for none.
	RequeueAfter time.Duration `json:"requeue_after,omitempty"`
	// Held is set when the observation was not trusted; nothing is done.
	Held string `json:"held,omitempty"`
	// DropSeen is set when this observation had an implausible drop; the
	// next pass accepts it if it is still there.
	DropSeen  bool            `json:"-"`
	Converged bool            `json:"converged"`
	Counts    resource.Counts `json:"counts"`
}

// Compute plans a group. It is pure: the same input gives the same plan,
// and `drover plan` and the reconciler call it alike.
func Compute(in Input) Plan {
	in.Limits = in.Limits.withDefaults()
	p := Plan{Group: in.Desired.Group, Counts: resource.Counts{Desired: in.Desired.Size}}
	if in.Observed.Err != nil {
		p.Held = fmt.Sprintf("observation failed, nothing is changed: %v", in.Observed.Err)
		return p
	}
	if held := implausibleDrop(in.History, liveCount(in.Observed.Instances)); held != "" {
		p.Held, p.DropSeen, p.RequeueAfter = held, true, time.Second
		return p
	}
	w := newWorld(in)
	p.Counts = w.counts()
	p.Changes = w.changes()
	p.Steps = w.steps()
	p.Waiting, p.RequeueAfter = w.waiting()
	p.Converged = len(p.Changes) == 0 && len(p.Steps) == 0 && p.Counts.Ready == in.Desired.Size &&
		p.Counts.Total == in.Desired.Size && p.Counts.Creating == 0
	return p
}

func (l Limits) withDefaults() Limits {
	if l.MaxDestroysPerPass <= 0 {
		l.MaxDestroysPerPass = 10
	}
	if l.MaxCreatesPerPass <= 0 {
		l.MaxCreatesPerPass = 100
	}
	return l
}

func liveCount(all []Instance) int {
	n := 0
	for i := range all {
		if all[i].State != instance.StateTerminated {
			n++
		}
	}
	return n
}

// implausibleDrop holds an observation in which more than half of the
// instances seen last time vanished at once, until a second pass sees the
// same: a provider that loses half a group in one tick is more likely
// wrong than right.
func implausibleDrop(h History, seen int) string {
	if h.DropConfirmed || h.LastCount < 2 || seen*2 >= h.LastCount {
		return ""
	}
	return fmt.Sprintf("%d of %d instances vanished in one observation; waiting for a second look before acting", h.LastCount-seen, h.LastCount)
}

// sortActions orders steps: destroys first (they free names and capacity),
// then creates, each by name.
func sortActions(a []Action) {
	sort.SliceStable(a, func(i, j int) bool {
		if a[i].Kind != a[j].Kind {
			return a[i].Kind == ActionDestroy
		}
		return lessName(a[i].Name, a[j].Name)
	})
}
