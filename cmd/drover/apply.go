package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

func (a *app) applyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apply [flags] [SPEC]",
		Short: "Make the machines match the spec, and keep them so with --watch",
		Long: `When a drover daemon is reachable (--addr or DROVER_ADDR, else the default
socket <data-dir>/drover.sock), send the spec to it: it is recorded as the
next revision and the daemon keeps it true from then on. --wait shows
progress until the daemon has converged. The daemon's desired state is the
union of named stacks: the spec replaces the stack --stack names ("default"
unless given), and each git source (drover source) has its own.

Without a daemon, reconcile the spec's groups in this process until they
converge, showing progress: how many machines are ready per group and what
is being waited on, and each create and destroy with its reason.

When the plan destroys or replaces machines (a smaller size, a changed
machine: a rolling update replaces it), or, with a daemon, drops a group,
service or network, apply lists what goes and asks for 'yes' first. Without
a terminal to ask on, it refuses unless given -auto-approve. A plan that
only adds asks nothing.

With --watch drover then keeps showing every repair (in-process: keeps
healing in the foreground) until interrupted (Ctrl-C).`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, bundle, err := a.captureSpec(cmd, args)
			if err != nil {
				return err
			}
			if err := a.refuseUnimplemented(spec); err != nil {
				return err
			}
			watch, _ := cmd.Flags().GetBool("watch")
			c, err := a.daemon(cmd)
			if err != nil {
				return err
			}
			stack, err := stackOf(cmd, c)
			if err != nil {
				return err
			}
			if c != nil {
				return a.applyToDaemon(cmd, c, spec, bundle, stack, watch)
			}
			r, out, err := a.approvedRunner(cmd, spec, "apply this spec", "Applying this spec destroys or replaces machines:", nil)
			if err != nil {
				return err
			}
			timeout, _ := cmd.Flags().GetDuration("timeout")
			return a.converge(cmd.Context(), r, out, "Apply", watch, timeout)
		},
	}
	addVarFlags(cmd)
	addWaitFlags(cmd)
	addApproveFlag(cmd)
	addStackFlag(cmd)
	cmd.Flags().Bool("watch", false, "after converging, keep showing repairs until interrupted (in-process: keep healing)")
	return cmd
}

