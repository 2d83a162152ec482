package main

import (
	"reflect"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/resource"
)

// In-process, only the default stack is served.
func TestStackNeedsDaemon(t *testing.T) {
	spec := writeFile(t, t.TempDir(), "web.hcl", webSpec)
	for _, command := range []string{"apply", "destroy"} {
		t.Run(command, func(t *testing.T) {
			r := drover(t, command, "--data-dir", t.TempDir(), "--stack", "app", spec)
			wantCode(t, r, exitError)
			wantContains(t, r, "stderr", "--stack app: stacks are a daemon feature, and no daemon is reachable")
			wantEmpty(t, r, "stdout")
		})
	}
}

// stackedStatus holds two stacks: app's group.web and default's
// service.api, and an orphan of app's.
var stackedStatus = api.Status{Revision: 7,
	Stacks: []api.StackInfo{
		{Name: "default", Resources: []string{"service.api"}},
		{Name: "app", Resources: []string{"group.web"}, Orphans: []string{"group.db"}},
	},
	Resources: []resource.Status{
		{Resource: resource.Group.KeyOf("web"), Kind: resource.Group, Name: "web", Observed: resource.Counts{Total: 3}},
		{Resource: resource.Group.KeyOf("db"), Kind: resource.Group, Name: "db", Observed: resource.Counts{Total: 2}},
		{Resource: resource.Service.KeyOf("api"), Kind: resource.Service, Name: "api"},
	}}

// apply and destroy name their stack to the daemon, and list only what
// that stack loses.
func TestStackOnDaemon(t *testing.T) {
	spec := writeFile(t, t.TempDir(), "web.hcl", webSpec)
	for _, tc := range []struct {
		name        string
		args        []string
		code        int
		sent        any
		out, notOut []string
		errSays     string
		wantNoSend  bool
	}{
		{name: "apply to the default stack asks for none of app's", args: []string{"apply", spec},
			code: exitError, out: []string{"service.api: no longer in the spec"}, notOut: []string{"group.db"}, wantNoSend: true},
		{name: "apply to app drops its orphan", args: []string{"apply", "--stack", "app", spec},
			code: exitError, out: []string{"group.db: no longer in the spec"}, notOut: []string{"service.api"}, wantNoSend: true},
		{name: "apply to app, approved", args: []string{"apply", "--stack", "app", "-auto-approve", spec},
			sent: api.ApplyRequest{Stack: "app"}, out: []string{"Revision 8 recorded"}},
		{name: "apply to a bad stack name", args: []string{"apply", "--stack", "App!", spec}, code: exitError, errSays: "--stack: want", wantNoSend: true},
		{name: "destroy of a stack lists it alone", args: []string{"destroy", "--stack", "app"}, code: exitError,
			out: []string{"This destroys every group, service and network of the stack app: 2 groups (5 machines), 0 services and 0 networks."}, wantNoSend: true},
		{name: "destroy of a stack, approved", args: []string{"destroy", "--stack", "app", "-auto-approve"},
			sent: api.DestroyRequest{Stack: "app"}, out: []string{"the stack app is empty"}},
		{name: "destroy of the default stack", args: []string{"destroy", "-auto-approve"},
			sent: api.DestroyRequest{Stack: api.DefaultStack}, out: []string{"the stack default is empty"}},
		{name: "destroy SPEC in a stack", args: []string{"destroy", "--stack", "app", "-auto-approve", spec},
			sent: api.DestroyRequest{Stack: "app", Resources: []string{"group.web"}}},
		{name: "destroy SPEC in a stack that declares none of it", args: []string{"destroy", "--stack", "default", "-auto-approve", spec},
			code: exitError, errSays: "the stack default declares none of the groups", wantNoSend: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &sourceDaemon{fakeDaemon: &fakeDaemon{status: stackedStatus}}
			sock := serveBackend(t, d)
			r := drover(t, append([]string{"--addr", sock}, tc.args...)...)
			wantCode(t, r, tc.code)
			wantContains(t, r, "stdout", tc.out...)
			wantNotContains(t, r, "stdout", tc.notOut...)
			if tc.errSays != "" {
				wantContains(t, r, "stderr", tc.errSays)
			}
			got := d.requests()
			if tc.wantNoSend {
				if len(got) != 0 {
					t.Errorf("the daemon got %#v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("the daemon got %#v, want one request\n%s", got, r)
			}
			switch req := got[0].(type) {
			case api.ApplyRequest:
				want := tc.sent.(api.ApplyRequest)
				if req.Stack != want.Stack {
					t.Errorf("apply to stack %q, want %q", req.Stack, want.Stack)
				}
			case api.DestroyRequest:
				req.Author, req.Message = "", ""
				if !reflect.DeepEqual(req, tc.sent) {
					t.Errorf("destroy %#v, want %#v", req, tc.sent)
				}
			default:
				t.Errorf("the daemon got %#v", req)
			}
		})
	}
}
