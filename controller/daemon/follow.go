package daemon

import (
	"context"
	"sync"

	"github.com/drover/drover/reconcile"
)

// followSources runs one loop per source until ctx ends, starting and
// stopping loops as sources are added and removed.
func (d *Daemon) followSources(ctx context.Context) {
	var wg sync.WaitGroup
	loops := map[*source]context.CancelFunc{}
	defer func() {
		for _, cancel := range loops {
			cancel()
		}
		wg.Wait()
	}()
	for {
		live := map[*source]bool{}
		for _, name := range d.sources.names() {
			if src := d.sources.get(name); src != nil {
				live[src] = true
			}
		}
		for src, cancel := range loops {
			if !live[src] {
				cancel()
				delete(loops, src)
			}
		}
		for src := range live {
			if loops[src] == nil {
				lctx, cancel := context.WithCancel(reconcile.WithLogger(ctx, reconcile.Logger(ctx).With("source", src.config().Name)))
				loops[src] = cancel
				wg.Go(func() { d.follow(lctx, src) })
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-d.sources.changed:
		}
	}
}

// follow polls src at its interval, and whenever a poll is asked for (a
// webhook, a resume), until ctx ends.
func (d *Daemon) follow(ctx context.Context, src *source) {
	for {
		if !src.config().Suspended {
			d.poll(ctx, src, false)
		}
		select {
		case <-ctx.Done():
			return
		case <-src.trigger:
		case <-d.opts.Clock.After(src.config().Interval):
		}
	}
}
