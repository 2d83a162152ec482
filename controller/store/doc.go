// Package store keeps the daemon's desired state: every applied spec as a
// numbered revision with its history, and the set of retired groups, in an
// embedded bbolt file in the daemon's data dir.
package store
