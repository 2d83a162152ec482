package views

import (
	"fmt"
	"strings"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// GroupLine is an in-process group's status line: "group.web: 2/3 ready,
// 1 starting; waiting for web-3 to be healthy".
func GroupLine(st group.Status) string {
	c := st.Counts
	s := fmt.Sprintf("group.%s: %d/%d ready", st.Group, c.Ready, c.Desired)
	for _, part := range []struct {
		n    int
		what string
	}{{c.Starting, "starting"}, {c.Creating, "creating"}, {c.Unhealthy, "unhealthy"}, {c.Dead, "dead"}, {c.Outdated, "out of date"}} {
		if part.n > 0 {
			s += fmt.Sprintf(", %d %s", part.n, part.what)
		}
	}
	switch {
	case st.LastError != "":
		s += "; error: " + st.LastError
	case st.Held != "":
		s += "; held: " + st.Held
	case len(st.Waiting) > 0:
		s += "; waiting for " + strings.Join(st.Waiting, "; ")
	case st.Converged:
		s += "; converged"
	}
	return s
}

// ServiceLine is an in-process service's or network's status line:
// "service.api: 2/3 running; converged".
func ServiceLine(st service.Status) string {
	s := fmt.Sprintf("%s: %d/%d running", st.Key, st.Running, st.Desired)
	switch {
	case st.LastError != "":
		s += "; error: " + st.LastError
	case st.Converged:
		s += "; converged"
	case st.Reason != "":
		s += "; " + st.Reason
	}
	return s
}

// ResourceLine is the status line of a resource as the daemon reports it:
// "group.web: 2/3 ready; waiting for web-3".
func ResourceLine(rs resource.Status) string {
	c := rs.Observed
	s := fmt.Sprintf("%s: %d/%d ready", rs.Resource, c.Ready, rs.Desired)
	if rs.Retired {
		s += " (retired: removing its machines)"
	}
	if rs.Converged {
		return s + "; converged"
	}
	if rs.Reason != "" {
		s += "; " + rs.Reason
	}
	return s
}

// ResourceSummary is the daemon's resources on one line: "group.web 3/3
// ready, service.api 2/2 ready".
func ResourceSummary(st api.Status) string {
	if len(st.Resources) == 0 {
		return "no resources"
	}
	var parts []string
	for _, rs := range st.Resources {
		parts = append(parts, fmt.Sprintf("%s %d/%d ready", rs.Resource, rs.Observed.Ready, rs.Desired))
	}
	return strings.Join(parts, ", ")
}
