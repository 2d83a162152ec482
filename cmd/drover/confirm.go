package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

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
