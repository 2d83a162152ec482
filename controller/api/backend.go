package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/drover/drover/resource"
)

// Backend is what the server serves: the daemon implements it.
type Backend interface {
	// Apply loads the bundle and records it as the next revision. A spec
	// that does not load returns a *specs.LoadError.
	Apply(ctx context.Context, req ApplyRequest) (ApplyResponse, error)
	// Plan says what applying req.Bundle (or the current revision) does now.
	Plan(ctx context.Context, req PlanRequest) (PlanResponse, error)
	Status(ctx context.Context) (Status, error)
	Destroy(ctx context.Context, req DestroyRequest) (ApplyResponse, error)
	// History lists the revisions, newest first.
	History(ctx context.Context) ([]RevisionInfo, error)
	Revision(ctx context.Context, n int64) (RevisionDetail, error)
	Rollback(ctx context.Context, req RollbackRequest) (ApplyResponse, error)
	// Subscribe returns the events after ID since that are still held, and
	// a channel of the events that follow. The channel is closed when ctx
	// ends or the subscriber falls too far behind.
	Subscribe(ctx context.Context, since int64) ([]resource.Event, <-chan resource.Event)
	// Ready returns nil once the daemon serves its desired state.
	Ready() error

	// AddSource adds a git source (ErrSourceExists if its name is
	// taken, *InvalidError for bad settings); it is polled at once.
	AddSource(ctx context.Context, spec SourceSpec) (SourceInfo, error)
	// UpdateSource replaces every setting of a source (ErrNotFound if
	// there is none); its stack and revisions stay. It polls at once.
	UpdateSource(ctx context.Context, spec SourceSpec) (SourceInfo, error)
	// Sources lists the sources by name.
	Sources(ctx context.Context) ([]SourceInfo, error)
	// Source returns one source, or an error matching ErrNotFound.
	Source(ctx context.Context, name string) (SourceInfo, error)
	// SuspendSource stops (suspend true) or resumes polling a source.
	SuspendSource(ctx context.Context, name string, suspend bool) (SourceInfo, error)
	// SyncSource polls a source now, applies what it finds, and returns
	// its state after.
	SyncSource(ctx context.Context, name string, req SyncRequest) (SourceInfo, error)
	// RemoveSource removes a source (see RemoveSourceRequest).
	RemoveSource(ctx context.Context, name string, req RemoveSourceRequest) error
}

// ErrNotFound is returned for a revision that does not exist.
var ErrNotFound = errors.New("not found")

// ErrNoRevision is returned by Plan, Rollback and Destroy before any apply.
var ErrNoRevision = errors.New("nothing has been applied yet")

// StatusError is an error with the HTTP status the client got.
type StatusError struct {
	Code int
	Body Error
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("drover daemon: %s (HTTP %d)", e.Body.Error, e.Code)
}

// InvalidError is a spec that loads but cannot be served: a plugin refuses
// its properties, or has no implementation. The server answers 400.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }
