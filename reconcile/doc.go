// Package reconcile is drover's reconcile framework: the Reconciler
// contract (Reconcile(ctx, key) (Result, error)), the rate-limited work
// queue keyed by any comparable type, the driver that runs reconcilers on
// it, the injected clock and the logger carried in the context. It knows
// no kind of resource: group/ and service/ build on it, controller/ runs
// them on resource.Keys.
package reconcile
