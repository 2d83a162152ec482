package views

import (
	"testing"

	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

func TestStatusLines(t *testing.T) {
	for _, tc := range []struct {
		name, got, want string
	}{
		{"group, converged", ResourceLine(group.Status{Group: "web", Counts: resource.Counts{Desired: 3, Ready: 3}, Converged: true}.Resource()), "group.web: 3/3 ready; converged"},
		{"group, on its way", ResourceLine(group.Status{Group: "web", Counts: resource.Counts{Desired: 5, Ready: 1, Starting: 1, Creating: 2, Unhealthy: 1, Dead: 1, Outdated: 3}, Waiting: []string{"web-3 to start", "web-4"}}.Resource()),
			"group.web: 1/5 ready, 1 starting, 2 creating, 1 unhealthy, 1 dead, 3 out of date; waiting for web-3 to start; web-4"},
		{"group, error over held", ResourceLine(group.Status{Group: "web", LastError: "quota", Held: "listing"}.Resource()), "group.web: 0/0 ready; error: quota"},
		{"group, held", ResourceLine(group.Status{Group: "web", Held: "listing incomplete"}.Resource()), "group.web: 0/0 ready; held: listing incomplete"},
		{"service, converged", ResourceLine(service.Status{Key: resource.Service.KeyOf("api"), Desired: 2, Running: 2, Converged: true, Reason: "x"}.Resource()), "service.api: 2/2 ready; converged"},
		{"service, reason", ResourceLine(service.Status{Key: resource.Service.KeyOf("api"), Desired: 2, Reason: "rolling out"}.Resource()), "service.api: 0/2 ready; rolling out"},
		{"service, error", ResourceLine(service.Status{Key: resource.Network.KeyOf("front"), LastError: "no manager"}.Resource()), "network.front: 0/0 ready; error: no manager"},
		{"resource, reconciling", ResourceLine(status.Resources[0]), "group.web: 1/3 ready, 1 starting, 1 creating, 1 dead, 2 out of date; waiting for web-3"},
		{"resource, converged", ResourceLine(status.Resources[1]), "service.api: 2/2 ready; converged"},
		{"resource, retired", ResourceLine(status.Resources[2]), "group.old: 0/0 ready (retired: removing its machines)"},
		{"summary", ResourceSummary(status.Resources), "group.web 1/3 ready, service.api 2/2 ready, group.old 0/0 ready"},
		{"summary, nothing", ResourceSummary(nil), "no resources"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantText(t, "line", tc.got, tc.want) })
	}
}
