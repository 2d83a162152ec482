package resource

import (
	"fmt"
	"time"
)

// Event is something a reconciler or the daemon did or saw, with why: one
// type for every kind of resource, from the reconciler that emits it
// through the daemon's hub and API to the CLI that prints it.
type Event struct {
	// ID numbers the events of one daemon, from 1; 0 until the hub
	// publishes the event.
	ID   int64     `json:"id,omitempty"`
	Time time.Time `json:"time"`
	// Resource is what the event is about; zero for an event of the whole
	// desired state ("applied").
	Resource Key `json:"resource,omitzero"`
	// Kind says what happened: created, destroyed, lost, create_failed,
	// destroy_failed, held (groups); created, updated, removed, drift,
	// drift_corrected, update_paused, update_rolled_back, update_resumed
	// (services and networks); autoscaled, scale_held, autoscale_failed
	// (autoscalers); applied, apply_failed, held (git sources); converged,
	// removed, applied (the daemon).
	Kind string `json:"kind"`
	// Instance is the machine the event is about, if any.
	Instance string `json:"instance,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Error    string `json:"error,omitempty"`
	// Autoscale is the evaluation of an autoscaled, scale_held or
	// autoscale_failed event: its inputs, outcome and rule.
	Autoscale *Autoscaling `json:"autoscale,omitempty"`
	// Revision is the desired state's revision the event belongs to, when
	// the daemon knows it.
	Revision int64 `json:"revision,omitempty"`
}

// String renders the event on one line: "group.web: web-1 created (why)".
func (e Event) String() string {
	s := e.Resource.String() + ":"
	if e.Resource.IsZero() {
		s = fmt.Sprintf("revision %d:", e.Revision)
	}
	if e.Instance != "" {
		s += " " + e.Instance
	}
	s += " " + e.Kind
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	if e.Error != "" {
		s += ": " + e.Error
	}
	return s
}

// Sink receives events. Emit must not block for long: reconcilers call it
// inside their passes.
type Sink interface{ Emit(Event) }

// SinkFunc is a function as a Sink.
type SinkFunc func(Event)

// Emit implements Sink.
func (f SinkFunc) Emit(e Event) { f(e) }

// Discard is the Sink that drops every event.
var Discard Sink = SinkFunc(func(Event) {})
