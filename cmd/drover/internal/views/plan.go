package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
)

// Plan is what apply would change: the group and service plans as the API
// returns them (api.PlanResponse) or the in-process runner makes them.
type Plan struct {
	Groups   []group.Plan
	Services []service.Plan
}

// PlanSummary counts changes the way Terraform's summary line does.
type PlanSummary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

// Changes says whether there is anything to do.
func (s PlanSummary) Changes() bool { return s.Add+s.Change+s.Destroy > 0 }

// Summary counts the plan's changes: a machine or service to create adds,
// a machine to replace or a service to update changes.
func (p Plan) Summary() PlanSummary {
	var s PlanSummary
	for _, sp := range p.Services {
		switch sp.Action {
		case service.ActionCreate:
			s.Add++
		case service.ActionUpdate:
			s.Change++
		}
	}
	for _, gp := range p.Groups {
		for _, c := range gp.Changes {
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

// Plan shows p (drover plan).
func (v *View) Plan(p Plan) error {
	if v.json() {
		return writeIndented(v.Out, p.document())
	}
	_, err := io.WriteString(v.Out, p.text())
	return err
}

var changeSymbol = map[group.ChangeKind]string{
	group.ChangeCreate:  "  +",
	group.ChangeDestroy: "  -",
	group.ChangeReplace: "-/+",
}

// text renders the plan for people:
//
//	group.web: 3 instances, 5 wanted
//	    + web-4   missing
//	  -/+ web-2   config changed
//
//	Plan: 2 to add, 1 to change, 0 to destroy.
func (p Plan) text() string {
	var b strings.Builder
	sum := p.Summary()
	if !sum.Changes() {
		b.WriteString("No changes: the machines match the spec.\n")
	}
	for _, gp := range p.Groups {
		writeGroupPlan(&b, gp)
	}
	for _, sp := range p.Services {
		writeServicePlan(&b, sp)
	}
	if sum.Changes() {
		fmt.Fprintf(&b, "Plan: %d to add, %d to change, %d to destroy.\n", sum.Add, sum.Change, sum.Destroy)
	}
	return b.String()
}

func writeGroupPlan(b *strings.Builder, gp group.Plan) {
	if len(gp.Changes) == 0 {
		return
	}
	fmt.Fprintf(b, "group.%s: %d instances, %d wanted\n", gp.Group, gp.Counts.Total, gp.Counts.Desired)
	width := 0
	for _, c := range gp.Changes {
		width = max(width, len(c.Name))
	}
	for _, c := range gp.Changes {
		fmt.Fprintf(b, "  %s %-*s  %s\n", changeSymbol[c.Kind], width, c.Name, c.Reason)
	}
	b.WriteString("\n")
}

func writeServicePlan(b *strings.Builder, sp service.Plan) {
	switch sp.Action {
	case service.ActionCreate:
		fmt.Fprintf(b, "  + %s  %s\n", sp.Resource, sp.Reason)
	case service.ActionUpdate:
		fmt.Fprintf(b, "  ~ %s  %s\n", sp.Resource, sp.Reason)
		for _, c := range sp.Changes {
			fmt.Fprintf(b, "      %s\n", c)
		}
	case service.ActionUnknown:
		fmt.Fprintf(b, "  ? %s  %s\n", sp.Resource, sp.Reason)
	default:
		return
	}
	b.WriteString("\n")
}

// planDocument is plan's JSON: format 1.0, empty lists as [].
type planDocument struct {
	FormatVersion string         `json:"format_version"`
	Groups        []groupPlan    `json:"groups"`
	Services      []service.Plan `json:"services"`
	Summary       PlanSummary    `json:"summary"`
}

type groupPlan struct {
	Group   string          `json:"group"`
	Counts  resource.Counts `json:"counts"`
	Changes []group.Change  `json:"changes"`
}

func (p Plan) document() planDocument {
	doc := planDocument{FormatVersion: "1.0", Groups: []groupPlan{}, Services: p.Services, Summary: p.Summary()}
	if doc.Services == nil {
		doc.Services = []service.Plan{}
	}
	for _, gp := range p.Groups {
		changes := gp.Changes
		if changes == nil {
			changes = []group.Change{}
		}
		doc.Groups = append(doc.Groups, groupPlan{Group: gp.Group, Counts: gp.Counts, Changes: changes})
	}
	return doc
}
