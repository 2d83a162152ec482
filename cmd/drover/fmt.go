package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/drover/drover/specs"
	"github.com/drover/drover/specs/format"
)

func (a *app) fmtCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fmt [flags] [PATH...]",
		Short: "Rewrite specs in the canonical HCL style",
		Long: `Rewrite *.hcl files in the canonical style and print the names of those
that changed. PATH is a file, a directory (its *.hcl files) or - for standard
input to standard output; the default is the current directory.

With --check nothing is written and the exit status is 3 when a file would
change. A file with syntax errors is reported (exit status 1) and left alone.`,
		Example: `  drover fmt
  drover fmt --check --diff --recursive .
  cat spec.hcl | drover fmt -`,
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			return a.fmt(cmd, args)
		},
	}
	cmd.Flags().Bool("check", false, "write nothing; exit 3 if any file is not formatted")
	cmd.Flags().Bool("diff", false, "print the changes as a unified diff")
	cmd.Flags().Bool("recursive", false, "also format files in subdirectories")
	return cmd
}

func (a *app) fmt(cmd *cobra.Command, args []string) error {
	var opts format.Options
	opts.Check, _ = cmd.Flags().GetBool("check")
	opts.Diff, _ = cmd.Flags().GetBool("diff")
	opts.Recursive, _ = cmd.Flags().GetBool("recursive")
	opts.Write = !opts.Check
	var results []format.Result
	var diags hcl.Diagnostics
	var paths []string
	for _, arg := range args {
		if arg != "-" {
			paths = append(paths, arg)
			continue
		}
		res, ds, err := format.Stream(a.io.in, a.io.out, opts)
		if err != nil {
			return err
		}
		diags = append(diags, ds...)
		if len(ds) == 0 {
			results = append(results, res)
		}
	}
	var pathErr error
	if len(paths) > 0 {
		res, ds, err := format.Paths(opts, paths)
		results, diags, pathErr = append(results, res...), append(diags, ds...), err
	}
	changed := a.reportFormat(results)
	if len(diags) > 0 {
		_ = specs.WriteDiagnostics(a.io.err, diags, sourcesOf(diags))
	}
	switch {
	case pathErr != nil:
		return pathErr
	case diags.HasErrors():
		return &exitCodeError{code: exitError}
	case opts.Check && changed:
		return &exitCodeError{code: exitChanges}
	}
	return nil
}

// reportFormat prints the files that changed (and their diffs) and says
// whether any did.
func (a *app) reportFormat(results []format.Result) bool {
	changed := false
	for _, r := range results {
		if !r.Changed {
			continue
		}
		changed = true
		if r.Path != format.StdinName {
			fmt.Fprintln(a.io.out, r.Path)
		}
		if r.Diff != "" && r.Path != format.StdinName {
			fmt.Fprint(a.io.out, r.Diff)
		}
	}
	return changed
}

// sourcesOf reads the files diagnostics point into, so that they are shown
// with their source lines; a file that cannot be read is shown without.
func sourcesOf(diags hcl.Diagnostics) map[string]*hcl.File {
	files := map[string]*hcl.File{}
	for _, d := range diags {
		if d.Subject == nil || files[d.Subject.Filename] != nil {
			continue
		}
		if b, err := os.ReadFile(d.Subject.Filename); err == nil {
			files[d.Subject.Filename] = &hcl.File{Bytes: b}
		}
	}
	return files
}
