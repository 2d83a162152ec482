package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/group"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

func (a *app) applyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply [flags] [SPEC]",
		Short: "Make the machines match the spec, and keep them so with --watch",
		Long: `When a drover daemon is reachable (--addr or DROVER_ADDR, else the default
socket <data-dir>/drover.sock), send the spec to it: it is recorded as the
next revision and the daemon keeps it true from then on. --wait shows
progress until the daemon has converged.

Without a daemon, reconcile the spec's groups in this process until they
converge, showing progress: how many machines are ready per group and what
is being waited on, and each create and destroy with its reason.

With --watch drover then keeps showing every repair (in-process: keeps
healing in the foreground) until interrupted (Ctrl-C).`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, bundle, err := a.captureSpec(cmd, args)
			if err != nil {
				return err
			}
			watch, _ := cmd.Flags().GetBool("watch")
			c, err := a.daemon(cmd)
			if err != nil {
				return err
			}
			if c != nil {
				return a.applyToDaemon(cmd, c, bundle, watch)
			}
			timeout, _ := cmd.Flags().GetDuration("timeout")
			return a.converge(cmd.Context(), spec, "Apply", watch, timeout)
		},
	}
	addVarFlags(cmd)
	addWaitFlags(cmd)
	cmd.Flags().Bool("watch", false, "after converging, keep showing repairs until interrupted (in-process: keep healing)")
	return cmd
}

