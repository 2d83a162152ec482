package views

import (
	"slices"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
)

func TestMachineLosses(t *testing.T) {
	var many []group.Change
	for i := range 12 {
		many = append(many, group.Change{Kind: group.ChangeReplace, Name: "w-" + string(rune('a'+i))})
	}
	plans := []group.Plan{
		{Group: "adds", Changes: []group.Change{{Kind: group.ChangeCreate, Name: "a-1"}}},
		{Group: "web", Changes: []group.Change{
			{Kind: group.ChangeDestroy, Name: "web-4", Reason: group.Reason{Code: group.ReasonSurplus}}, {Kind: group.ChangeReplace, Name: "web-1", Reason: group.Reason{Code: group.ReasonConfigChanged}},
			{Kind: group.ChangeCreate, Name: "web-5"}, {Kind: group.ChangeReplace, Name: "web-2", Reason: group.Reason{Code: group.ReasonUnhealthy}}, {Kind: group.ChangeDestroy, Name: "web-3", Reason: group.Reason{Code: group.ReasonDead}},
		}},
		{Group: "repairs", Changes: []group.Change{{Kind: group.ChangeReplace, Name: "x-1", Reason: group.Reason{Code: group.ReasonDead}}}},
		{Group: "retired", Changes: []group.Change{{Kind: group.ChangeDestroy, Name: "r-1"}}},
		{Group: "big", Changes: many},
	}
	got := MachineLosses(plans, map[string]bool{"retired": true})
	want := []string{
		"  group.web: destroy web-4; replace web-1 (a rolling update)",
		"  group.big: replace w-a, w-b, w-c, w-d, w-e, w-f, w-g, w-h and 4 more (a rolling update)",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("losses:\n%q\nwant\n%q", got, want)
	}
}

func TestLossLines(t *testing.T) {
	withNetwork := status
	withNetwork.Resources = append(slices.Clone(status.Resources), resource.Status{Resource: resource.Network.KeyOf("front"), Kind: resource.Network, Name: "front"})
	for _, tc := range []struct {
		name string
		got  []string
		want []string
	}{
		{"everything", Everything(withNetwork), []string{"This destroys every group, service and network the daemon manages: 2 groups (4 machines), 1 service and 1 network."}},
		{"everything, nothing", Everything(api.Status{}), nil},
		{"a stack", EverythingOf(withNetwork, "app"), []string{"This destroys every group, service and network of the stack app: 2 groups (4 machines), 1 service and 1 network."}},
		{"a stack, nothing", EverythingOf(api.Status{}, "app"), nil},
		{"held", []string{Held(status.Resources[0]), Held(status.Resources[1])}, []string{"  group.web (3 machines)", "  service.api"}},
		{"dropped", []string{Dropped(resource.Service.KeyOf("api"))}, []string{"  service.api: no longer in the spec, removed"}},
		{"header", WithHeader("This goes:", []string{"  a"}), []string{"This goes:", "  a"}},
		{"header, nothing", WithHeader("This goes:", nil), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !slices.Equal(tc.got, tc.want) {
				t.Fatalf("got\n%q\nwant\n%q", tc.got, tc.want)
			}
		})
	}
}
