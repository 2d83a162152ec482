package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// Every command that shows something structured takes -o text|json, with
// table as a spelling of text and --json as a spelling of -o json; the
// spellings print the same bytes, and --json with -o text is refused.
func TestOutputFlag(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	sock := (&fakeDaemon{status: daemonStatus,
		history: []api.RevisionInfo{{Number: 7, Kind: api.KindApply, Hash: "abc", Time: when, Current: true}},
		events:  []resource.Event{{ID: 1, Time: when, Resource: resource.Group.KeyOf("web"), Kind: "created", Instance: "web-1"}},
	}).serve(t)
	spec := writeFile(t, t.TempDir(), "web.hcl", webSpec)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"validate", []string{"validate", spec}},
		{"status", []string{"status", "--addr", sock}},
		{"history", []string{"history", "--addr", sock}},
		{"events", []string{"events", "--addr", sock}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := func(flags ...string) result {
				r := drover(t, append(append([]string{}, tc.args...), flags...)...)
				wantCode(t, r, exitOK)
				return r
			}
			text, asJSON := run(), run("-o", "json")
			if !json.Valid([]byte(asJSON.stdout)) && !validLines(asJSON.stdout) {
				t.Errorf("-o json printed no JSON:\n%s", asJSON.stdout)
			}
			if text.stdout == asJSON.stdout {
				t.Errorf("-o json printed what -o text does:\n%s", text.stdout)
			}
			for _, same := range [][]string{{"--output", "text"}, {"-o", "table"}, {"-output=text"}} {
				if r := run(same...); r.stdout != text.stdout {
					t.Errorf("%q printed\n%s\nwant\n%s", same, r.stdout, text.stdout)
				}
			}
			for _, same := range [][]string{{"--json"}, {"-json"}, {"--output=json"}, {"--json", "-o", "json"}} {
				if r := run(same...); r.stdout != asJSON.stdout {
					t.Errorf("%q printed\n%s\nwant\n%s", same, r.stdout, asJSON.stdout)
				}
			}
			r := drover(t, append(append([]string{}, tc.args...), "--json", "-o", "text")...)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "--json means -o json, and -o says text")
			wantEmpty(t, r, "stdout")
			r = drover(t, append(append([]string{}, tc.args...), "-o", "yaml")...)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "--output: want text or json")
			wantEmpty(t, r, "stdout")
		})
	}
}

// validLines says whether s is lines of JSON, as events -o json writes.
func validLines(s string) bool {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			return false
		}
	}
	return len(lines) > 0
}