// applyToDaemon records the bundle as the daemon's next revision.
func (a *app) applyToDaemon(cmd *cobra.Command, c *api.Client, bundle specs.Bundle, watch bool) error {
	ctx := cmd.Context()
	msg, _ := cmd.Flags().GetString("message")
	since := a.lastEvent(ctx, c)
	res, err := c.Apply(ctx, api.ApplyRequest{Bundle: bundle, Author: author(), Message: msg})
	if err != nil {
		return a.daemonError(err)
	}
	rev := res.Revision.Number
	if res.Unchanged {
		fmt.Fprintf(a.io.out, "No changes: the spec is revision %d's, which is current (daemon %s).\n", rev, c.Addr())
	} else {
		fmt.Fprintf(a.io.out, "Revision %d recorded (hash %s) by the daemon at %s.\n", rev, res.Revision.Hash, c.Addr())
	}
	if watch {
		_ = cmd.Flags().Set("wait", "true")
	}
	if err := a.maybeWait(cmd, c, rev, since); err != nil || !watch {
		return err
	}
	fmt.Fprintln(a.io.out, "Watching the daemon's events until you press Ctrl-C.")
	err = c.Events(ctx, a.lastEvent(ctx, c), true, func(e api.Event) error { return writeEvent(a.io.out, e) })
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (a *app) destroyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "destroy [flags] [SPEC]",
		Short: "Remove every machine of the spec's groups, and nothing else",
		Long: `Remove the machines of the spec's groups: those carrying this owner's and
the group's tags. Machines of other groups, other owners or no owner at all
are left alone.

With a daemon reachable, no SPEC is needed: destroy records an empty
revision, every group of the current one is retired and its machines
removed; drover rollback brings them back.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.daemon(cmd)
			if err != nil {
				return err
			}
			if c != nil {
				return a.destroyOnDaemon(cmd, c)
			}
			spec, err := a.loadSpec(cmd, args)
			if err != nil {
				return err
			}
			timeout, _ := cmd.Flags().GetDuration("timeout")
			return a.converge(cmd.Context(), runner.ForDestroy(spec), "Destroy", false, timeout)
		},
	}
	addVarFlags(cmd)
	addWaitFlags(cmd)
	return cmd
}

func (a *app) destroyOnDaemon(cmd *cobra.Command, c *api.Client) error {
	msg, _ := cmd.Flags().GetString("message")
	since := a.lastEvent(cmd.Context(), c)
	res, err := c.Destroy(cmd.Context(), api.DestroyRequest{Author: author(), Message: msg})
	if err != nil {
		return a.daemonError(err)
	}
	fmt.Fprintf(a.io.out, "Revision %d recorded: nothing is desired; the daemon removes every machine it manages.\n", res.Revision.Number)
	return a.maybeWait(cmd, c, res.Revision.Number, since)
}

// converge runs the spec until every group converges (and on, with watch).
func (a *app) converge(ctx context.Context, spec *specs.Spec, what string, watch bool, timeout time.Duration) error {
	out := &progress{w: a.io.out, lines: map[string]string{}}
	r, err := a.newRunner(ctx, spec, out)
	if err != nil {
		return err
	}
	if !watch {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	fmt.Fprintf(a.io.out, "%s: %s, owner %q\n", what, plural(len(r.Groups()), "group"), a.v.GetString("owner"))
	converged := false
	r.Run(ctx, func(r *runner.Runner) bool {
		if r.Converged() && !converged {
			converged = true
			if what == "Destroy" {
				out.printf("Destroy complete: the spec's machines are gone.\n")
			} else {
				out.printf("%s complete: %s.\n", what, summary(r))
			}
			if watch {
				out.printf("Watching: drover heals the groups until you press Ctrl-C.\n")
				out.watching = true
			}
		}
		return converged && !watch
	}, out.update)
	if !converged && !watch {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%s did not converge: %s", strings.ToLower(what), summary(r))}
	}
	return nil
}

func summary(r *runner.Runner) string {
	var parts []string
	for _, st := range r.Statuses() {
		parts = append(parts, fmt.Sprintf("group.%s %d/%d ready", st.Group, st.Counts.Ready, st.Counts.Desired))
	}
	for _, key := range r.Keys() {
		if st, ok := r.ServiceStatus(key); ok {
			parts = append(parts, fmt.Sprintf("%s %d/%d running", key, st.Running, st.Desired))
		}
	}
	return strings.Join(parts, ", ")
}

// progress prints events as they happen and a group's status line when it
// changes. Events come from the reconciler's workers, hence the lock.
type progress struct {
	w        io.Writer
	mu       sync.Mutex
	lines    map[string]string
	watching bool
}

var eventSymbol = map[string]string{
	"created": "+", "destroyed": "-", "lost": "!", "create_failed": "x", "destroy_failed": "x", "held": "?",
}

// Emit implements group.EventSink.
func (p *progress) Emit(e group.Event) {
	sym := eventSymbol[e.Kind]
	if sym == "" {
		sym = "*"
	}
	line := fmt.Sprintf("  %s group.%s: %s %s", sym, e.Group, e.Instance, strings.ReplaceAll(e.Kind, "_", " "))
	if e.Instance == "" {
		line = fmt.Sprintf("  %s group.%s: %s", sym, e.Group, strings.ReplaceAll(e.Kind, "_", " "))
	}
	if e.Reason != "" {
		line += " (" + e.Reason + ")"
	}
	if e.Error != "" {
		line += ": " + e.Error
	}
	p.printf("%s\n", line)
}

func (p *progress) update(r *runner.Runner) {
	for _, key := range r.Keys() {
		kind, name, _ := strings.Cut(key, ".")
		switch kind {
		case runner.KindGroup:
			if st, ok := r.Status(name); ok {
				p.line(key, statusLine(st))
			}
		case runner.KindService, runner.KindNetwork:
			if st, ok := r.ServiceStatus(key); ok {
				p.line(key, serviceLine(st))
			}
		}
	}
}

// serviceProgress prints the service reconciler's events.
type serviceProgress struct{ p *progress }

// Emit implements service.EventSink.
func (s serviceProgress) Emit(e service.Event) {
	line := fmt.Sprintf("  * %s: %s", e.Resource, strings.ReplaceAll(e.Kind, "_", " "))
	if e.Reason != "" {
		line += " (" + e.Reason + ")"
	}
	if e.Error != "" {
		line += ": " + e.Error
	}
	s.p.printf("%s\n", line)
}

func serviceLine(st service.Status) string {
	s := fmt.Sprintf("%s: %d/%d running", st.Resource, st.Running, st.Desired)
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

func statusLine(st group.Status) string {
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

func (p *progress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.watching {
		fmt.Fprintf(p.w, "[%s] ", time.Now().Format("15:04:05"))
	}
	fmt.Fprintf(p.w, format, args...)
}
