package views

import (
	"fmt"
	"io"
	"time"

	"github.com/drover/drover/controller/api"
)

// History shows the daemon's revisions, newest first (drover history): a
// table in local time, or the API's JSON as it is.
func (v *View) History(revs []api.RevisionInfo) error {
	if v.json() {
		return writeIndented(v.Out, revs)
	}
	return historyTable(v.Out, revs)
}

func historyTable(w io.Writer, revs []api.RevisionInfo) error {
	if len(revs) == 0 {
		_, err := fmt.Fprintln(w, "Nothing has been applied yet.")
		return err
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "REVISION\tKIND\tWHEN\tAUTHOR\tHASH\tRESOURCES\tSTACK\tCOMMIT\tMESSAGE")
	for _, r := range revs {
		num := fmt.Sprint(r.Number)
		if r.Current {
			num += " *"
		}
		kind := r.Kind
		if r.RollbackOf > 0 {
			kind = fmt.Sprintf("%s (of %d)", r.Kind, r.RollbackOf)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", num, kind, r.Time.Local().Format(time.DateTime), r.Author, r.Hash,
			len(r.Resources), orText(r.Stack, api.DefaultStack), commitLine(r.Commit), truncate(firstLine(r.Message), 72))
	}
	return tw.Flush()
}

// commitLine is a commit's short hash (its message is the revision's), or
// "-".
func commitLine(c *api.CommitInfo) string {
	if c == nil {
		return "-"
	}
	return ShortSHA(c.SHA)
}
