package main

import (
	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/specs"
)

const exitPlanChanges = 2 // plan --detailed-exitcode: there are changes

func (a *app) planCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan [flags] [SPEC]",
		Short: "Show what apply would change, and why",
		Long: `Observe the machines of the spec's groups and show how they differ from the
spec: + to create, - to destroy, -/+ to replace, each with its reason, and a
summary line. Nothing is changed.

With --detailed-exitcode the exit status is 0 when there are no changes, 2
when there are, and 1 on error.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: specCompletion,
		RunE:              a.plan,
	}
	addVarFlags(cmd)
	addOutputFlag(cmd)
	addStackFlag(cmd)
	cmd.Flags().Bool("detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none")
	return cmd
}

func (a *app) plan(cmd *cobra.Command, args []string) error {
	v, err := a.view(cmd)
	if err != nil {
		return err
	}
	spec, bundle, err := a.captureSpec(cmd, args)
	if err != nil {
		return err
	}
	if err := a.refuseUnimplemented(spec); err != nil {
		return err
	}
	p, err := a.planOf(cmd, spec, bundle)
	if err != nil {
		return err
	}
	if err := v.Plan(p); err != nil {
		return err
	}
	if detailed, _ := cmd.Flags().GetBool("detailed-exitcode"); detailed && p.Summary().Changes() {
		return &exitCodeError{code: exitPlanChanges}
	}
	return nil
}

// planOf plans spec with the daemon, when one is reachable (its plan
// includes the groups that applying would retire), else in-process.
func (a *app) planOf(cmd *cobra.Command, spec *specs.Spec, bundle specs.Bundle) (views.Plan, error) {
	c, err := a.daemon(cmd)
	if err != nil {
		return views.Plan{}, err
	}
	stack, err := stackOf(cmd, c)
	if err != nil {
		return views.Plan{}, err
	}
	if c != nil {
		res, err := c.Plan(cmd.Context(), api.PlanRequest{Bundle: &bundle, Stack: stack})
		if err != nil {
			return views.Plan{}, a.daemonError(err)
		}
		return views.Plan{Groups: res.Groups, Services: res.Services}, nil
	}
	r, err := a.newRunner(cmd.Context(), spec, nil)
	if err != nil {
		return views.Plan{}, err
	}
	groups, err := r.Plan(cmd.Context())
	if err != nil {
		return views.Plan{}, err
	}
	services, err := r.ServicePlans(cmd.Context())
	return views.Plan{Groups: groups, Services: services}, err
}
