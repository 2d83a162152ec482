package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// writeJSONDiagnostics renders the diagnostics a daemon sent back.
func writeJSONDiagnostics(w io.Writer, raw json.RawMessage) error {
	var diags []specs.JSONDiagnostic
	if err := json.Unmarshal(raw, &diags); err != nil {
		return fmt.Errorf("the daemon sent diagnostics that do not decode: %w", err)
	}
	for _, d := range diags {
		fmt.Fprintf(w, "%s: %s\n", strings.ToUpper(d.Severity[:1])+d.Severity[1:], d.Summary)
		if r := d.Range; r != nil {
			fmt.Fprintf(w, "\n  on %s line %d:\n", r.Filename, r.Start.Line)
		}
		if d.Snippet != nil {
			fmt.Fprintf(w, "  %d: %s\n", d.Range.Start.Line, d.Snippet.Code)
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", d.Detail)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// event prints an API event as progress prints the reconciler's.
func (p *progress) event(e resource.Event) {
	switch e.Kind {
	case "applied":
		p.printf("  * revision %d recorded (%s)\n", e.Revision, e.Reason)
	case "converged", "removed":
		p.printf("  * %s %s\n", e.Resource, e.Kind)
	default:
		p.Emit(e)
	}
}

// pollInterval is how often a waiting client asks for the status.
const pollInterval = 500 * time.Millisecond

// pollStatus asks the daemon for its status until revision rev has
// converged, printing each resource's line when it changes. It ends early
// when another revision supersedes rev or the event stream fails.
func pollStatus(ctx context.Context, c *api.Client, rev int64, out *progress, evErr <-chan error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		for _, rs := range st.Resources {
			out.line(rs.Resource.String(), resourceLine(rs))
		}
		switch {
		case st.Revision > rev:
			out.printf("Revision %d superseded revision %d: stopped waiting.\n", st.Revision, rev)
			return nil
		case st.Error != "":
			return fmt.Errorf("revision %d cannot be served: %s", st.Revision, st.Error)
		case st.Converged:
			out.printf("Revision %d converged: %s.\n", rev, resourceSummary(st))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("revision %d has not converged (%s): %w", rev, resourceSummary(st), context.Cause(ctx))
		case err := <-evErr:
			if err != nil {
				return fmt.Errorf("event stream: %w", err)
			}
		case <-tick.C:
		}
	}
}

// line prints a keyed status line when it changed.
func (p *progress) line(key, line string) {
	p.mu.Lock()
	changed := p.lines[key] != line
	p.lines[key] = line
	p.mu.Unlock()
	if changed {
		p.printf("%s\n", line)
	}
}

func resourceLine(rs resource.Status) string {
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

func resourceSummary(st api.Status) string {
	if len(st.Resources) == 0 {
		return "no resources"
	}
	var parts []string
	for _, rs := range st.Resources {
		parts = append(parts, fmt.Sprintf("%s %d/%d ready", rs.Resource, rs.Observed.Ready, rs.Desired))
	}
	return strings.Join(parts, ", ")
}

// writeStatusTable renders drover status.
func writeStatusTable(w io.Writer, st api.Status) error {
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
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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
	return tw.Flush()
}

// writeHistory renders drover history.
func writeHistory(w io.Writer, revs []api.RevisionInfo) error {
	if len(revs) == 0 {
		_, err := fmt.Fprintln(w, "Nothing has been applied yet.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REVISION\tKIND\tWHEN\tAUTHOR\tHASH\tRESOURCES\tMESSAGE")
	for _, r := range revs {
		num := fmt.Sprint(r.Number)
		if r.Current {
			num += " *"
		}
		kind := r.Kind
		if r.RollbackOf > 0 {
			kind = fmt.Sprintf("%s (of %d)", r.Kind, r.RollbackOf)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", num, kind, r.Time.Local().Format(time.DateTime), r.Author, r.Hash, len(r.Resources), r.Message)
	}
	return tw.Flush()
}

// writeEvent renders one event of drover events.
func writeEvent(w io.Writer, e resource.Event) error {
	s := fmt.Sprintf("%s  #%d  %s", e.Time.Local().Format(time.DateTime), e.ID, e.Kind)
	if !e.Resource.IsZero() {
		s += "  " + e.Resource.String()
	}
	if e.Instance != "" {
		s += "  " + e.Instance
	}
	if e.Revision > 0 {
		s += fmt.Sprintf("  (revision %d)", e.Revision)
	}
	if e.Reason != "" {
		s += "  " + e.Reason
	}
	if e.Error != "" {
		s += "  error: " + e.Error
	}
	_, err := fmt.Fprintln(w, s)
	return err
}
