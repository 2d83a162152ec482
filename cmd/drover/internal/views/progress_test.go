package views

import (
	"bytes"
	"testing"
	"time"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/resource"
)

// Every event is one line of the same shape, whoever emitted it: the group
// or service reconciler in-process, or the daemon.
func TestProgressEmit(t *testing.T) {
	web := resource.Group.KeyOf("web")
	for _, tc := range []struct {
		name string
		e    resource.Event
		want string
	}{
		{"machine created", resource.Event{Resource: web, Kind: "created", Instance: "web-3", Reason: "missing"}, "  + group.web: web-3 created (missing)\n"},
		{"machine destroyed", resource.Event{Resource: web, Kind: "destroyed", Instance: "web-4", Reason: "surplus"}, "  - group.web: web-4 destroyed (surplus)\n"},
		{"machine lost", resource.Event{Resource: web, Kind: "lost", Instance: "web-1"}, "  ! group.web: web-1 lost\n"},
		{"create failed", resource.Event{Resource: web, Kind: "create_failed", Instance: "web-3", Reason: "missing", Error: "quota"}, "  x group.web: web-3 create failed (missing): quota\n"},
		{"held, no machine", resource.Event{Resource: web, Kind: "held", Reason: "listing incomplete"}, "  ? group.web: held (listing incomplete)\n"},
		{"service created", resource.Event{Resource: resource.Service.KeyOf("api"), Kind: "created", Reason: "missing"}, "  + service.api: created (missing)\n"},
		{"service rolled back", resource.Event{Resource: resource.Service.KeyOf("api"), Kind: "update_rolled_back", Error: "task failed"}, "  * service.api: update rolled back: task failed\n"},
		{"daemon: converged", resource.Event{Resource: web, Kind: "converged", Revision: 2}, "  * group.web: converged\n"},
		{"daemon: removed", resource.Event{Resource: resource.Network.KeyOf("front"), Kind: "removed", Reason: "left the spec"}, "  * network.front: removed (left the spec)\n"},
		{"daemon: applied", resource.Event{Kind: "applied", Reason: "apply by ann@host", Revision: 3}, "  * revision 3 recorded (apply by ann@host)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			var sink resource.Sink = NewProgress(&out)
			sink.Emit(tc.e)
			wantText(t, "out", out.String(), tc.want)
		})
	}
}

// A status line is printed when it changes; once watching, every line
// carries the time.
func TestProgressLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(p *Progress)
		want string
	}{
		{"unchanged line once", func(p *Progress) {
			p.Line("group.web", "group.web: 1/3 ready")
			p.Line("group.web", "group.web: 1/3 ready")
			p.Line("service.api", "service.api: 0/1 running")
			p.Line("group.web", "group.web: 3/3 ready; converged")
		}, "group.web: 1/3 ready\nservice.api: 0/1 running\ngroup.web: 3/3 ready; converged\n"},
		{"back to an earlier line", func(p *Progress) {
			p.Line("group.web", "a")
			p.Line("group.web", "b")
			p.Line("group.web", "a")
		}, "a\nb\na\n"},
		{"watching", func(p *Progress) {
			p.Printf("Apply complete: %s.\n", "group.web 3/3 ready")
			p.Watch()
			p.Line("group.web", "group.web: 2/3 ready")
			p.Emit(resource.Event{Resource: resource.Group.KeyOf("web"), Kind: "lost", Instance: "web-1"})
		}, "Apply complete: group.web 3/3 ready.\n[15:04:05] group.web: 2/3 ready\n[15:04:05]   ! group.web: web-1 lost\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p := NewProgress(&out)
			p.now = func() time.Time { return when }
			tc.do(p)
			wantText(t, "out", out.String(), tc.want)
		})
	}
}

// An autoscaler's evaluations that hold are shown when the rule holding
// them changes, not every interval; every action is shown.
func TestProgressAutoscaleEvents(t *testing.T) {
	web := resource.Service.KeyOf("web")
	ev := func(kind, rule, msg string) resource.Event {
		return resource.Event{Resource: web, Kind: kind, Reason: msg, Autoscale: &resource.Autoscaling{Rule: rule}}
	}
	var out bytes.Buffer
	p := NewProgress(&out)
	for _, e := range []resource.Event{
		ev(autoscale.EventHeld, autoscale.RuleTolerance, "cpu 0.52 of target 0.50"),
		ev(autoscale.EventHeld, autoscale.RuleTolerance, "cpu 0.49 of target 0.50"),
		ev(autoscale.EventAutoscaled, autoscale.RuleTarget, "scaling up 2 -> 4"),
		ev(autoscale.EventHeld, autoscale.RuleCooldownDown, "held by cooldown_down"),
		ev(autoscale.EventHeld, autoscale.RuleCooldownDown, "held by cooldown_down"),
		ev(autoscale.EventHeld, autoscale.RuleTolerance, "cpu 0.5 of target 0.50"),
	} {
		p.Emit(e)
	}
	wantText(t, "out", out.String(), `  = service.web: scale held (cpu 0.52 of target 0.50)
  ~ service.web: autoscaled (scaling up 2 -> 4)
  = service.web: scale held (held by cooldown_down)
  = service.web: scale held (cpu 0.5 of target 0.50)
`)
}
