package service

import (
	"fmt"

	"github.com/drover/drover/resource"
)

// Resource shows the service or network as every kind of resource is
// shown: Desired and Observed.Ready count replicas (tasks running).
func (s Status) Resource() resource.Status {
	rs := resource.NewStatus(s.Key)
	rs.Desired, rs.Converged, rs.LastError, rs.Passes, rs.LastPass = s.Desired, s.Converged, s.LastError, s.Passes, s.At
	rs.Generation = s.Generation
	rs.Observed = resource.Counts{Desired: s.Desired, Total: s.Running, Ready: s.Running}
	rs.Reason = s.Reason
	if !s.Converged && rs.Reason == "" {
		rs.Reason = fmt.Sprintf("%d/%d running", s.Running, s.Desired)
	}
	rs.Conditions = s.conditions()
	return rs
}

func (s Status) conditions() []resource.Condition {
	ready := resource.Condition{Type: "Ready", Status: "True", Reason: "AllRunning", Message: fmt.Sprintf("%d/%d running", s.Running, s.Desired)}
	if s.Running < s.Desired {
		ready.Status, ready.Reason = "False", "NotAllRunning"
	}
	degraded := resource.Condition{Type: "Degraded", Status: "False"}
	switch {
	case s.LastError != "":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Error", Message: s.LastError}
	case s.Drift:
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Drift", Message: s.Reason}
	case s.UpdateState == "paused" || s.UpdateState == "rollback_completed":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "UpdateFailed", Message: s.Reason}
	}
	progressing := resource.Condition{Type: "Progressing", Status: "False", Reason: "Converged"}
	if !s.Converged {
		progressing = resource.Condition{Type: "Progressing", Status: "True", Reason: "Reconciling", Message: s.Reason}
	}
	return []resource.Condition{ready, progressing, degraded}
}
