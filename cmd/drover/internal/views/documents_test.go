package views

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// Each document, rendered from the fixtures, is byte for byte what
// testdata holds: what drover printed before the views, so that scripts
// reading the JSON keep working.
func TestDocumentsGolden(t *testing.T) {
	showEvents := func(v *View) error {
		l := v.Events()
		for _, e := range events {
			l.Emit(e)
		}
		return l.Err()
	}
	for _, tc := range []struct {
		name string
		show func(*View) error
	}{
		{"status", func(v *View) error { return v.Status(status) }},
		{"history", func(v *View) error { return v.History(revisions) }},
		{"sources", func(v *View) error { return v.Sources(sources) }},
		{"source", func(v *View) error { return v.Source(sources[1]) }},
		{"events", showEvents},
		{"plan", func(v *View) error { return v.Plan(plan) }},
		{"plan-empty", func(v *View) error { return v.Plan(Plan{}) }},
	} {
		for f, ext := range map[Format]string{Text: ".txt", JSON: ".json"} {
			t.Run(tc.name+ext, func(t *testing.T) {
				want, err := os.ReadFile(filepath.Join("testdata", tc.name+ext))
				if err != nil {
					t.Fatal(err)
				}
				out, errOut := render(t, f, tc.show)
				wantText(t, "out", out, string(want))
				wantText(t, "err", errOut, "")
			})
		}
	}
}

// The daemon's status and history before anything was applied, and a
// revision that cannot be served.
func TestStatusAndHistoryText(t *testing.T) {
	for _, tc := range []struct {
		name string
		show func(*View) error
		want string
	}{
		{"status, nothing applied", func(v *View) error { return v.Status(api.Status{}) }, "Nothing has been applied yet.\n"},
		{"history, nothing applied", func(v *View) error { return v.History(nil) }, "Nothing has been applied yet.\n"},
		{"status, error and no resources", func(v *View) error {
			return v.Status(api.Status{Revision: 2, Hash: "h", Converged: true, Error: "plugin gone"})
		}, "Revision 2 (h), converged\nError: plugin gone\nNo resources.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := render(t, Text, tc.show)
			wantText(t, "out", out, tc.want)
		})
	}
}

// An empty history is JSON null, as the API sends it; an empty status
// has its empty list.
func TestEmptyJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		show func(*View) error
		want string
	}{
		{"history", func(v *View) error { return v.History(nil) }, "null\n"},
		{"status", func(v *View) error {
			return v.Status(api.Status{Resources: []resource.Status{}, Stacks: []api.StackInfo{}, Sources: []api.SourceInfo{}})
		}, "{\n  \"revision\": 0,\n  \"converged\": false,\n  \"resources\": [],\n  \"stacks\": [],\n  \"sources\": []\n}\n"},
		{"sources", func(v *View) error { return v.Sources(nil) }, "[]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := render(t, JSON, tc.show)
			wantText(t, "out", out, tc.want)
		})
	}
}
