package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/drover/drover/cmd/drover/internal/views"
	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/internal/datadir"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// loadSpec loads the one spec a command works on (a file or a directory;
// default the current directory), printing its warnings, or its
// diagnostics and an error.
func (a *app) loadSpec(cmd *cobra.Command, args []string) (*specs.Spec, error) {
	spec, _, err := a.captureSpec(cmd, args)
	return spec, err
}

// captureSpec is loadSpec that also returns the spec as a bundle: every
// file and environment variable its load read, for the daemon.
func (a *app) captureSpec(cmd *cobra.Command, args []string) (*specs.Spec, specs.Bundle, error) {
	path := "."
	if len(args) > 0 {
		path = args[0]
	}
	l, err := a.loader(cmd)
	if err != nil {
		return nil, specs.Bundle{}, err
	}
	spec, bundle, err := l.Capture(path)
	var diags hcl.Diagnostics
	var files map[string]*hcl.File
	var le *specs.LoadError
	switch {
	case err == nil:
		diags, files = slices.Concat(spec.Warnings, a.schemas.Validate(cmd.Context(), spec)), spec.Files
	case errors.As(err, &le):
		diags, files = le.Diagnostics, le.Files
	default:
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot load spec", Detail: err.Error()}}
	}
	if len(diags) > 0 {
		_ = specs.WriteDiagnostics(a.io.err, diags, files)
		fmt.Fprintln(a.io.err)
	}
	if err != nil || diags.HasErrors() {
		return nil, specs.Bundle{}, &exitCodeError{code: exitError, err: fmt.Errorf("%s is not a valid spec (%s)", path, views.Plural(len(diags.Errs()), "error"))}
	}
	return spec, bundle, nil
}

// dataDir is --data-dir, or else drover's default (see internal/datadir).
func (a *app) dataDir() (string, error) {
	if d := a.v.GetString("data-dir"); d != "" {
		return d, nil
	}
	return datadir.Default(a.lookupEnv)
}

// lockDataDir makes this process the one controller of its data dir
// until it exits (datadir.Lock): an in-process apply or destroy, or the
// daemon. Two would undo each other's changes.
func (a *app) lockDataDir() error {
	if a.held != nil {
		return nil
	}
	dir, err := a.dataDir()
	if err != nil {
		return err
	}
	l, err := datadir.Lock(dir)
	if err != nil {
		return err
	}
	a.held = l
	return nil
}

// newRuntime builds the built-in plugins for the data dir, and what their
// swarm flavor knows of the swarms' managers (with the swarms' CAs in
// <data-dir>/swarm-ca), which the runner's services share and run closes.
// Without a data dir (no --data-dir and no home) the plugins take their
// own defaults: the commands that need one (newRunner, run) fail with why.
func (a *app) newRuntime() {
	var dir string
	if d, err := a.dataDir(); err == nil {
		dir = d
	}
	a.clusters = swarm.NewClusters(dir)
	a.schemas = plugins.Builtins(plugins.BuiltinOptions{DataDir: dir, Clusters: a.clusters})
}

// newRunner builds the in-process runner for spec.
func (a *app) newRunner(ctx context.Context, spec *specs.Spec, out *views.Progress) (*runner.Runner, error) {
	dir, err := a.dataDir()
	if err != nil {
		return nil, err
	}
	opts := runner.Options{Registry: a.schemas, Managers: a.clusters, Engines: a.clusters, Owner: a.v.GetString("owner"), DataDir: dir, Resync: a.v.GetDuration("resync")}
	if out != nil {
		opts.Events = out
	}
	r, err := runner.New(ctx, spec, opts)
	if err != nil {
		return nil, fmt.Errorf("prepare the spec's plugins: %w", err)
	}
	return r, nil
}

// refuseUnimplemented refuses, with its diagnostics, a spec that uses what
// the language accepts but drover does not act on yet (see
// specs.Spec.Unimplemented).
func (a *app) refuseUnimplemented(spec *specs.Spec) error {
	diags := spec.Unimplemented()
	if len(diags) == 0 {
		return nil
	}
	_ = specs.WriteDiagnostics(a.io.err, diags, spec.Files)
	fmt.Fprintln(a.io.err)
	return &exitCodeError{code: exitError, err: fmt.Errorf("the spec uses what drover does not implement yet (%s)", views.Plural(len(diags), "error"))}
}
