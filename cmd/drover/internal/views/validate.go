package views

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/drover/drover/specs"
)

// Validation is what drover validate found, spec by spec.
type Validation struct{ Specs []ValidatedSpec }

// ValidatedSpec is one spec's validation.
type ValidatedSpec struct {
	Path string
	// Spec is the spec loaded; nil when it did not load.
	Spec        *specs.Spec
	Diagnostics hcl.Diagnostics
	// Files are the sources the diagnostics point into.
	Files map[string]*hcl.File
}

// Valid says whether the spec has no errors (warnings allowed).
func (s ValidatedSpec) Valid() bool { return !s.Diagnostics.HasErrors() }

// Valid says whether every spec is valid.
func (val Validation) Valid() bool {
	for _, s := range val.Specs {
		if !s.Valid() {
			return false
		}
	}
	return true
}

// Validation shows val: for people, each spec's diagnostics on Err and a
// line saying whether it is valid on Out; as JSON, one document of them
// all on Out.
func (v *View) Validation(val Validation) error {
	if v.json() {
		return writeIndented(v.Out, val.document())
	}
	for _, s := range val.Specs {
		if err := v.validatedSpec(s); err != nil {
			return err
		}
	}
	return nil
}

func (v *View) validatedSpec(s ValidatedSpec) error {
	if len(s.Diagnostics) > 0 {
		_ = specs.WriteDiagnostics(v.Err, s.Diagnostics, s.Files)
		fmt.Fprintln(v.Err)
	}
	if s.Spec == nil || !s.Valid() {
		_, err := fmt.Fprintf(v.Out, "%s: invalid (%s)\n", s.Path, Plural(len(s.Diagnostics.Errs()), "error"))
		return err
	}
	spec := s.Spec
	_, err := fmt.Fprintf(v.Out, "%s: valid (%s, %s, %s, %s)\n", s.Path, Plural(len(spec.Groups), "group"),
		Plural(len(spec.Services), "service"), Plural(len(spec.Networks), "network"), Plural(len(spec.Swarms), "swarm"))
	return err
}

// validationDocument is validate's JSON, format 1.0.
type validationDocument struct {
	FormatVersion string                 `json:"format_version"`
	Valid         bool                   `json:"valid"`
	ErrorCount    int                    `json:"error_count"`
	WarningCount  int                    `json:"warning_count"`
	Diagnostics   []specs.JSONDiagnostic `json:"diagnostics"`
	Specs         []specDocument         `json:"specs"`
}

type specDocument struct {
	Path      string            `json:"path"`
	Valid     bool              `json:"valid"`
	Resources map[string]string `json:"resources,omitempty"` // address -> hash
}

func (val Validation) document() validationDocument {
	doc := validationDocument{FormatVersion: "1.0", Valid: true, Diagnostics: []specs.JSONDiagnostic{}}
	for _, s := range val.Specs {
		sd := specDocument{Path: s.Path, Valid: s.Valid()}
		if s.Spec != nil {
			sd.Resources = resourceHashes(s.Spec)
		}
		doc.Valid = doc.Valid && sd.Valid
		doc.Specs = append(doc.Specs, sd)
		errs := len(s.Diagnostics.Errs())
		doc.ErrorCount += errs
		doc.WarningCount += len(s.Diagnostics) - errs
		doc.Diagnostics = append(doc.Diagnostics, specs.DiagnosticsJSON(s.Diagnostics, s.Files)...)
	}
	return doc
}

// resourceHashes maps the address of each of spec's resources to its hash.
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

// Plural writes "1 group", "2 groups".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
