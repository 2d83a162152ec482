package reconcile

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Result says when a key wants to be reconciled again.
type Result struct {
	// Requeue asks for another pass at once (the last pass acted and
	// wants to see the outcome).
	Requeue bool
	// RequeueAfter asks for another pass after a delay (the next deadline,
	// such as a grace period's end); 0 for none.
	RequeueAfter time.Duration
}

// Reconciler brings one key's world to its desired state. K is what names
// a piece of the world (drover's are resource.Keys).
type Reconciler[K comparable] interface {
	Reconcile(ctx context.Context, key K) (Result, error)
}

// Driver runs a Reconciler on the keys of a Queue with a number of workers.
type Driver[K comparable] struct {
	Queue      *Queue[K]
	Reconciler Reconciler[K]
	// Workers is the number of keys reconciled at once. Default 4.
	Workers int
}

// Run processes keys until ctx ends, then shuts the queue down and waits
// for the workers. A failed pass is logged (with the logger in ctx) and
// retried after the key's backoff.
func (d *Driver[K]) Run(ctx context.Context) {
	workers := d.Workers
	if workers <= 0 {
		workers = 4
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d.processNext(ctx) {
			}
		}()
	}
	<-ctx.Done()
	d.Queue.ShutDown()
	wg.Wait()
}

func (d *Driver[K]) processNext(ctx context.Context) bool {
	key, ok := d.Queue.Get(ctx)
	if !ok {
		return false
	}
	defer d.Queue.Done(key)
	start := time.Now()
	res, err := d.Reconciler.Reconcile(ctx, key)
	Logger(ctx).Debug("pass", "key", key, "took", time.Since(start).Round(time.Millisecond), "requeue", res.Requeue, "after", res.RequeueAfter, "err", err)
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// Shutting down: the pass was abandoned, not failed.
	case err != nil:
		Logger(ctx).Error("reconcile failed", "key", key, "err", err)
		d.Queue.AddRateLimited(key)
	case res.Requeue:
		d.Queue.Forget(key)
		d.Queue.Add(key)
	case res.RequeueAfter > 0:
		d.Queue.Forget(key)
		d.Queue.AddAfter(key, res.RequeueAfter)
	default:
		d.Queue.Forget(key)
	}
	return true
}

type loggerKey struct{}

// WithLogger returns a context carrying log.
func WithLogger(ctx context.Context, log *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, log)
}

// Logger returns the logger in ctx, or one that discards.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
