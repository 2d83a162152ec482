package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/drover/drover/group"
)

// maxNamesShown is how many machine names a confirmation lists per group
// and kind of change before it says "and N more".
const maxNamesShown = 8

// addApproveFlag adds -auto-approve to a command that may remove machines.
func addApproveFlag(cmd *cobra.Command) {
	cmd.Flags().Bool("auto-approve", false, "do not ask before removing or replacing machines (needed when standard input is not a terminal)")
}

// approve asks for "yes" before a command removes what losses lists, the
// way Terraform does. With -auto-approve it does not ask; without a
// terminal to ask on, it refuses. what is the question's verb phrase:
// "destroy them", "apply this plan".
func (a *app) approve(cmd *cobra.Command, what string, losses []string) error {
	if autoApproved(cmd) || len(losses) == 0 {
		return nil
	}
	fmt.Fprintln(a.io.out, strings.Join(losses, "\n"))
	if a.io.isTerminal == nil || !a.io.isTerminal() {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%s removes or replaces machines, and standard input is not a terminal to confirm on: run it again with -auto-approve to go ahead", cmd.Name())}
	}
	fmt.Fprintf(a.io.out, "\nDo you really want to %s? There is no undo.\n  Enter 'yes' to continue: ", what)
	answer, err := readAnswer(cmd.Context(), a.io.in)
	fmt.Fprintln(a.io.out)
	if err != nil {
		return err
	}
	if answer != "yes" {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%s cancelled: only 'yes' goes ahead", cmd.Name())}
	}
	return nil
}

// readAnswer reads one line from in, or gives up when ctx ends (Ctrl-C at
// the prompt).
func readAnswer(ctx context.Context, in io.Reader) (string, error) {
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(in).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case s := <-line:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// machineLosses lists, one line per group, the machines plans destroy or
// replace because the spec changed: "group.web: destroy web-4, web-5;
// replace web-1". Repairs (of dead or unhealthy machines) are left out:
// they lose nothing, and drover makes them unasked.
func machineLosses(plans []group.Plan, skip map[string]bool) []string {
	var out []string
	for _, p := range plans {
		if skip[p.Group] {
			continue
		}
		var destroy, replace []string
		for _, c := range p.Changes {
			if c.Reason.Code == group.ReasonDead || c.Reason.Code == group.ReasonUnhealthy {
				continue
			}
			switch c.Kind {
			case group.ChangeDestroy:
				destroy = append(destroy, c.Name)
			case group.ChangeReplace:
				replace = append(replace, c.Name)
			}
		}
		var parts []string
		if len(destroy) > 0 {
			parts = append(parts, "destroy "+nameList(destroy))
		}
		if len(replace) > 0 {
			parts = append(parts, "replace "+nameList(replace)+" (a rolling update)")
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("  group.%s: %s", p.Group, strings.Join(parts, "; ")))
		}
	}
	return out
}

// nameList renders names, at most maxNamesShown of them.
func nameList(names []string) string {
	if len(names) <= maxNamesShown {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamesShown], ", "), len(names)-maxNamesShown)
}
