package views

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/drover/drover/controller/api"
)

// Status shows the daemon's status (drover status): a table of its
// resources, or the API's JSON as it is.
func (v *View) Status(st api.Status) error {
	if v.json() {
		return writeIndented(v.Out, st)
	}
	return statusTable(v.Out, st)
}

func statusTable(w io.Writer, st api.Status) error {
	if st.Revision == 0 {
		_, err := fmt.Fprintln(w, "Nothing has been applied yet.")
		return err
	}
	state := "converged"
	if !st.Converged {
		state = "not converged"
	}
	fmt.Fprintf(w, "Revision %d (%s), %s\n", st.Revision, st.Hash, state)
	if st.Error != "" {
		fmt.Fprintf(w, "Error: %s\n", st.Error)
	}
	if len(st.Resources) == 0 {
		_, err := fmt.Fprintln(w, "No resources.")
		return err
	}
	stacks := StackOf(st)
	tw := newTable(w)
	// STACK goes after the counts: what reads the leading columns keeps
	// working.
	fmt.Fprintln(tw, "RESOURCE\tDESIRED\tREADY\tSTARTING\tUNHEALTHY\tOUTDATED\tSTATE\tSTACK\tREASON")
	for _, rs := range st.Resources {
		state := "converged"
		switch {
		case rs.Retired:
			state = "retired"
		case !rs.Converged:
			state = "reconciling"
		}
		c := rs.Observed
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", rs.Resource, rs.Desired, c.Ready, c.Starting+c.Creating, c.Unhealthy+c.Dead, c.Outdated, state,
			orDash(stacks[rs.Resource.String()]), rs.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := autoscaleTable(w, st.Resources); err != nil {
		return err
	}
	return sourcesSection(w, st.Sources)
}

// StackOf maps each resource key of st's stacks to the stack declaring
// it, "NAME (orphaned)" for the orphans a stack keeps.
func StackOf(st api.Status) map[string]string {
	m := map[string]string{}
	for _, s := range st.Stacks {
		for _, r := range s.Resources {
			m[r] = s.Name
		}
		for _, r := range s.Orphans {
			m[r] = s.Name + " (orphaned)"
		}
	}
	return m
}

// sourcesSection writes the SOURCES table under the status, when there
// are sources.
func sourcesSection(w io.Writer, sources []api.SourceInfo) error {
	if len(sources) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "SOURCES")
	return sourcesTable(w, sources)
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }
