package specs

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/drover/drover/schema"
)

// Every value read from outside the spec's text (by env(), file(), or a
// variable set by -var, a -var-file or DROVER_VAR_NAME) carries a cty mark
// naming its source, a Withheld. cty carries marks through every function
// and operator, so a value derived from one knows all its sources: a
// diagnostic about a marked value withholds its message
// (redactDiagnostics), and a secret's sources are what Seal withholds
// (Spec.SecretSources).

// markInputs marks v with the sources it was read from.
func markInputs(v cty.Value, from []Withheld) cty.Value {
	for _, w := range from {
		v = v.Mark(w)
	}
	return v
}

// markLiteral marks a local's value that no input went into with the
// file it is written in.
func markLiteral(v cty.Value, file string) cty.Value {
	if v.ContainsMarked() || !v.IsWhollyKnown() {
		return v
	}
	return v.Mark(schema.Literal{File: file})
}

// parseVarFile parses a -var-file. It is an input, and may hold secrets:
// diagnostics about it show its lines with every value masked.
func (ld *load) parseVarFile(src Source) (*hcl.File, hcl.Diagnostics) {
	f, diags := (&load{parser: hclparse.NewParser()}).parse(src)
	if f != nil {
		ld.parser.AddFile(src.Name, maskValues(f))
	}
	return f, diags
}

// maskValues returns f with the bytes of its attributes' values replaced
// by '*', lines and offsets kept.
func maskValues(f *hcl.File) *hcl.File {
	masked := bytes.Clone(f.Bytes)
	attrs, _ := f.Body.JustAttributes()
	for _, a := range attrs {
		r := a.Expr.Range()
		for i := r.Start.Byte; i < r.End.Byte && i < len(masked); i++ {
			if masked[i] != '\n' && masked[i] != '\r' {
				masked[i] = '*'
			}
		}
	}
	return &hcl.File{Body: f.Body, Bytes: masked, Nav: f.Nav}
}

// envFunc reads an environment variable. An unset variable gives the
// default, or "" without one, so that a spec validates where its secrets are
// not set; the plugin that needs the value reports it empty.
func (ld *load) envFunc() function.Function {
	return function.New(&function.Spec{
		Description: "Returns the value of an environment variable, or the default when it is unset.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		VarParam:    &function.Parameter{Name: "default", Type: cty.String},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, fmt.Errorf("env takes a name and at most one default")
			}
			name := args[0].AsString()
			if v, ok := ld.opts.LookupEnv(name); ok {
				return cty.StringVal(v).Mark(Withheld{Kind: "env", Name: name}), nil
			}
			if len(args) == 2 {
				return args[1], nil
			}
			return cty.StringVal(""), nil
		},
	})
}

func (ld *load) fileFunc(dir string) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the contents of a file, relative to the spec file's directory.",
		Params:      []function.Parameter{{Name: "path", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			b, err := ld.opts.ReadFile(p)
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(string(b)).Mark(Withheld{Kind: "file", Name: p}), nil
		},
	})
}

// sensitiveFunc marks a value so that everything holding it is redacted.
var sensitiveFunc = function.New(&function.Spec{
	Description:  "Marks a value as sensitive: it is never rendered.",
	Params:       []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowMarked: true, AllowNull: true}},
	Type:         func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder { return b },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return schema.MarkSensitive(args[0]), nil
	},
})
