package daemon

import (
	"context"
	"fmt"
	"strings"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// Status implements api.Backend: every group of the current revision and
// every retired group still being emptied, as its last pass saw it.
func (d *Daemon) Status(context.Context) (api.Status, error) {
	cur := d.state.Load()
	out := api.Status{Revision: cur.rec.Number, Hash: cur.rec.Hash, Converged: cur.err == nil, Resources: []resource.Status{}}
	if cur.err != nil {
		out.Error = cur.err.Error()
	}
	sizes := map[string]int{}
	for _, g := range cur.spec.Groups {
		sizes[g.Name] = g.Size
	}
	gen := d.runner.Generation()
	for _, key := range d.runner.Keys() {
		kind, name, _ := strings.Cut(key, ".")
		var rs resource.Status
		switch kind {
		case runner.KindGroup:
			st, seen := d.runner.Status(name)
			rs = resourceStatus(name, sizes[name], st, seen && st.Generation == gen)
			_, rs.Retired = cur.retired[name]
		case runner.KindService, runner.KindNetwork:
			st, seen := d.runner.ServiceStatus(key)
			rs = serviceStatus(kind, name, st, seen && st.Generation == gen)
		default:
			continue // a swarm's sweep has no status of its own
		}
		out.Converged = out.Converged && rs.Converged
		out.Resources = append(out.Resources, rs)
	}
	return out, nil
}

// serviceStatus shows a service or network as resources are shown:
// Desired and Observed.Ready count replicas (tasks running).
func serviceStatus(kind, name string, st service.Status, seen bool) resource.Status {
	rs := resource.NewStatus(resource.Kind(kind).KeyOf(name))
	if !seen {
		rs.Reason = "waiting for a pass on the current revision"
		rs.Conditions = []resource.Condition{{Type: "Observed", Status: "Unknown", Reason: "NotYetObserved"}}
		return rs
	}
	rs.Desired, rs.Converged, rs.LastError, rs.Passes, rs.LastPass = st.Desired, st.Converged, st.LastError, st.Passes, st.At
	rs.Observed = group.Counts{Desired: st.Desired, Total: st.Running, Ready: st.Running}
	rs.Reason = st.Reason
	if !st.Converged && rs.Reason == "" {
		rs.Reason = fmt.Sprintf("%d/%d running", st.Running, st.Desired)
	}
	ready := resource.Condition{Type: "Ready", Status: "True", Reason: "AllRunning", Message: fmt.Sprintf("%d/%d running", st.Running, st.Desired)}
	if st.Running < st.Desired {
		ready.Status, ready.Reason = "False", "NotAllRunning"
	}
	degraded := resource.Condition{Type: "Degraded", Status: "False"}
	switch {
	case st.LastError != "":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Error", Message: st.LastError}
	case st.Drift:
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Drift", Message: st.Reason}
	case st.UpdateState == "paused" || st.UpdateState == "rollback_completed":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "UpdateFailed", Message: st.Reason}
	}
	progressing := resource.Condition{Type: "Progressing", Status: "False", Reason: "Converged"}
	if !st.Converged {
		progressing = resource.Condition{Type: "Progressing", Status: "True", Reason: "Reconciling", Message: st.Reason}
	}
	rs.Conditions = []resource.Condition{ready, progressing, degraded}
	return rs
}

func resourceStatus(name string, size int, st group.Status, seen bool) resource.Status {
	rs := resource.NewStatus(resourceName(name))
	rs.Desired = size
	if !seen {
		rs.Reason = "waiting for a pass on the current revision"
		rs.Conditions = []resource.Condition{{Type: "Observed", Status: "Unknown", Reason: "NotYetObserved"}}
		return rs
	}
	c := st.Counts
	rs.Desired, rs.Observed, rs.Converged, rs.LastError = c.Desired, c, st.Converged, st.LastError
	rs.Passes, rs.LastPass = st.Passes, st.At
	rs.Reason = notConvergedReason(st)
	rs.Conditions = conditions(st)
	return rs
}

// notConvergedReason says in a line why a group has not converged.
func notConvergedReason(st group.Status) string {
	switch {
	case st.Converged:
		return ""
	case st.LastError != "":
		return "error: " + st.LastError
	case st.Held != "":
		return "held: " + st.Held
	case len(st.Waiting) > 0:
		return "waiting for " + strings.Join(st.Waiting, "; ")
	}
	return fmt.Sprintf("%d/%d ready", st.Counts.Ready, st.Counts.Desired)
}

func conditions(st group.Status) []resource.Condition {
	c := st.Counts
	ready := resource.Condition{Type: "Ready", Status: "True", Reason: "AllReady", Message: fmt.Sprintf("%d/%d ready", c.Ready, c.Desired)}
	if c.Ready < c.Desired || c.Outdated > 0 || c.Total > c.Desired {
		ready.Status, ready.Reason = "False", "NotAllReady"
	}
	progressing := resource.Condition{Type: "Progressing", Status: "False", Reason: "Converged"}
	if !st.Converged {
		progressing = resource.Condition{Type: "Progressing", Status: "True", Reason: "Reconciling", Message: strings.Join(st.Waiting, "; ")}
	}
	degraded := resource.Condition{Type: "Degraded", Status: "False"}
	switch {
	case st.LastError != "":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Error", Message: st.LastError}
	case st.Held != "":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Held", Message: st.Held}
	}
	return []resource.Condition{ready, progressing, degraded}
}
