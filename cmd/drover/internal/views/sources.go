package views

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/drover/drover/controller/api"
)

// Sources shows the daemon's git sources (drover source list): a table,
// or the API's JSON ([] when there are none).
func (v *View) Sources(list []api.SourceInfo) error {
	if v.json() {
		if list == nil {
			list = []api.SourceInfo{}
		}
		return writeIndented(v.Out, list)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(v.Out, "No sources: drover source add adds one.")
		return err
	}
	return sourcesTable(v.Out, list)
}

// sourcesTable writes one line per source:
//
//	NAME  URL                        REF   STATE  APPLIED  SEEN     LAST FETCH           ERROR
//	app   https://git.example/a.git  main  ready  0123abc  0123abc  2026-01-02 15:04:05
func sourcesTable(w io.Writer, list []api.SourceInfo) error {
	tw := newTable(w)
	fmt.Fprintln(tw, "NAME\tURL\tREF\tSTATE\tAPPLIED\tSEEN\tLAST FETCH\tERROR")
	for _, s := range list {
		st := s.Status
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, safeURL(s.URL), Ref(s), sourceState(s),
			orDash(ShortSHA(st.Applied)), orDash(ShortSHA(st.Seen)), timeOrNever(st.LastFetch), truncate(firstLine(sourceProblem(st)), 60))
	}
	return tw.Flush()
}

// Source shows one source (drover source show): its settings without
// their secrets, and its state.
func (v *View) Source(s api.SourceInfo) error {
	if v.json() {
		return writeIndented(v.Out, s)
	}
	tw := newTable(v.Out)
	row := func(k, val string) { fmt.Fprintf(tw, "%s:\t%s\n", k, val) }
	row("Name", s.Name)
	row("URL", safeURL(s.URL))
	row("Ref", Ref(s))
	row("Path", orText(s.Path, "(the repository's root)"))
	row("Interval", s.Interval.String())
	row("Timeout", s.Timeout.String())
	row("Prune", yesNo(s.Prune, "yes: what leaves the source is removed", "no: what leaves the source is orphaned"))
	row("Env", orText(strings.Join(s.EnvNames, ", "), "none"))
	row("Auth", orText(s.Auth, "none"))
	row("Webhook", yesNo(s.Webhook, "yes", "no"))
	row("Notify", yesNo(s.Notify, "yes", "no"))
	row("Suspended", yesNo(s.Suspended, "yes", "no"))
	row("Added", timeOrNever(s.Added))
	st := s.Status
	row("State", sourceState(s))
	row("Seen", orDash(st.Seen))
	applied := orDash(st.Applied)
	if st.Revision > 0 {
		applied += fmt.Sprintf(" (revision %d)", st.Revision)
	}
	row("Applied", applied)
	row("Last fetch", timeOrNever(st.LastFetch))
	if st.Held != "" || st.HeldReason != "" {
		row("Held", fmt.Sprintf("%s: %s", orDash(st.Held), oneLine(st.HeldReason)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if st.LastError != "" {
		fmt.Fprintf(v.Out, "Last error:\n%s\n", indent(st.LastError))
	}
	if len(st.Orphans) > 0 {
		fmt.Fprintf(v.Out, "Orphans (kept as last applied, no longer following git):\n%s\n", indent(strings.Join(st.Orphans, "\n")))
	}
	return nil
}

// SourceState shows, in a line, what a source command left a source
// doing: "Source app: ready, 0123abc applied (revision 4)."
func (v *View) SourceState(s api.SourceInfo) error {
	if v.json() {
		return writeIndented(v.Out, s)
	}
	st := s.Status
	line := fmt.Sprintf("Source %s: %s", s.Name, sourceState(s))
	if st.Applied != "" {
		line += fmt.Sprintf(", %s applied", ShortSHA(st.Applied))
		if st.Revision > 0 {
			line += fmt.Sprintf(" (revision %d)", st.Revision)
		}
	}
	if st.Seen != "" && st.Seen != st.Applied {
		line += fmt.Sprintf(", %s seen", ShortSHA(st.Seen))
	}
	_, err := fmt.Fprintln(v.Out, line+".")
	return err
}

// Ref is what a source follows: a branch ("main" when none is named) or
// "tag v1.2".
func Ref(s api.SourceInfo) string {
	switch {
	case s.Tag != "":
		return "tag " + s.Tag
	case s.Branch != "":
		return s.Branch
	}
	return "main"
}

// sourceState is the source's state, suspended when it is.
func sourceState(s api.SourceInfo) string {
	if s.Suspended && s.Status.State != api.SourceSuspended {
		return api.SourceSuspended
	}
	return orDash(s.Status.State)
}

// sourceProblem is why the source is not ready: its last error, or why a
// commit is held.
func sourceProblem(st api.SourceStatus) string {
	if st.LastError != "" {
		return st.LastError
	}
	if st.State == api.SourceHeld && st.HeldReason != "" {
		return "held: " + st.HeldReason
	}
	return ""
}

// ShortSHA is the first 7 characters of a commit's hash.
func ShortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// safeURL is u without a password, should a URL carry one.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	if _, ok := p.User.Password(); ok {
		p.User = url.UserPassword(p.User.Username(), "xxxxx")
		return p.String()
	}
	return u
}

// timeOrNever is t in local time, or "never".
func timeOrNever(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format(time.DateTime)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// oneLine is s with its line breaks as spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to n runes, marking the cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func orDash(s string) string { return orText(s, "-") }

func orText(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func yesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

// SourceRemoved says a source was removed: a line, or its JSON
// {"name": ..., "removed": true, "destroyed": ...}.
func (v *View) SourceRemoved(name string, destroyed bool) error {
	if v.json() {
		return writeIndented(v.Out, struct {
			Name      string `json:"name"`
			Removed   bool   `json:"removed"`
			Destroyed bool   `json:"destroyed"`
		}{name, true, destroyed})
	}
	msg := fmt.Sprintf("Source %s removed; what it applied stays.", name)
	if destroyed {
		msg = fmt.Sprintf("Source %s removed; the daemon destroys its stack.", name)
	}
	_, err := fmt.Fprintln(v.Out, msg)
	return err
}
