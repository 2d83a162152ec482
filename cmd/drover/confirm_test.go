package main

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
)

func TestApprove(t *testing.T) {
	losses := []string{"This destroys:", "  group.web (3 machines)"}
	cases := []struct {
		name     string
		args     []string
		terminal bool
		input    string
		losses   []string
		wantErr  string // "" for approved
		wantOut  []string
	}{
		{name: "nothing to lose asks nothing", losses: nil},
		{name: "no terminal refuses", losses: losses, wantErr: "standard input is not a terminal to confirm on: run it again with -auto-approve", wantOut: []string{"group.web (3 machines)"}},
		{name: "no terminal with -auto-approve", args: []string{"-auto-approve"}, losses: losses},
		{name: "no terminal with --auto-approve", args: []string{"--auto-approve"}, losses: losses},
		{name: "terminal, yes", terminal: true, input: "yes\n", losses: losses, wantOut: []string{"group.web (3 machines)", "Enter 'yes' to continue"}},
		{name: "terminal, yes without a newline", terminal: true, input: "yes", losses: losses},
		{name: "terminal, y is not yes", terminal: true, input: "y\n", losses: losses, wantErr: "destroy cancelled: only 'yes' goes ahead"},
		{name: "terminal, YES is not yes", terminal: true, input: "YES\n", losses: losses, wantErr: "cancelled"},
		{name: "terminal, end of input", terminal: true, input: "", losses: losses, wantErr: "cancelled"},
		{name: "terminal with -auto-approve asks nothing", args: []string{"-auto-approve"}, terminal: true, losses: losses},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &app{io: stdio{in: strings.NewReader(tc.input), out: &out, err: io.Discard, isTerminal: func() bool { return tc.terminal }}}
			cmd := approveCommand(t, tc.args...)
			err := a.approve(cmd, "destroy them", tc.losses)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("approve: %v, want approved\n%s", err, out.String())
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("approve: %v, want an error saying %q", err, tc.wantErr)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
			if asked := strings.Contains(out.String(), "Enter 'yes'"); asked != (tc.terminal && len(tc.losses) > 0 && len(tc.args) == 0) {
				t.Errorf("asked = %v:\n%s", asked, out.String())
			}
		})
	}
}

