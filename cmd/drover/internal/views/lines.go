package views

import (
	"fmt"
	"strings"

	"github.com/drover/drover/resource"
)

// ResourceLine is the status line of a resource of any kind, in-process
// or as the daemon reports it: "group.web: 2/3 ready, 1 starting; waiting
// for web-3 to be healthy".
func ResourceLine(rs resource.Status) string {
	c := rs.Observed
	s := fmt.Sprintf("%s: %d/%d ready", rs.Resource, c.Ready, rs.Desired)
	for _, part := range []struct {
		n    int
		what string
	}{{c.Starting, "starting"}, {c.Creating, "creating"}, {c.Unhealthy, "unhealthy"}, {c.Dead, "dead"}, {c.Outdated, "out of date"}} {
		if part.n > 0 {
			s += fmt.Sprintf(", %d %s", part.n, part.what)
		}
	}
	if rs.Retired {
		s += " (retired: removing its machines)"
	}
	switch {
	case rs.LastError != "":
		s += "; error: " + rs.LastError
	case rs.Converged:
		s += "; converged"
	case rs.Reason != "":
		s += "; " + rs.Reason
	}
	return s
}

// ResourceSummary is resources on one line: "group.web 3/3 ready,
// service.api 2/2 ready".
func ResourceSummary(resources []resource.Status) string {
	if len(resources) == 0 {
		return "no resources"
	}
	var parts []string
	for _, rs := range resources {
		parts = append(parts, fmt.Sprintf("%s %d/%d ready", rs.Resource, rs.Observed.Ready, rs.Desired))
	}
	return strings.Join(parts, ", ")
}
