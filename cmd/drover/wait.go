package main

import (
	"context"
	"fmt"
	"time"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// waitConverged follows the daemon until its current revision is rev and
// every resource converged, printing events and status lines as they come.
func (a *app) waitConverged(ctx context.Context, c *api.Client, rev int64, since int64) error {
	out := views.NewProgress(a.io.out)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	evErr := make(chan error, 1)
	go func() {
		evErr <- c.Events(ctx, since, true, func(e resource.Event) error { out.Emit(e); return nil })
	}()
	return pollStatus(ctx, c, rev, out, evErr)
}

// pollInterval is how often a waiting client asks for the status.
const pollInterval = 500 * time.Millisecond

// pollStatus asks the daemon for its status until revision rev has
// converged, printing each resource's line when it changes. It ends early
// when another revision supersedes rev or the event stream fails.
func pollStatus(ctx context.Context, c *api.Client, rev int64, out *views.Progress, evErr <-chan error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		for _, rs := range st.Resources {
			out.Line(rs.Resource.String(), views.ResourceLine(rs))
		}
		switch {
		case st.Revision > rev:
			out.Printf("Revision %d superseded revision %d: stopped waiting.\n", st.Revision, rev)
			return nil
		case st.Error != "":
			return fmt.Errorf("revision %d cannot be served: %s", st.Revision, st.Error)
		case st.Converged:
			out.Printf("Revision %d converged: %s.\n", rev, views.ResourceSummary(st.Resources))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("revision %d has not converged (%s): %w", rev, views.ResourceSummary(st.Resources), context.Cause(ctx))
		case err := <-evErr:
			if err != nil {
				return fmt.Errorf("event stream: %w", err)
			}
		case <-tick.C:
		}
	}
}
