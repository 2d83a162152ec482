package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
)

// addOutputFlag adds the output flag, -o/--output text|json, to a command
// that shows something structured, and --json, its old spelling (hidden),
// which means -o json.
func addOutputFlag(cmd *cobra.Command) {
	cmd.Flags().StringP("output", "o", "text", "output format: text or json (--json is short for -o json)")
	cmd.Flags().Bool("json", false, "same as -o json")
	_ = cmd.Flags().MarkHidden("json")
}

// errOutputConflict is the error of --json given with -o text.
var errOutputConflict = errors.New("--json means -o json, and -o says text: give one of them")

// view is the view the command's output flag chose.
func (a *app) view(cmd *cobra.Command) (*views.View, error) {
	o, _ := cmd.Flags().GetString("output")
	f, err := views.ParseFormat(o)
	if err != nil {
		return nil, fmt.Errorf("--output: %w", err)
	}
	if asJSON, _ := cmd.Flags().GetBool("json"); asJSON {
		if cmd.Flags().Changed("output") && f != views.JSON {
			return nil, errOutputConflict
		}
		f = views.JSON
	}
	return views.New(a.io.out, a.io.err, f), nil
}
