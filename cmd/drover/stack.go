package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// addStackFlag adds --stack to apply and destroy.
func addStackFlag(cmd *cobra.Command) {
	cmd.Flags().String("stack", api.DefaultStack, "the stack (a daemon's desired state is the union of its stacks) this replaces or destroys; needs a daemon unless \"default\"")
}

// stackOf is cmd's --stack. Without a daemon (c nil) only the default
// stack is served: stacks are a daemon's.
func stackOf(cmd *cobra.Command, c *api.Client) (string, error) {
	stack, _ := cmd.Flags().GetString("stack")
	if stack == "" {
		stack = api.DefaultStack
	}
	if c == nil && stack != api.DefaultStack {
		return "", fmt.Errorf("--stack %s: stacks are a daemon feature, and no daemon is reachable: start one with `drover run`, or point --addr (DROVER_ADDR) at it", stack)
	}
	if !api.ValidSourceName(stack) {
		return "", fmt.Errorf("--stack: want [a-z0-9][a-z0-9_-]{0,62}: lower-case letters, digits, _ and -, at most 63")
	}
	return stack, nil
}

// stackStatus is st narrowed to the resources stack declares or keeps. A
// daemon that reports no stacks (one before them) has one desired state:
// st is all of it.
func stackStatus(st api.Status, stack string) api.Status {
	if len(st.Stacks) == 0 {
		return st
	}
	keys := map[string]bool{}
	for _, s := range st.Stacks {
		if s.Name != stack {
			continue
		}
		for _, k := range append(append([]string{}, s.Resources...), s.Orphans...) {
			keys[k] = true
		}
	}
	out := st
	out.Resources = []resource.Status{}
	for _, rs := range st.Resources {
		if keys[rs.Resource.String()] {
			out.Resources = append(out.Resources, rs)
		}
	}
	return out
}

// stacked says whether st holds more than the default stack: the
// messages then name the stack.
func stacked(st api.Status) bool {
	for _, s := range st.Stacks {
		if s.Name != api.DefaultStack {
			return true
		}
	}
	return false
}
