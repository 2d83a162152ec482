package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// normalizeArgs lets Terraform users write long flags with one dash
// (-var x=1, -json, -help): an argument "-NAME" or "-NAME=VALUE" whose NAME
// is a long flag of the command being run gets a second dash. Shorthands
// (-h), the value that follows a flag, and everything after "--" are left
// alone.
func normalizeArgs(root *cobra.Command, args []string) []string {
	// The global flags first: until they have two dashes, cobra cannot tell
	// their values from the name of the command.
	out := rewriteFlags(flagsOf(root), args)
	return rewriteFlags(commandFlags(root, out), out)
}

func rewriteFlags(flags map[string]*pflag.Flag, args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		arg := out[i]
		if arg == "--" {
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		f := flags[name]
		if f == nil || len(name) < 2 {
			continue
		}
		if !strings.HasPrefix(arg, "--") {
			out[i] = "-" + arg
		}
		if !hasValue && f.NoOptDefVal == "" {
			i++ // the next argument is this flag's value
		}
	}
	return out
}

// commandFlags returns the long flags of the command args run, help
// included, by name.
func commandFlags(root *cobra.Command, args []string) map[string]*pflag.Flag {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		cmd = root
	}
	return flagsOf(cmd)
}

// flagsOf returns the long flags of cmd, its inherited and help flags
// included, by name.
func flagsOf(cmd *cobra.Command) map[string]*pflag.Flag {
	cmd.InitDefaultHelpFlag()
	flags := map[string]*pflag.Flag{}
	for _, fs := range []*pflag.FlagSet{cmd.LocalFlags(), cmd.InheritedFlags()} {
		fs.VisitAll(func(f *pflag.Flag) { flags[f.Name] = f })
	}
	return flags
}
