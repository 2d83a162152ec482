package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
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
	cmd.Flags().Bool("json", false, "write the plan as JSON")
	cmd.Flags().Bool("detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none")
	return cmd
}

func (a *app) plan(cmd *cobra.Command, args []string) error {
	spec, bundle, err := a.captureSpec(cmd, args)
	if err != nil {
		return err
	}
	if err := a.refuseUnimplemented(spec); err != nil {
		return err
	}
	plans, services, err := a.planOf(cmd, spec, bundle)
	if err != nil {
		return err
	}
	sum := summarize(plans, services)
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		err = writePlanJSON(a.io.out, plans, services, sum)
	} else {
		err = writePlanText(a.io.out, plans, services, sum)
	}
	if err != nil {
		return err
	}
	if detailed, _ := cmd.Flags().GetBool("detailed-exitcode"); detailed && sum.changes() {
		return &exitCodeError{code: exitPlanChanges}
	}
	return nil
}

// planOf plans spec with the daemon, when one is reachable (its plan
// includes the groups that applying would retire), else in-process.
func (a *app) planOf(cmd *cobra.Command, spec *specs.Spec, bundle specs.Bundle) ([]group.Plan, []service.Plan, error) {
	c, err := a.daemon(cmd)
	if err != nil {
		return nil, nil, err
	}
	if c != nil {
		res, err := c.Plan(cmd.Context(), api.PlanRequest{Bundle: &bundle})
		if err != nil {
			return nil, nil, a.daemonError(err)
		}
		return res.Groups, res.Services, nil
	}
	r, err := a.newRunner(cmd.Context(), spec, nil)
	if err != nil {
		return nil, nil, err
	}
	groups, err := r.Plan(cmd.Context())
	if err != nil {
		return nil, nil, err
	}
	services, err := r.ServicePlans(cmd.Context())
	return groups, services, err
}

// planSummary counts changes the way Terraform's summary line does.
type planSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

func (s planSummary) changes() bool { return s.Add+s.Change+s.Destroy > 0 }

func summarize(plans []group.Plan, services []service.Plan) planSummary {
	var s planSummary
	for _, p := range services {
		switch p.Action {
		case "create":
			s.Add++
		case "update":
			s.Change++
		}
	}
	for _, p := range plans {
		for _, c := range p.Changes {
			switch c.Kind {
			case group.ChangeCreate:
				s.Add += c.Instances()
			case group.ChangeReplace:
				s.Change++
			case group.ChangeDestroy:
				s.Destroy++
			}
		}
	}
	return s
}

var changeSymbol = map[group.ChangeKind]string{
	group.ChangeCreate:  "  +",
	group.ChangeDestroy: "  -",
	group.ChangeReplace: "-/+",
}

// writePlanText renders plans for people:
//
//	group.web: 3 instances, 5 wanted
//	    + web-4   missing
//	  -/+ web-2   config changed
//
//	Plan: 2 to add, 1 to change, 0 to destroy.
func writePlanText(w io.Writer, plans []group.Plan, services []service.Plan, sum planSummary) error {
	var b strings.Builder
	if !sum.changes() {
		b.WriteString("No changes: the machines match the spec.\n")
	}
	for _, p := range plans {
		if len(p.Changes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "group.%s: %d instances, %d wanted\n", p.Group, p.Counts.Total, p.Counts.Desired)
		width := 0
		for _, c := range p.Changes {
			width = max(width, len(c.Name))
		}
		for _, c := range p.Changes {
			fmt.Fprintf(&b, "  %s %-*s  %s\n", changeSymbol[c.Kind], width, c.Name, c.Reason)
		}
		b.WriteString("\n")
	}
	for _, p := range services {
		switch p.Action {
		case "create":
			fmt.Fprintf(&b, "  + %s  %s\n", p.Resource, p.Reason)
		case "update":
			fmt.Fprintf(&b, "  ~ %s  %s\n", p.Resource, p.Reason)
			for _, c := range p.Changes {
				fmt.Fprintf(&b, "      %s\n", c)
			}
		case "unknown":
			fmt.Fprintf(&b, "  ? %s  %s\n", p.Resource, p.Reason)
		default:
			continue
		}
		b.WriteString("\n")
	}
	if sum.changes() {
		fmt.Fprintf(&b, "Plan: %d to add, %d to change, %d to destroy.\n", sum.Add, sum.Change, sum.Destroy)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePlanJSON(w io.Writer, plans []group.Plan, services []service.Plan, sum planSummary) error {
	type groupPlan struct {
		Group   string          `json:"group"`
		Counts  resource.Counts `json:"counts"`
		Changes []group.Change  `json:"changes"`
	}
	out := struct {
		FormatVersion string         `json:"format_version"`
		Groups        []groupPlan    `json:"groups"`
		Services      []service.Plan `json:"services"`
		Summary       planSummary    `json:"summary"`
	}{FormatVersion: "1.0", Groups: []groupPlan{}, Services: services, Summary: sum}
	if out.Services == nil {
		out.Services = []service.Plan{}
	}
	for _, p := range plans {
		changes := p.Changes
		if changes == nil {
			changes = []group.Change{}
		}
		out.Groups = append(out.Groups, groupPlan{Group: p.Group, Counts: p.Counts, Changes: changes})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
