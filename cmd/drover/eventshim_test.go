package main

import (
	"testing"
	"time"

	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// The runner's group and service events reach a resource.Sink as the
// same events, keyed by kind and name.
func TestEventShims(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		emit func(resource.Sink)
		want resource.Event
	}{
		{"group", func(s resource.Sink) {
			groupEvents{s}.Emit(group.Event{Time: now, Group: "web", Kind: "create_failed", Instance: "web-3", Reason: "missing", Error: "quota"})
		}, resource.Event{Time: now, Resource: resource.Group.KeyOf("web"), Kind: "create_failed", Instance: "web-3", Reason: "missing", Error: "quota"}},
		{"service", func(s resource.Sink) {
			serviceEvents{s}.Emit(service.Event{Time: now, Resource: "network.front", Kind: "created", Reason: "missing", Error: "x"})
		}, resource.Event{Time: now, Resource: resource.Network.KeyOf("front"), Kind: "created", Reason: "missing", Error: "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []resource.Event
			tc.emit(resource.SinkFunc(func(e resource.Event) { got = append(got, e) }))
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
