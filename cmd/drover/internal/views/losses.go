package views

import (
	"fmt"
	"strings"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
)

// The lines below list what apply and destroy take away, for the
// confirmation they ask before going on.

// maxNamesShown is how many machine names a confirmation lists per group
// and kind of change before it says "and N more".
const maxNamesShown = 8

// MachineLosses lists, one line per group, the machines plans destroy or
// replace because the spec changed: "group.web: destroy web-4, web-5;
// replace web-1". Repairs (of dead or unhealthy machines) are left out:
// they lose nothing, and drover makes them unasked. So are the groups in
// skip.
func MachineLosses(plans []group.Plan, skip map[string]bool) []string {
	var out []string
	for _, p := range plans {
		if skip[p.Group] {
			continue
		}
		var destroy, replace []string
		for _, c := range p.Changes {
			if c.Reason.Code == group.ReasonDead || c.Reason.Code == group.ReasonUnhealthy {
				continue
			}
			switch c.Kind {
			case group.ChangeDestroy:
				destroy = append(destroy, c.Name)
			case group.ChangeReplace:
				replace = append(replace, c.Name)
			}
		}
		var parts []string
		if len(destroy) > 0 {
			parts = append(parts, "destroy "+nameList(destroy))
		}
		if len(replace) > 0 {
			parts = append(parts, "replace "+nameList(replace)+" (a rolling update)")
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("  group.%s: %s", p.Group, strings.Join(parts, "; ")))
		}
	}
	return out
}

// nameList renders names, at most maxNamesShown of them.
func nameList(names []string) string {
	if len(names) <= maxNamesShown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamesShown], ", "), len(names)-maxNamesShown)
}

// Dropped is the line of a resource the daemon holds that a spec no
// longer declares.
func Dropped(key resource.Key) string {
	return fmt.Sprintf("  %s: no longer in the spec, removed", key)
}

// Held is the line of a resource a destroy removes: a group with how many
// machines it has.
func Held(rs resource.Status) string {
	if rs.Kind == resource.Group {
		return fmt.Sprintf("  %s (%s)", rs.Resource, Plural(rs.Observed.Total, "machine"))
	}
	return "  " + rs.Resource.String()
}

// Everything describes all the daemon manages, for a destroy of it all;
// nil when it manages nothing.
func Everything(st api.Status) []string { return everything(st, "the daemon manages") }

// EverythingOf describes what st holds of stack, for a destroy of the
// stack; nil when it holds nothing. st is narrowed to the stack already.
func EverythingOf(st api.Status, stack string) []string {
	return everything(st, fmt.Sprintf("of the stack %s", stack))
}

func everything(st api.Status, whose string) []string {
	var groups, machines, services, networks int
	for _, rs := range st.Resources {
		switch rs.Kind {
		case resource.Group:
			groups++
			machines += rs.Observed.Total
		case resource.Service:
			services++
		case resource.Network:
			networks++
		}
	}
	if groups+services+networks == 0 {
		return nil
	}
	return []string{fmt.Sprintf("This destroys every group, service and network %s: %s (%s), %s and %s.", whose,
		Plural(groups, "group"), Plural(machines, "machine"), Plural(services, "service"), Plural(networks, "network"))}
}

// WithHeader puts header above lines, when there are any.
func WithHeader(header string, lines []string) []string {
	if len(lines) == 0 {
		return nil
	}
	return append([]string{header}, lines...)
}