// approvedRunner builds the in-process runner of spec and, unless
// -auto-approve, lists what its plan destroys or replaces, then more, under
// header, and asks before going on (see approve).
func (a *app) approvedRunner(cmd *cobra.Command, spec *specs.Spec, what, header string, more []string) (*runner.Runner, *views.Progress, error) {
	if err := a.lockDataDir(); err != nil {
		return nil, nil, err
	}
	out := views.NewProgress(a.io.out)
	r, err := a.newRunner(cmd.Context(), spec, out)
	if err != nil || autoApproved(cmd) {
		return r, out, err
	}
	plans, err := r.Plan(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	return r, out, a.approve(cmd, what, views.WithHeader(header, append(views.MachineLosses(plans, nil), more...)))
}

// applyToDaemon records the bundle as the daemon's next revision, once
// what it removes is approved.
func (a *app) applyToDaemon(cmd *cobra.Command, c *api.Client, spec *specs.Spec, bundle specs.Bundle, stack string, watch bool) error {
	ctx := cmd.Context()
	if !autoApproved(cmd) {
		losses, err := a.daemonApplyLosses(ctx, c, spec, bundle, stack)
		if err != nil {
			return err
		}
		if err := a.approve(cmd, "apply this spec", views.WithHeader("Applying this spec to the daemon at "+c.Addr()+" removes:", losses)); err != nil {
			return err
		}
	}
	msg, _ := cmd.Flags().GetString("message")
	since := a.lastEvent(ctx, c)
	res, err := c.Apply(ctx, api.ApplyRequest{Bundle: bundle, Author: author(), Message: msg, Stack: stack})
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
	err = followEvents(ctx, c, a.lastEvent(ctx, c), true, views.New(a.io.out, a.io.err, views.Text).Events())
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// daemonApplyLosses lists what applying spec to the daemon's stack takes
// away: the machines its plan destroys or replaces (leaving out the groups
// retired already) and the groups, services and networks of the stack it
// no longer declares.
func (a *app) daemonApplyLosses(ctx context.Context, c *api.Client, spec *specs.Spec, bundle specs.Bundle, stack string) ([]string, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, a.daemonError(err)
	}
	st = stackStatus(st, stack)
	plan, err := c.Plan(ctx, api.PlanRequest{Bundle: &bundle, Stack: stack})
	if err != nil {
		return nil, a.daemonError(err)
	}
	retired := map[string]bool{}
	declared := declaredKeys(spec)
	var dropped []string
	for _, rs := range st.Resources {
		switch {
		case rs.Retired:
			retired[rs.Name] = true
		case !slices.Contains(declared, rs.Resource.String()):
			dropped = append(dropped, views.Dropped(rs.Resource))
		}
	}
	return append(dropped, views.MachineLosses(plan.Groups, retired)...), nil
}

// declaredKeys lists the groups, services and networks spec declares, as
// kind.name.
func declaredKeys(spec *specs.Spec) []string {
	var keys []string
	for r := range spec.Resources() {
		switch resource.Kind(r.Kind) {
		case resource.Group, resource.Service, resource.Network:
			keys = append(keys, r.Addr())
		}
	}
	return keys
}

func autoApproved(cmd *cobra.Command) bool {
	auto, _ := cmd.Flags().GetBool("auto-approve")
	return auto
}

func (a *app) destroyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "destroy [flags] [SPEC]",
		Short: "Remove what the spec declares, and nothing else",
		Long: `Remove the machines of the spec's groups, and its services and networks.
In-process, these are the machines carrying this owner's and the group's
tags: machines of other groups, other owners or no owner at all are left
alone.

With a daemon reachable, destroy acts on one stack (--stack NAME, default
"default"; the other stacks, such as git sources', stay): destroy SPEC
records a revision of the stack without the groups, services and networks
SPEC declares, and the daemon removes those; destroy without SPEC removes
the whole stack, and says so before it asks. drover rollback brings either
back.

destroy lists what goes and asks for 'yes' first. Without a terminal to ask
on, it refuses unless given -auto-approve.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.daemon(cmd)
			if err != nil {
				return err
			}
			stack, err := stackOf(cmd, c)
			if err != nil {
				return err
			}
			if c != nil {
				return a.destroyOnDaemon(cmd, c, stack, args)
			}
			spec, err := a.loadSpec(cmd, args)
			if err != nil {
				return err
			}
			var others []string
			for _, s := range spec.Services {
				others = append(others, "  "+s.Addr())
			}
			for _, n := range spec.Networks {
				others = append(others, "  "+n.Addr())
			}
			header := fmt.Sprintf("This destroys the machines of the spec's groups (owner %q), and its services and networks:", a.v.GetString("owner"))
			r, out, err := a.approvedRunner(cmd, runner.ForDestroy(spec), "destroy them", header, others)
			if err != nil {
				return err
			}
			timeout, _ := cmd.Flags().GetDuration("timeout")
			if err := a.converge(cmd.Context(), r, out, "Destroy", false, timeout); err != nil {
				return err
			}
			return r.ForgetAutoscaled(cmd.Context(), spec) // an apply after a destroy starts from the spec's counts
		},
	}
	addVarFlags(cmd)
	addWaitFlags(cmd)
	addApproveFlag(cmd)
	addStackFlag(cmd)
	return cmd
}

// destroyOnDaemon records a revision of stack without what SPEC declares
// or, with no SPEC, an empty one, once what goes is approved.
func (a *app) destroyOnDaemon(cmd *cobra.Command, c *api.Client, stack string, args []string) error {
	ctx := cmd.Context()
	all, err := c.Status(ctx)
	if err != nil {
		return a.daemonError(err)
	}
	st, named := stackStatus(all, stack), stacked(all)
	req := api.DestroyRequest{Stack: stack}
	var losses []string
	switch {
	case len(args) == 0 && named:
		losses = views.EverythingOf(st, stack)
	case len(args) == 0:
		losses = views.Everything(st)
	default:
		spec, err := a.loadSpec(cmd, args)
		if err != nil {
			return err
		}
		req.Resources, losses = held(st, declaredKeys(spec))
		if len(req.Resources) == 0 {
			whose := fmt.Sprintf("the daemon's revision %d", st.Revision)
			if named {
				whose = "the stack " + stack
			}
			return &exitCodeError{code: exitError, err: fmt.Errorf("%s declares none of the groups, services and networks of %s: nothing to destroy", whose, args[0])}
		}
		losses = views.WithHeader(fmt.Sprintf("This destroys what %s declares, as the daemon at %s holds it, and nothing else:", args[0], c.Addr()), losses)
	}
	if err := a.approve(cmd, "destroy them", losses); err != nil {
		return err
	}
	msg, _ := cmd.Flags().GetString("message")
	req.Author, req.Message = author(), msg
	since := a.lastEvent(ctx, c)
	res, err := c.Destroy(ctx, req)
	if err != nil {
		return a.daemonError(err)
	}
	switch {
	case len(req.Resources) == 0 && named:
		fmt.Fprintf(a.io.out, "Revision %d recorded: the stack %s is empty; the daemon removes what it declared and keeps the other stacks.\n", res.Revision.Number, stack)
	case len(req.Resources) == 0:
		fmt.Fprintf(a.io.out, "Revision %d recorded: nothing is desired; the daemon removes every machine it manages.\n", res.Revision.Number)
	default:
		fmt.Fprintf(a.io.out, "Revision %d recorded without %s: the daemon removes them and keeps the rest.\n", res.Revision.Number, strings.Join(req.Resources, ", "))
	}
	return a.maybeWait(cmd, c, res.Revision.Number, since)
}

// held returns the keys the daemon's status holds (retired groups aside)
// and a line for each.
func held(st api.Status, keys []string) ([]string, []string) {
	var out, lines []string
	for _, rs := range st.Resources {
		if rs.Retired || !slices.Contains(keys, rs.Resource.String()) {
			continue
		}
		out = append(out, rs.Resource.String())
		lines = append(lines, views.Held(rs))
	}
	return out, lines
}

// converge runs r until every group converges (and on, with watch).
func (a *app) converge(ctx context.Context, r *runner.Runner, out *views.Progress, what string, watch bool, timeout time.Duration) error {
	if !watch {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	fmt.Fprintf(a.io.out, "%s: %s, owner %q\n", what, views.Plural(len(r.Groups()), "group"), a.v.GetString("owner"))
	converged := false
	r.Run(ctx, func(r *runner.Runner) bool {
		if r.Converged() && !converged {
			converged = true
			if what == "Destroy" {
				out.Printf("Destroy complete: the spec's machines are gone.\n")
			} else {
				out.Printf("%s complete: %s.\n", what, summary(r))
			}
			if watch {
				out.Printf("Watching: drover heals the groups until you press Ctrl-C.\n")
				out.Watch()
			}
		}
		return converged && !watch
	}, func(r *runner.Runner) { showStatuses(out, r) })
	if !converged && !watch {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%s did not converge: %s", strings.ToLower(what), summary(r))}
	}
	return nil
}

func summary(r *runner.Runner) string { return views.ResourceSummary(observed(r)) }

// showStatuses shows the status line of each of r's resources that
// changed.
func showStatuses(out *views.Progress, r *runner.Runner) {
	for _, st := range observed(r) {
		out.Line(st.Resource.String(), views.ResourceLine(st))
	}
}

// observed are the statuses of r's resources that had a pass on the
// current spec.
func observed(r *runner.Runner) []resource.Status {
	var out []resource.Status
	for _, st := range r.Statuses() {
		if st.Passes > 0 {
			out = append(out, st)
		}
	}
	return out
}
