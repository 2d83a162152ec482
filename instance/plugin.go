package instance

import (
	"context"
	"encoding/json"
	"time"
)

// Plugin creates, destroys and describes instances on one backend. All
// errors it returns should be spierr errors, so that the controller can tell
// a retryable failure (spierr.ErrUnavailable) from bad input
// (spierr.ErrInvalid) across a process boundary; any other error is treated
// as spierr.CodeInternal. Methods must honour ctx cancellation and be safe
// for concurrent use.
type Plugin interface {
	// Validate checks props, the plugin's properties for a group, without
	// side effects. It returns a spierr.ErrInvalid error naming the bad
	// property, or a spierr.ErrUnavailable error if checking needs the
	// backend (e.g. to resolve a region) and it cannot be reached.
	Validate(ctx context.Context, props json.RawMessage) error

	// Provision creates one instance from spec and returns its ID once the
	// backend has accepted the request; the instance may still be pending.
	// Every tag in spec.Tags must be set on the instance as it is created,
	// so that Describe can find it even if Provision's reply is lost: the
	// controller sets instance.TagRequest to a fresh value per request and
	// looks for it before retrying. Provision is not idempotent: each
	// successful call creates an instance. Errors: spierr.ErrInvalid if
	// spec cannot be provisioned as given, spierr.ErrUnavailable for
	// temporary failures (rate limits, capacity, outages),
	// spierr.ErrConflict if the backend refuses because of existing state
	// (e.g. a name in use).
	Provision(ctx context.Context, spec Spec) (ID, error)

	// Destroy destroys the instance id and returns once the backend has
	// accepted the request; Describe may report the instance as terminated
	// for a while afterwards. It is idempotent: destroying an instance that
	// does not exist, or no longer exists, returns an error matching
	// spierr.ErrNotFound, which the controller treats as success. "Not
	// found" means the backend positively says there is no such instance,
	// never that it could not be asked (that is spierr.ErrUnavailable).
	Destroy(ctx context.Context, id ID, reason DestroyReason) error

	// Describe returns the instances whose tags include every pair in
	// selector (see Matches); an empty selector matches every instance the
	// plugin can see. Tags are reported decoded, as they were given in
	// Spec.Tags; backend tags that are not drover's are left out or passed
	// through as the plugin sees fit. The list must be complete: if any part
	// of it cannot be fetched, Describe returns an error (typically
	// spierr.ErrUnavailable) and no list, because the controller would
	// replace missing instances. No matching instance is an empty list and
	// a nil error, not spierr.ErrNotFound.
	Describe(ctx context.Context, selector map[string]string) ([]Description, error)
}

// Labeller is an optional capability of a Plugin: changing the tags of an
// existing instance, e.g. to record a logical id or a new config hash after
// an in-place update. Discover it with Capability; it is declared
// (Labelling).
type Labeller interface {
	// Label merges labels into the tags of instance id: the given keys are
	// set, other tags are left as they are. It is idempotent. It returns a
	// spierr.ErrNotFound error if the instance does not exist and a
	// spierr.ErrUnsupported error if the backend cannot change tags of this
	// instance.
	Label(ctx context.Context, id ID, labels map[string]string) error
}

// MetricsSource is an optional capability of a Plugin: reporting load, for
// autoscaling. Discover it with Capability; it is declared (Measuring).
type MetricsSource interface {
	// CPU returns the recent CPU utilisation of each of ids, from 0 (idle) to
	// 1 (all cores busy), averaged over a window of the plugin's choosing.
	// Instances without data (unknown, just created, or gone) are left out
	// of the map rather than failing the call; an error means no data could
	// be fetched at all.
	CPU(ctx context.Context, ids []ID) (map[ID]float64, error)
}

// Watcher is an optional capability of a Plugin: a stream of hints that
// instances changed, so that the controller can react within a second
// instead of at its next resync. Hints may be lost or repeated; the
// controller always re-reads with Describe. Discover it with Capability;
// it is declared (Watching).
type Watcher interface {
	// Watch sends a Change whenever an instance whose tags include every
	// pair in selector is created, stops, dies, is destroyed or changes
	// health. The channel is closed when ctx ends or the stream fails; the
	// caller watches again, with backoff.
	Watch(ctx context.Context, selector map[string]string) (<-chan Change, error)
}

// Change is a hint from a Watcher.
type Change struct {
	ID   ID                `json:"id"`
	Tags map[string]string `json:"tags,omitempty"`
	// Action is the backend's word for what happened ("die", "destroy",
	// "health_status: unhealthy", ...), for logs.
	Action string `json:"action"`
}

// Lagging is an optional capability of a Plugin whose listings may miss a
// new instance for a while after it was created (an eventually consistent
// cloud API). Discover it with Capability. A ListLag of 0 is no lag: a
// wrapper that stands for a plugin whose lag it knows (a transport, a
// supervisor) answers for it.
type Lagging interface {
	// ListLag bounds how long after a create request Describe may still
	// miss the instance. After a create whose outcome is unknown (a 5xx, a
	// lost reply), the controller holds the slot this long, then decides
	// from the listing that it did not happen.
	ListLag() time.Duration
}
