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
	tw := newTable(w)
	fmt.Fprintln(tw, "RESOURCE\tDESIRED\tREADY\tSTARTING\tUNHEALTHY\tOUTDATED\tSTATE\tREASON")
	for _, rs := range st.Resources {
		state := "converged"
		switch {
		case rs.Retired:
			state = "retired"
		case !rs.Converged:
			state = "reconciling"
		}
		c := rs.Observed
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", rs.Resource, rs.Desired, c.Ready, c.Starting+c.Creating, c.Unhealthy+c.Dead, c.Outdated, state, rs.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return autoscaleTable(w, st.Resources)
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }
