// Package daemon is drover run: it keeps the applied specs as numbered
// revisions in its store, reconciles the current one for as long as it
// runs, and serves the HTTP API, events and metrics.
package daemon
