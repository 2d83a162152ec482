// Package runner reconciles a spec: it builds the plugins a spec needs,
// runs the reconciler registered for each kind of resource (mux.go) on one
// work queue keyed by resource.Key, woken by engine events and a jittered
// resync, and switches specs while it runs. drover plan, apply and
// destroy use it in-process; the daemon keeps one.
package runner
