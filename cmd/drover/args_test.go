package main

import (
	"slices"
	"testing"

	"github.com/spf13/viper"

	"github.com/drover/drover/plugins"
)

func TestNormalizeArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in, want []string
	}{
		{name: "empty", in: []string{}, want: []string{}},
		{name: "var and value", in: []string{"validate", "-var", "x=1"}, want: []string{"validate", "--var", "x=1"}},
		{name: "var=value", in: []string{"validate", "-var=x=1"}, want: []string{"validate", "--var=x=1"}},
		{name: "var-file", in: []string{"validate", "-var-file", "f.hcl"}, want: []string{"validate", "--var-file", "f.hcl"}},
		{name: "var-file=", in: []string{"validate", "-var-file=f.hcl"}, want: []string{"validate", "--var-file=f.hcl"}},
		{name: "json", in: []string{"validate", "-json"}, want: []string{"validate", "--json"}},
		{name: "check", in: []string{"fmt", "-check"}, want: []string{"fmt", "--check"}},
		{name: "check=false", in: []string{"fmt", "-check=false"}, want: []string{"fmt", "--check=false"}},
		{name: "diff", in: []string{"fmt", "-diff"}, want: []string{"fmt", "--diff"}},
		{name: "recursive", in: []string{"fmt", "-recursive"}, want: []string{"fmt", "--recursive"}},
		{name: "help", in: []string{"version", "-help"}, want: []string{"version", "--help"}},
		{name: "global flag", in: []string{"-log-level", "debug", "version"}, want: []string{"--log-level", "debug", "version"}},
		{name: "global flag=", in: []string{"version", "-log-level=debug"}, want: []string{"version", "--log-level=debug"}},
		{name: "config", in: []string{"-config", "c.yaml", "version"}, want: []string{"--config", "c.yaml", "version"}},
		{name: "value that looks like a flag", in: []string{"version", "--config", "-json"}, want: []string{"version", "--config", "-json"}},
		{name: "value after one dash", in: []string{"validate", "-var", "-json"}, want: []string{"validate", "--var", "-json"}},
		{name: "flag of another command", in: []string{"version", "-check"}, want: []string{"version", "-check"}},
		{name: "completion option", in: []string{"completion", "bash", "-no-descriptions"}, want: []string{"completion", "bash", "--no-descriptions"}},
		{name: "already two dashes", in: []string{"fmt", "--check", "--diff"}, want: []string{"fmt", "--check", "--diff"}},
		{name: "shorthand", in: []string{"validate", "-h"}, want: []string{"validate", "-h"}},
		{name: "stdin", in: []string{"fmt", "-"}, want: []string{"fmt", "-"}},
		{name: "unknown", in: []string{"validate", "-foo", "-foo=1"}, want: []string{"validate", "-foo", "-foo=1"}},
		{name: "prefix of a flag", in: []string{"validate", "-va", "-jsons"}, want: []string{"validate", "-va", "-jsons"}},
		{name: "empty name", in: []string{"validate", "-=x"}, want: []string{"validate", "-=x"}},
		{name: "positional", in: []string{"validate", "spec.hcl", "var"}, want: []string{"validate", "spec.hcl", "var"}},
		{name: "after --", in: []string{"fmt", "-check", "--", "-check", "-var=x=1"}, want: []string{"fmt", "--check", "--", "-check", "-var=x=1"}},
		{name: "mixed", in: []string{"-log-level", "warn", "validate", "-var", "a=1", "-json", "-var-file=v.hcl", "spec.hcl"},
			want: []string{"--log-level", "warn", "validate", "--var", "a=1", "--json", "--var-file=v.hcl", "spec.hcl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// cobra builds flag sets lazily, so each subtest has its own root.
			a := &app{v: viper.New(), lookupEnv: fakeEnv{}.lookup, schemas: plugins.Builtins(plugins.BuiltinOptions{})}
			in := slices.Clone(tt.in)
			got := normalizeArgs(a.rootCommand(), in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("normalizeArgs(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Errorf("normalizeArgs changed its argument to %q", in)
			}
		})
	}
}
