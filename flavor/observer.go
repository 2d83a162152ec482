package flavor

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/instance"
)

// Observer is an optional capability of a Plugin: seeing a group's
// instances together, once per reconcile pass, before their health is
// asked. The swarm flavor forms its swarm there (the first manager
// initialises it, new machines join) and takes the nodes of machines that
// are confirmed dead out of the swarm at once. Discover it with a type
// assertion.
type Observer interface {
	// Observe is called with a complete listing of the group's instances,
	// live and dead; never after a listing failed. It returns an error only
	// when it cannot work at all (e.g. bad props); trouble with single
	// instances shows in their Health instead.
	Observe(ctx context.Context, props json.RawMessage, alloc Allocation, insts []instance.Description) error
}
