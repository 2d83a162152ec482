package group

import (
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/specs"
)

// Desired is what a group should be: the planner's view of a spec group.
type Desired struct {
	Group string
	Size  int
	// LogicalIDs are fixed identities, one instance each; empty for groups
	// sized by a number.
	LogicalIDs []string
	// Config is the hash of the instance and flavor configuration; an
	// instance whose drover.config tag differs is out of date.
	Config string

	Grace          time.Duration
	UnhealthyAfter time.Duration
	MaxInFlight    int

	MaxSurge       int
	MaxUnavailable int
	UpdateDelay    time.Duration

	// Prefer are machines to give up first when the group has more than
	// its size, in this order, after unhealthy ones: Target.Prefer.
	Prefer []instance.ID
}

// DesiredFromSpec turns a spec group into what the planner needs.
func DesiredFromSpec(g *specs.Group) Desired {
	return Desired{
		Group:          g.Name,
		Size:           g.Size,
		LogicalIDs:     g.LogicalIDs,
		Config:         g.Hash,
		Grace:          g.Health.Grace,
		UnhealthyAfter: g.Health.UnhealthyAfter,
		MaxInFlight:    g.Health.MaxInFlight,
		MaxSurge:       g.Update.MaxSurge,
		MaxUnavailable: g.Update.MaxUnavailable,
		UpdateDelay:    g.Update.Delay,
	}
}

// desired is what the planner needs of t: its spec's group and the
// machines to give up first.
func (t *Target) desired() Desired {
	d := DesiredFromSpec(t.Spec)
	d.Prefer = t.Prefer
	return d
}

// Instance is an observed instance with what the planner needs to judge it.
type Instance struct {
	ID        instance.ID
	Name      string
	LogicalID string
	// Config is the instance's drover.config tag.
	Config    string
	CreatedAt time.Time
	State     instance.State
	// Health is the flavor's verdict; Reason says why when it is not
	// healthy.
	Health flavor.Status
	Reason string
	// UnhealthySince is when the instance was first seen unhealthy in the
	// current streak; zero when it is not unhealthy.
	UnhealthySince time.Time
	// Creating is set when the instance belongs to a create still in
	// flight in this process: a dead look is then a half-made instance
	// being finished, not a death.
	Creating bool
	// WasHealthy is set when this process has seen the instance healthy:
	// its health being unknown now (its engine does not answer) is not a
	// reason to replace it; only the flavor's Unhealthy or a stop is.
	WasHealthy bool
	// UnknownSince is when the current streak of unknown health began;
	// zero when the health is known.
	UnknownSince time.Time
}

// Intent is a create that was requested but whose instance has not been
// seen yet. It holds its name and slot so that nothing is created twice.
type Intent struct {
	Group     string    `json:"group"`
	Name      string    `json:"name"`
	LogicalID string    `json:"logical_id,omitempty"`
	Request   string    `json:"request"`
	Created   time.Time `json:"created"`
	// Until is set when the create failed without certainty (a 5xx, a
	// lost reply) on a backend whose listings lag (instance.Lagging): the
	// intent holds the slot until then, and if no listing has shown the
	// instance by then, the create did not happen. Zero: Options.IntentTTL
	// after Created.
	Until time.Time `json:"until,omitzero"`
}

// Observed is one observation of a group.
type Observed struct {
	Instances []Instance
	// Intents are creates in flight that no instance matches yet.
	Intents []Intent
	// Err is set when the observation failed or is incomplete: nothing is
	// planned from it.
	Err error
	// Descriptions are the listed instances as the provider reported them,
	// by id: what the flavor is given to drain one.
	Descriptions map[instance.ID]instance.Description `json:"-"`
}

// History is what the reconciler remembers between passes. It is not
// persisted: losing it only makes the next pass more careful.
type History struct {
	// LastCount is how many instances the previous accepted observation
	// had; a sudden drop below half of it is held for a second look.
	LastCount int
	// DropConfirmed is set when the previous pass already saw the drop.
	DropConfirmed bool
	// LastUpdateStep is when a rolling-update step last happened.
	LastUpdateStep time.Time
	// BreakerUntil is the end of the crash-loop backoff; Failures is the
	// number of replacements that failed in a row.
	BreakerUntil time.Time
	Failures     int
}

// Limits are the controller's own safety rails, beyond the spec's.
type Limits struct {
	// MaxDestroysPerPass caps destroys in one pass. Default 10.
	MaxDestroysPerPass int
	// MaxCreatesPerPass caps creates in one pass: missing instances and
	// rolling-update surge alike. Default 100. A group far below its size
	// (a new group of 10,000) grows by at most this many a pass, and the
	// plan names only the creates of one pass: the rest are one change
	// with a count, so that planning costs what is observed plus what one
	// pass does, never what is merely asked for.
	MaxCreatesPerPass int
}

// Input is everything a plan is computed from.
type Input struct {
	Desired  Desired
	Observed Observed
	History  History
	Limits   Limits
	Now      time.Time
	// PollStarting is how soon to look again while machines are being
	// created or are starting, for a provider that sends no change hints
	// (instance.Watcher) and so says nothing when a machine has booted.
	// Zero: only at deadlines.
	PollStarting time.Duration
}