// approveCommand is a "destroy" command with -auto-approve, parsed from
// args the way run parses them.
func approveCommand(t *testing.T, args ...string) *cobra.Command {
	t.Helper()
	root := &cobra.Command{Use: "drover"}
	cmd := &cobra.Command{Use: "destroy", RunE: func(*cobra.Command, []string) error { return nil }}
	addApproveFlag(cmd)
	root.AddCommand(cmd)
	root.SetArgs(normalizeArgs(root, append([]string{"destroy"}, args...)))
	if err := root.ExecuteContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// Ctrl-C at the prompt ends it.
func TestApproveEndsWithContext(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	a := &app{io: stdio{in: r, out: io.Discard, err: io.Discard, isTerminal: func() bool { return true }}}
	cmd := approveCommand(t)
	ctx, cancel := context.WithCancel(t.Context())
	cmd.SetContext(ctx)
	cancel()
	if err := a.approve(cmd, "destroy them", []string{"x"}); err == nil {
		t.Fatal("approved with no answer and the context ended")
	}
}

// fakeDaemon serves the API on a unix socket with a status it is given,
// and records the destroy and apply requests it gets.
type fakeDaemon struct {
	status  api.Status
	plan    api.PlanResponse
	history []api.RevisionInfo
	events  []resource.Event

	mu       sync.Mutex
	destroys []api.DestroyRequest
	applies  int
}

func (f *fakeDaemon) Apply(context.Context, api.ApplyRequest) (api.ApplyResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applies++
	return api.ApplyResponse{Revision: api.RevisionInfo{Number: 8}}, nil
}
func (f *fakeDaemon) Plan(context.Context, api.PlanRequest) (api.PlanResponse, error) {
	return f.plan, nil
}
func (f *fakeDaemon) Status(context.Context) (api.Status, error) { return f.status, nil }
func (f *fakeDaemon) Destroy(_ context.Context, req api.DestroyRequest) (api.ApplyResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.destroys = append(f.destroys, req)
	return api.ApplyResponse{Revision: api.RevisionInfo{Number: 8, Kind: api.KindDestroy}}, nil
}
func (f *fakeDaemon) History(context.Context) ([]api.RevisionInfo, error) { return f.history, nil }
func (f *fakeDaemon) Revision(context.Context, int64) (api.RevisionDetail, error) {
	return api.RevisionDetail{}, api.ErrNotFound
}
func (f *fakeDaemon) Rollback(context.Context, api.RollbackRequest) (api.ApplyResponse, error) {
	return api.ApplyResponse{}, api.ErrNotFound
}
func (f *fakeDaemon) Subscribe(ctx context.Context, _ int64) ([]resource.Event, <-chan resource.Event) {
	ch := make(chan resource.Event)
	close(ch)
	return f.events, ch
}
func (f *fakeDaemon) Ready() error { return nil }

// serve serves f on a socket and returns its path.
func (f *fakeDaemon) serve(t *testing.T) string { return serveBackend(t, f) }

// statusOf the daemon of the destroy tests: two groups, a service and a
// network, and a group retired earlier.
var daemonStatus = api.Status{Revision: 7, Resources: []resource.Status{
	{Resource: resource.Group.KeyOf("web"), Kind: resource.Group, Name: "web", Observed: resource.Counts{Total: 3}},
	{Resource: resource.Group.KeyOf("db"), Kind: resource.Group, Name: "db", Observed: resource.Counts{Total: 2}},
	{Resource: resource.Group.KeyOf("old"), Kind: resource.Group, Name: "old", Retired: true, Observed: resource.Counts{Total: 1}},
	{Resource: resource.Service.KeyOf("api"), Kind: resource.Service, Name: "api"},
	{Resource: resource.Network.KeyOf("front"), Kind: resource.Network, Name: "front"},
}}

const webSpec = `
group "web" {
  size = 3
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}
group "elsewhere" {
  size = 1
  instance "docker" { image = "x" }
  flavor "vanilla" {}
}
`

// destroy SPEC names SPEC's resources to the daemon, and only after a yes;
// plain destroy names none and says it means everything.
func TestDestroyOnDaemon(t *testing.T) {
	spec := writeFile(t, t.TempDir(), "web.hcl", webSpec)
	cases := []struct {
		name      string
		args      []string
		terminal  bool
		input     string
		wantCode  int
		wantSent  [][]string // the resources of each destroy request
		wantOut   []string
		wantNoOut []string
	}{
		{name: "scoped, yes", args: []string{spec}, terminal: true, input: "yes\n", wantSent: [][]string{{"group.web"}},
			wantOut:   []string{"This destroys what " + spec + " declares", "group.web (3 machines)", "Revision 8 recorded without group.web"},
			wantNoOut: []string{"group.db", "service.api", "group.elsewhere"}},
		{name: "scoped, no terminal", args: []string{spec}, wantCode: exitError, wantOut: []string{"group.web (3 machines)"}},
		{name: "scoped, no terminal, -auto-approve", args: []string{"-auto-approve", spec}, wantSent: [][]string{{"group.web"}}},
		{name: "everything, yes", terminal: true, input: "yes\n", wantSent: [][]string{nil},
			wantOut: []string{"This destroys every group, service and network the daemon manages: 3 groups (6 machines), 1 service and 1 network.", "nothing is desired"}},
		{name: "everything, no", terminal: true, input: "no\n", wantCode: exitError},
		{name: "everything, no terminal", wantCode: exitError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDaemon{status: daemonStatus}
			sock := f.serve(t)
			var out, errOut bytes.Buffer
			args := append([]string{"destroy", "--addr", sock}, tc.args...)
			code := run(t.Context(), args, stdio{in: strings.NewReader(tc.input), out: &out, err: &errOut, isTerminal: func() bool { return tc.terminal }}, fakeEnv{}.lookup)
			r := result{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
			wantCode(t, r, tc.wantCode)
			wantContains(t, r, "stdout", tc.wantOut...)
			wantNotContains(t, r, "stdout", tc.wantNoOut...)
			var sent [][]string
			for _, req := range f.destroys {
				sent = append(sent, req.Resources)
			}
			if !slices.EqualFunc(sent, tc.wantSent, slices.Equal) {
				t.Fatalf("destroy requests %q, want %q\n%s", sent, tc.wantSent, r)
			}
		})
	}
}

// An apply that drops resources or replaces machines asks; one that only
// adds does not.
func TestApplyOnDaemonAsks(t *testing.T) {
	spec := writeFile(t, t.TempDir(), "web.hcl", webSpec)
	adds := api.PlanResponse{Groups: []group.Plan{{Group: "web", Changes: []group.Change{{Kind: group.ChangeCreate, Name: "web-4"}}}}}
	replaces := api.PlanResponse{Groups: []group.Plan{{Group: "web", Changes: []group.Change{{Kind: group.ChangeReplace, Name: "web-1"}}}}}
	onlyWeb := api.Status{Revision: 7, Resources: []resource.Status{
		{Resource: resource.Group.KeyOf("web"), Kind: resource.Group, Name: "web"}, {Resource: resource.Group.KeyOf("elsewhere"), Kind: resource.Group, Name: "elsewhere"},
	}}
	cases := []struct {
		name     string
		status   api.Status
		plan     api.PlanResponse
		args     []string
		wantCode int
		applied  int
		wantOut  []string
	}{
		{name: "only adds", status: onlyWeb, plan: adds, applied: 1},
		{name: "replaces, no terminal", status: onlyWeb, plan: replaces, wantCode: exitError, wantOut: []string{"group.web: replace web-1"}},
		{name: "replaces, -auto-approve", status: onlyWeb, plan: replaces, args: []string{"-auto-approve"}, applied: 1},
		{name: "drops a service", status: daemonStatus, plan: adds, wantCode: exitError,
			wantOut: []string{"service.api: no longer in the spec, removed", "group.db: no longer in the spec", "network.front"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDaemon{status: tc.status, plan: tc.plan}
			sock := f.serve(t)
			r := drover(t, append(append([]string{"apply", "--addr", sock}, tc.args...), spec)...)
			wantCode(t, r, tc.wantCode)
			wantContains(t, r, "stdout", tc.wantOut...)
			if f.applies != tc.applied {
				t.Fatalf("%d applies, want %d\n%s", f.applies, tc.applied, r)
			}
			if strings.Contains(r.stdout, "group.old") {
				t.Errorf("a group retired already is listed:\n%s", r)
			}
		})
	}
}
