package external

import (
	"context"
	"fmt"
	"runtime"
)

// starter performs every plugin start on one goroutine locked to its OS
// thread until the manager stops. Pdeathsig fires when the thread that
// forked the plugin ends, not the process (go.dev/issue/27505): a start on
// an ordinary goroutine could land on a thread the Go runtime later ends,
// killing a healthy plugin. The locked thread lives until drover dies, or
// until Start's context ends, when the plugins are being killed anyway.
type starter struct {
	reqs chan func()
}

func newStarter() *starter { return &starter{reqs: make(chan func())} }

// run serves start requests until ctx ends, then ends its thread.
func (s *starter) run(ctx context.Context) {
	runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
	for {
		select {
		case f := <-s.reqs:
			f()
		case <-ctx.Done():
			return
		}
	}
}

// do runs f on the starter's thread and waits for it. f must be bounded
// (a start is, by StartTimeout).
func (s *starter) do(ctx context.Context, f func()) error {
	done := make(chan struct{})
	select {
	case s.reqs <- func() { defer close(done); f() }:
	case <-ctx.Done():
		return fmt.Errorf("start plugin: %w", context.Cause(ctx))
	}
	<-done
	return nil
}
