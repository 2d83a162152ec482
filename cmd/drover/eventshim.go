package main

import (
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// groupEvents and serviceEvents pass the runner's per-kind events on to a
// resource.Sink, for as long as the runner's options want a group and a
// service sink rather than one resource.Sink.
type groupEvents struct{ sink resource.Sink }

// Emit implements group.EventSink.
func (g groupEvents) Emit(e group.Event) {
	g.sink.Emit(resource.Event{Time: e.Time, Resource: resource.Group.KeyOf(e.Group), Kind: e.Kind, Instance: e.Instance, Reason: e.Reason, Error: e.Error})
}

type serviceEvents struct{ sink resource.Sink }

// Emit implements service.EventSink.
func (s serviceEvents) Emit(e service.Event) {
	key, err := resource.ParseKey(e.Resource)
	if err != nil { // never: the service reconciler's keys are service.web, network.backend
		key = resource.Service.KeyOf(e.Resource)
	}
	s.sink.Emit(resource.Event{Time: e.Time, Resource: key, Kind: e.Kind, Reason: e.Reason, Error: e.Error})
}
