package flavor

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/instance"
)

// Status is an instance's health as a flavor sees it.
type Status string

// The health statuses.
const (
	Healthy   Status = "healthy"   // doing its job, e.g. a ready swarm node
	Unhealthy Status = "unhealthy" // will not recover by itself; replace it
	Unknown   Status = "unknown"   // cannot tell yet, e.g. still booting
)

// Health is the result of a health check.
type Health struct {
	Status Status `json:"status"`
	// Reason explains the status for humans, e.g. "node down since 5m";
	// required for Unhealthy and Unknown.
	Reason string `json:"reason,omitempty"`
}

// Allocation is what a flavor may need to know about the group an instance
// belongs to.
type Allocation struct {
	Group string `json:"group"` // the group's name
	Size  int    `json:"size"`  // the desired number of instances
	// LogicalIDs are the group's fixed ids, for groups that have them (e.g.
	// quorum managers); empty otherwise.
	LogicalIDs []instance.LogicalID `json:"logical_ids,omitempty"`
}

// NewAllocation is the allocation of the group named group: its size and
// its logical ids (none for a group sized by number).
func NewAllocation(group string, size int, logicalIDs []string) Allocation {
	alloc := Allocation{Group: group, Size: size}
	if len(logicalIDs) > 0 {
		alloc.LogicalIDs = make([]instance.LogicalID, len(logicalIDs))
		for i, id := range logicalIDs {
			alloc.LogicalIDs[i] = instance.LogicalID(id)
		}
	}
	return alloc
}

// Plugin adapts instances to a role. props are the flavor's properties for
// the group, a JSON object. As with instance.Plugin, errors should be spierr
// errors (spierr.ErrInvalid for bad input, spierr.ErrUnavailable for
// temporary failures), methods must honour ctx and be safe for concurrent
// use, and secrets such as join tokens must never appear in returned errors
// or health reasons, which are logged and shown to users.
type Plugin interface {
	// Validate checks props against alloc without side effects, e.g. that a
	// manager group has an odd number of logical ids. It returns a
	// spierr.ErrInvalid error naming the problem.
	Validate(ctx context.Context, props json.RawMessage, alloc Allocation) error

	// Prepare returns spec made ready for the role: typically with an init
	// script, extra tags and the material a new machine needs to join the
	// cluster (which it may fetch from the cluster, hence
	// spierr.ErrUnavailable if it cannot). It must not change spec's maps or
	// slices in place: the returned spec gets copies. Tags set by the
	// controller (instance.TagOwner and the other drover.* keys) must be
	// kept as they are.
	Prepare(ctx context.Context, props json.RawMessage, spec instance.Spec, alloc Allocation) (instance.Spec, error)

	// Health reports whether inst is doing its job. When it cannot tell
	// (e.g. the instance is still joining, or the cluster cannot be asked)
	// it returns Unknown with a reason and a nil error; an error is for
	// failures of the check itself, such as bad props. The controller
	// replaces only instances reported Unhealthy.
	Health(ctx context.Context, props json.RawMessage, inst instance.Description) (Health, error)

	// Drain prepares inst to be destroyed, e.g. by draining a swarm node
	// and, for a manager, demoting it, and returns once that is done or ctx
	// ends. It is idempotent: draining an instance that is already drained
	// or no longer part of the cluster returns nil.
	Drain(ctx context.Context, props json.RawMessage, inst instance.Description) error
}
