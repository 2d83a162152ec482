package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

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
  drover validate -var workers=5 --json spec.hcl`,
		ValidArgsFunction: specCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			return a.validate(cmd, args)
		},
	}
	addVarFlags(cmd)
	cmd.Flags().Bool("json", false, "write the result as JSON")
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

// validateResult is the JSON output of validate.
type validateResult struct {
	FormatVersion string                 `json:"format_version"`
	Valid         bool                   `json:"valid"`
	ErrorCount    int                    `json:"error_count"`
	WarningCount  int                    `json:"warning_count"`
	Diagnostics   []specs.JSONDiagnostic `json:"diagnostics"`
	Specs         []validatedSpec        `json:"specs"`
}

type validatedSpec struct {
	Path      string            `json:"path"`
	Valid     bool              `json:"valid"`
	Resources map[string]string `json:"resources,omitempty"` // address -> hash
}

func (a *app) validate(cmd *cobra.Command, paths []string) error {
	l, err := a.loader(cmd)
	if err != nil {
		return err
	}
	res := validateResult{FormatVersion: "1.0", Valid: true, Diagnostics: []specs.JSONDiagnostic{}}
	asJSON, _ := cmd.Flags().GetBool("json")
	for _, p := range paths {
		diags, files, spec := loadForReport(l, p)
		if spec != nil {
			// What plan would refuse, validate refuses: the plugins' own
			// checks, offline.
			diags = slices.Concat(diags, a.schemas.Validate(cmd.Context(), spec))
		}
		vs := validatedSpec{Path: p, Valid: !diags.HasErrors()}
		if spec != nil {
			vs.Resources = resourceHashes(spec)
		}
		res.Valid = res.Valid && vs.Valid
		res.Specs = append(res.Specs, vs)
		res.ErrorCount += len(diags.Errs())
		res.WarningCount += len(diags) - len(diags.Errs())
		res.Diagnostics = append(res.Diagnostics, specs.DiagnosticsJSON(diags, files)...)
		if !asJSON {
			a.reportValidation(p, spec, diags, files)
		}
	}
	if asJSON {
		enc := json.NewEncoder(a.io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	if !res.Valid {
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

func (a *app) reportValidation(path string, spec *specs.Spec, diags hcl.Diagnostics, files map[string]*hcl.File) {
	if len(diags) > 0 {
		_ = specs.WriteDiagnostics(a.io.err, diags, files)
		fmt.Fprintln(a.io.err)
	}
	if spec == nil || diags.HasErrors() {
		fmt.Fprintf(a.io.out, "%s: invalid (%s)\n", path, plural(len(diags.Errs()), "error"))
		return
	}
	fmt.Fprintf(a.io.out, "%s: valid (%s, %s, %s, %s)\n", path, plural(len(spec.Groups), "group"),
		plural(len(spec.Services), "service"), plural(len(spec.Networks), "network"), plural(len(spec.Swarms), "swarm"))
}

// plural writes "1 group", "2 groups".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func resourceHashes(spec *specs.Spec) map[string]string {
	m := map[string]string{}
	for _, p := range spec.Providers {
		m[p.Addr()] = p.Hash
	}
	for _, s := range spec.Swarms {
		m[s.Addr()] = s.Hash
	}
	for _, n := range spec.Networks {
		m[n.Addr()] = n.Hash
	}
	for _, g := range spec.Groups {
		m[g.Addr()] = g.Hash
	}
	for _, s := range spec.Services {
		m[s.Addr()] = s.Hash
	}
	return m
}

// specCompletion completes spec arguments with *.hcl files and directories.
func specCompletion(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
}
