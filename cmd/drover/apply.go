package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/group"
	"github.com/drover/drover/specs"
)

func (a *app) applyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply [flags] [SPEC]",
		Short: "Make the machines match the spec, and keep them so with --watch",
		Long: `Reconcile the spec's groups in this process until they converge, showing
progress: how many machines are ready per group and what is being waited on,
and each create and destroy with its reason.

With --watch drover then keeps healing in the foreground, printing every
repair, until interrupted (Ctrl-C).`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := a.loadSpec(cmd, args)
			if err != nil {
				return err
			}
			watch, _ := cmd.Flags().GetBool("watch")
			timeout, _ := cmd.Flags().GetDuration("timeout")
			return a.converge(cmd.Context(), spec, "Apply", watch, timeout)
		},
	}
	addVarFlags(cmd)
	cmd.Flags().Bool("watch", false, "after converging, keep healing until interrupted")
	cmd.Flags().Duration("timeout", 10*time.Minute, "give up if the groups have not converged after this long (not with --watch)")
	return cmd
}

func (a *app) destroyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "destroy [flags] [SPEC]",
		Short: "Remove every machine of the spec's groups, and nothing else",
		Long: `Remove the machines of the spec's groups: those carrying this owner's and
the group's tags. Machines of other groups, other owners or no owner at all
are left alone.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := a.loadSpec(cmd, args)
			if err != nil {
				return err
			}
			timeout, _ := cmd.Flags().GetDuration("timeout")
			return a.converge(cmd.Context(), runner.ForDestroy(spec), "Destroy", false, timeout)
		},
	}
	addVarFlags(cmd)
	cmd.Flags().Duration("timeout", 10*time.Minute, "give up after this long")
	return cmd
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
				out.printf("%s complete: %s.\n", what, summary(r.Statuses()))
			}
			if watch {
				out.printf("Watching: drover heals the groups until you press Ctrl-C.\n")
				out.watching = true
			}
		}
		return converged && !watch
	}, out.update)
	if !converged && !watch {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%s did not converge: %s", strings.ToLower(what), summary(r.Statuses()))}
	}
	return nil
}

func summary(sts []group.Status) string {
	var parts []string
	for _, st := range sts {
		parts = append(parts, fmt.Sprintf("group.%s %d/%d ready", st.Group, st.Counts.Ready, st.Counts.Desired))
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
	for _, st := range r.Statuses() {
		line := statusLine(st)
		p.mu.Lock()
		changed := p.lines[st.Group] != line
		p.lines[st.Group] = line
		p.mu.Unlock()
		if changed {
			p.printf("%s\n", line)
		}
	}
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
