package group

import (
	"fmt"
	"strings"
	"time"

	"github.com/drover/drover/resource"
)

// Status is a group's state as the last pass saw it.
type Status struct {
	Group     string          `json:"group"`
	Counts    resource.Counts `json:"counts"`
	Waiting   []string        `json:"waiting,omitempty"`
	Held      string          `json:"held,omitempty"`
	Converged bool            `json:"converged"`
	LastError string          `json:"last_error,omitempty"`
	Passes    int             `json:"passes"`
	At        time.Time       `json:"at"`
	// Generation is the Target's generation the pass worked on.
	Generation int64 `json:"generation"`
}

// Status returns what the last pass over a group saw; false before the
// first pass.
func (r *Reconciler) Status(name string) (Status, bool) {
	r.mu.Lock()
	mem, ok := r.memory[name]
	r.mu.Unlock()
	if !ok {
		return Status{}, false
	}
	return mem.getStatus()
}

// Resource shows the group as every kind of resource is shown: Desired
// and Observed count machines.
func (s Status) Resource() resource.Status {
	rs := resource.NewStatus(resource.Group.KeyOf(s.Group))
	c := s.Counts
	rs.Desired, rs.Observed, rs.Converged, rs.LastError = c.Desired, c, s.Converged, s.LastError
	rs.Passes, rs.LastPass, rs.Generation = s.Passes, s.At, s.Generation
	rs.Reason = s.notConvergedReason()
	rs.Conditions = s.conditions()
	return rs
}

// Unobserved is the status of the group before a pass on t: it wants
// t's size, and has not been looked at.
func (t *Target) Unobserved() resource.Status {
	rs := resource.Unobserved(resource.Group.KeyOf(t.Spec.Name))
	rs.Desired = t.Spec.Size
	return rs
}

// notConvergedReason says in a line why the group has not converged.
func (s Status) notConvergedReason() string {
	switch {
	case s.Converged:
		return ""
	case s.LastError != "":
		return "error: " + s.LastError
	case s.Held != "":
		return "held: " + s.Held
	case len(s.Waiting) > 0:
		return "waiting for " + strings.Join(s.Waiting, "; ")
	}
	return fmt.Sprintf("%d/%d ready", s.Counts.Ready, s.Counts.Desired)
}

func (s Status) conditions() []resource.Condition {
	c := s.Counts
	ready := resource.Condition{Type: "Ready", Status: "True", Reason: "AllReady", Message: fmt.Sprintf("%d/%d ready", c.Ready, c.Desired)}
	if c.Ready < c.Desired || c.Outdated > 0 || c.Total > c.Desired {
		ready.Status, ready.Reason = "False", "NotAllReady"
	}
	progressing := resource.Condition{Type: "Progressing", Status: "False", Reason: "Converged"}
	if !s.Converged {
		progressing = resource.Condition{Type: "Progressing", Status: "True", Reason: "Reconciling", Message: strings.Join(s.Waiting, "; ")}
	}
	degraded := resource.Condition{Type: "Degraded", Status: "False"}
	switch {
	case s.LastError != "":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Error", Message: s.LastError}
	case s.Held != "":
		degraded = resource.Condition{Type: "Degraded", Status: "True", Reason: "Held", Message: s.Held}
	}
	return []resource.Condition{ready, progressing, degraded}
}
