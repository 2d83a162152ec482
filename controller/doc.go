// Package controller is drover's engine: the desired-state store, the keyed
// work queue and reconcile driver, triggers and events.
package controller
