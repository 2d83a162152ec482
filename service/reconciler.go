package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// The labels drover puts on the services and networks it creates. Only
// those carrying LabelOwner with the reconciler's owner are ever updated
// or removed.
const (
	LabelOwner  = instance.TagOwner  // the drover installation that owns it
	LabelSwarm  = "drover.swarm"     // the swarm it was declared on
	LabelConfig = instance.TagConfig // the swarm hash of what drover set: see desired.swarmHash
	// LabelResumed marks the push of a rollout swarm gave up on for the
	// infrastructure: the version of the service it resumed. Swarm
	// ignores a push of a spec equal to that of the rollout it is stuck
	// on; this label makes it differ, at the service level only, so no
	// task restarts for it.
	LabelResumed = "drover.resumed"
)

// Managers gives a client of a live manager of a swarm (flavor/swarm's
// Clusters implements it). An error matching spierr.ErrUnavailable means
// no manager is known yet: the reconciler waits, it does not fail.
type Managers interface {
	Manager(ctx context.Context, owner, swarm string) (client.APIClient, error)
}

// Target is a service as the reconciler works on it.
type Target struct {
	Spec  *specs.Service
	Owner string
	// Generation identifies the desired state the target belongs to; a
	// pass's Status carries it.
	Generation int64
}

// NetworkTarget is a network as the reconciler works on it.
type NetworkTarget struct {
	Spec       *specs.Network
	Owner      string
	Generation int64
}

// Targets finds the services and networks to reconcile.
type Targets interface {
	Service(name string) (*Target, bool)
	Network(name string) (*NetworkTarget, bool)
	// Declared lists the services and networks the spec declares on a
	// swarm, for the sweep.
	Declared(swarm string) (services, networks []string)
}

// The kinds of the events the reconciler emits (resource.Event.Kind).
const (
	EventCreated          = "created"
	EventUpdated          = "updated"
	EventRemoved          = "removed"
	EventDrift            = "drift" // reported, left alone (drift = "report")
	EventDriftCorrected   = "drift_corrected"
	EventUpdatePaused     = "update_paused"
	EventUpdateRolledBack = "update_rolled_back"
	// EventUpdateResumed: swarm gave up on a rollout because its tasks
	// died with their nodes, and drover pushed the spec again.
	EventUpdateResumed = "update_resumed"
)

// Options configure a Reconciler. Zero fields take the defaults given.
type Options struct {
	// Managers gives the swarms' managers. Required.
	Managers Managers
	// Clock is the time source. Default: reconcile.RealClock.
	Clock reconcile.Clock
	// Events receives what the reconciler did and why. Default: none.
	Events resource.Sink
	// CallTimeout bounds each Docker API call. Default 1m.
	CallTimeout time.Duration
	// OnStatus is called after every pass with the resource's new status.
	// Default: nothing.
	OnStatus func(Status)
	// Poll is how soon a pass that waits for something outside drover (a
	// manager, a dependency, a network, tasks to start, a rollout) asks for
	// the next one. Default 2s.
	Poll time.Duration
	// Retries is how many times an update refused as out of sequence is
	// tried again on a fresh inspect. Default 3.
	Retries int
	// ResumeBackoff is the wait, on Clock, before the second push of a
	// rollout swarm paused or rolled back because its tasks died with
	// their nodes (the first is at once); doubled for each further one.
	// Default 1s.
	ResumeBackoff time.Duration
	// MaxResumeBackoff bounds that wait. Default 1m.
	MaxResumeBackoff time.Duration
}

// Reconciler keeps a swarm's services and networks as the spec says.
type Reconciler struct {
	targets Targets
	opts    Options

	mu        sync.Mutex
	memory    map[resource.Key]*memory
	sweptNets map[string]string // network id -> swarm: removed by the sweep, still listed
}

// New returns a Reconciler, after applying defaults to opts and checking
// them.
func New(targets Targets, opts Options) (*Reconciler, error) {
	if targets == nil || opts.Managers == nil {
		return nil, errors.New("service: targets and managers are required")
	}
	if opts.Clock == nil {
		opts.Clock = reconcile.RealClock{}
	}
	if opts.Events == nil {
		opts.Events = resource.Discard
	}
	opts.CallTimeout = orDefault(opts.CallTimeout, time.Minute)
	opts.Poll = orDefault(opts.Poll, 2*time.Second)
	opts.ResumeBackoff = orDefault(opts.ResumeBackoff, time.Second)
	opts.MaxResumeBackoff = max(orDefault(opts.MaxResumeBackoff, time.Minute), opts.ResumeBackoff)
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	return &Reconciler{targets: targets, opts: opts, memory: map[resource.Key]*memory{}, sweptNets: map[string]string{}}, nil
}

// The keys of a service and of a network.
func serviceKey(name string) resource.Key { return resource.Service.KeyOf(name) }
func networkKey(name string) resource.Key { return resource.Network.KeyOf(name) }

// call bounds one API call by CallTimeout.
func (r *Reconciler) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.opts.CallTimeout)
}

func (r *Reconciler) emit(key resource.Key, kind, reason string, err error) {
	e := resource.Event{Time: r.opts.Clock.Now(), Resource: key, Kind: kind, Reason: reason}
	if err != nil {
		e.Error = err.Error()
	}
	r.opts.Events.Emit(e)
}

func orDefault(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// waitingForManager is the reason of a pass that found no manager.
func waitingForManager(swarm string) string {
	return fmt.Sprintf("waiting for a manager of swarm %s", swarm)
}
