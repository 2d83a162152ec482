package main

import (
	"errors"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/specs"
)

func (a *app) validateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validate [flags] [SPEC...]",
		Short: "Check specs and report every problem with its file:line:col",
		Long: `Check specs without touching any engine or cloud.

Besides the spec language's own checks, each instance and flavor block is
put to its plugin's own validation, as plan would (external plugins are
asked over their connection), so that what plan would refuse is refused
here, at its file:line; what a plugin warns about (a docker setting that
gives a container the host) is a warning.

Each SPEC is a file, or a directory whose *.hcl files form one spec; the
default is the current directory. All problems of a spec are reported at once.
Exit status: 0 when every spec is valid (warnings allowed), 1 otherwise.`,
		Example: `  drover validate examples/*.hcl
  drover validate -var workers=5 -o json spec.hcl`,
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			return a.validate(cmd, args)
		},
	}
	addVarFlags(cmd)
	addOutputFlag(cmd)
	return cmd
}

func addVarFlags(cmd *cobra.Command) {
	cmd.Flags().StringArray("var", nil, "set a variable: NAME=VALUE (repeatable; wins over every other source)")
	cmd.Flags().StringArray("var-file", nil, "read variables from an HCL or JSON file of NAME = VALUE (repeatable)")
}

// loader builds a spec loader from the --var and --var-file flags.
func (a *app) loader(cmd *cobra.Command) (*specs.Loader, error) {
	vars, err := cmd.Flags().GetStringArray("var")
	if err != nil {
		return nil, err
	}
	varFiles, err := cmd.Flags().GetStringArray("var-file")
	if err != nil {
		return nil, err
	}
	return specs.NewLoader(specs.Options{
		Schemas:   a.schemas,
		Vars:      vars,
		VarFiles:  varFiles,
		LookupEnv: a.lookupEnv,
	})
}

func (a *app) validate(cmd *cobra.Command, paths []string) error {
	v, err := a.view(cmd)
	if err != nil {
		return err
	}
	l, err := a.loader(cmd)
	if err != nil {
		return err
	}
	var val views.Validation
	for _, p := range paths {
		diags, files, spec := loadForReport(l, p)
		if spec != nil {
			// What plan would refuse, validate refuses: the plugins' own
			// checks, offline.
			diags = slices.Concat(diags, a.schemas.Validate(cmd.Context(), spec))
		}
		val.Specs = append(val.Specs, views.ValidatedSpec{Path: p, Spec: spec, Diagnostics: diags, Files: files})
	}
	if err := v.Validation(val); err != nil {
		return err
	}
	if !val.Valid() {
		return &exitCodeError{code: exitError}
	}
	return nil
}

// loadForReport loads a spec and returns its diagnostics whatever happened:
// an error that is not about the spec's content (a missing file) becomes a
// diagnostic without a range.
func loadForReport(l *specs.Loader, path string) (hcl.Diagnostics, map[string]*hcl.File, *specs.Spec) {
	spec, err := l.Load(path)
	var le *specs.LoadError
	switch {
	case err == nil:
		return spec.Warnings, spec.Files, spec
	case errors.As(err, &le):
		return le.Diagnostics, le.Files, nil
	}
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot load spec", Detail: err.Error()}}, nil, nil
}

// specCompletion completes spec arguments with *.hcl files and directories.
func specCompletion(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
}
