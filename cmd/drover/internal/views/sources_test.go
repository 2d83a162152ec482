package views

import (
	"strings"
	"testing"

	"github.com/drover/drover/controller/api"
)

// What a source command prints of the state it left the source in.
func TestSourceStateText(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  api.SourceInfo
		want string
	}{
		{"ready", sources[0], "Source app: ready, 0123456 applied (revision 3).\n"},
		{"held", sources[1], "Source infra: held, fedcba9 applied (revision 2), 89abcde seen.\n"},
		{"suspended, nothing applied", sources[2], "Source broken: suspended.\n"},
		{"pending", api.SourceInfo{Name: "new", Status: api.SourceStatus{State: api.SourcePending}}, "Source new: pending.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := render(t, Text, func(v *View) error { return v.SourceState(tc.src) })
			wantText(t, "out", out, tc.want)
		})
	}
}

// show prints a source's last error whole, indented, and its settings
// without secrets.
func TestSourceShowError(t *testing.T) {
	out, _ := render(t, Text, func(v *View) error { return v.Source(sources[2]) })
	for _, want := range []string{
		"State:       suspended\n", "Last fetch:  never\n", "Suspended:   yes\n", "Ref:         main\n",
		"Last error:\n  spec.hcl:3,5-10: Unsupported argument; An argument named \"imgae\" is not expected here, and this line is long\n  second line\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show does not print %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Orphans") || strings.Contains(out, "Held") {
		t.Errorf("show prints orphans or a held commit it does not have:\n%s", out)
	}
}

func TestSourceURLPasswordHidden(t *testing.T) {
	src := api.SourceInfo{Name: "x", URL: "https://bob:hunter2@git.example.com/x.git"}
	for _, show := range []func(*View) error{
		func(v *View) error { return v.Sources([]api.SourceInfo{src}) },
		func(v *View) error { return v.Source(src) },
	} {
		out, _ := render(t, Text, show)
		if strings.Contains(out, "hunter2") || !strings.Contains(out, "https://bob:xxxxx@git.example.com/x.git") {
			t.Errorf("the URL's password is shown:\n%s", out)
		}
	}
}

func TestNoSourcesText(t *testing.T) {
	out, _ := render(t, Text, func(v *View) error { return v.Sources(nil) })
	wantText(t, "out", out, "No sources: drover source add adds one.\n")
}

func TestCommitLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    *api.CommitInfo
		want string
	}{
		{"none", nil, "-"},
		{"a commit: its short hash", &commit, "0123456"},
		{"no message", &api.CommitInfo{SHA: "abcdef0123"}, "abcdef0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantText(t, "commit", commitLine(tc.c), tc.want)
		})
	}
}

// A status without stacks (a daemon before them) shows - as the stack,
// and no sources section.
func TestStatusWithoutStacks(t *testing.T) {
	st := status
	st.Stacks, st.Sources = nil, nil
	out, _ := render(t, Text, func(v *View) error { return v.Status(st) })
	if !strings.Contains(out, "reconciling  -      waiting for web-3") || strings.Contains(out, "SOURCES") {
		t.Errorf("status:\n%s", out)
	}
}
