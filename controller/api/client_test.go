package api_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

func TestNewClientAddr(t *testing.T) {
	for _, tc := range []struct {
		addr, want, bad string
	}{
		{addr: "unix:///run/drover/drover.sock", want: "unix:///run/drover/drover.sock"},
		{addr: "unix:/run/drover.sock", want: "unix:///run/drover.sock"},
		{addr: "/home/me/.local/share/drover/drover.sock", want: "unix:///home/me/.local/share/drover/drover.sock"},
		{addr: "./drover.sock", want: "unix://./drover.sock"},
		{addr: "drover.sock", want: "unix://drover.sock"},
		{addr: "http://10.0.0.5:7070", want: "http://10.0.0.5:7070"},
		{addr: "https://drover.example.com", want: "https://drover.example.com"},
		{addr: "http://proxy:8080/drover/", want: "http://proxy:8080/drover"},
		{addr: "10.0.0.5:7070", want: "http://10.0.0.5:7070"},
		{addr: "localhost:7070", want: "http://localhost:7070"},
		{addr: "[::1]:7070", want: "http://[::1]:7070"},
		{addr: ":7070", want: "http://localhost:7070"},
		{addr: "", bad: "empty"},
		{addr: "unix://", bad: "no socket path"},
		{addr: "ftp://host:21", bad: "unknown scheme"},
		{addr: "drover", bad: "neither a socket path nor host:port"},
		{addr: "host:http", bad: `invalid port ":http"`},
		{addr: "host:99999", bad: "bad port"},
		{addr: "http://host:", bad: "no port"},
		{addr: "http://", bad: "no host"},
		{addr: "http://u:p@host:1", bad: "a user, query or fragment"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			c, err := api.NewClient(tc.addr, "")
			if tc.bad != "" {
				if err == nil {
					t.Fatalf("NewClient accepted it as %s", c.Addr())
				}
				for _, want := range []string{tc.bad, "unix:///path/to.sock, /path/to.sock, http://host:port or host:port"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr() != tc.want {
				t.Errorf("Addr %q, want %q", c.Addr(), tc.want)
			}
		})
	}
}

// recorder is a fake backend that keeps the requests it got and answers
// with fixed responses.
type recorder struct {
	mu  sync.Mutex
	got []any
}

func (r *recorder) keep(v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, v)
}

func (r *recorder) last() any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return nil
	}
	return r.got[len(r.got)-1]
}

var (
	bundle = specs.Bundle{
		Specs: []string{"spec.hcl"}, Files: map[string][]byte{"spec.hcl": []byte("swarm \"prod\" {}\n"), "prod.vars": []byte("n = 1\n")},
		Vars: []string{"size=3"}, VarFiles: []string{"prod.vars"}, Env: map[string]string{"DROVER_VAR_token": "x"},
	}
	info = api.RevisionInfo{
		Number: 3, Kind: api.KindRollback, Hash: "abc", Author: "me@host", Time: t0, Message: "back",
		RollbackOf: 1, Resources: []string{"group.web"}, Current: true,
	}
	applied = api.ApplyResponse{Revision: info}
	plan    = api.PlanResponse{Revision: 3, Groups: []group.Plan{{
		Group:   "web",
		Changes: []group.Change{{Kind: group.ChangeCreate, Name: "web-2", Reason: group.Reason{Code: group.ReasonMissing, Detail: "1 of 2"}}},
		Steps:   []group.Action{{Kind: group.ActionCreate, Name: "web-2", Reason: group.Reason{Code: group.ReasonMissing}}},
		Waiting: []string{"web-1 to be healthy"}, RequeueAfter: time.Minute, Counts: resource.Counts{Desired: 2, Total: 1},
	}}, Services: []service.Plan{{Resource: resource.Service.KeyOf("web"), Action: "update", Reason: "spec changed", Changes: []string{"image"}}}}
	status = api.Status{Revision: 3, Hash: "abc", Converged: false, Resources: []resource.Status{{
		Resource: resource.Group.KeyOf("web"), Kind: resource.Group, Name: "web", Desired: 2, Observed: resource.Counts{Desired: 2, Total: 1, Ready: 1},
		Reason: "creating web-2", LastError: "quota", Passes: 7, LastPass: t0,
		Conditions: []resource.Condition{{Type: "Ready", Status: "False", Reason: "Scaling", Message: "1 of 2 ready"}},
	}}, Stacks: []api.StackInfo{{Name: "app", Revision: 3, Commit: &commit, Resources: []string{"group.web"}, Orphans: []string{"service.old"}}},
		Sources: []api.SourceInfo{sourceInfo}}
	commit     = api.CommitInfo{Source: "app", SHA: "0123456789abcdef0123456789abcdef01234567", Author: "me", Message: "scale web\n\nbody"}
	sourceSpec = api.SourceSpec{Name: "app", URL: "https://git.example.com/app.git", Branch: "prod", Path: "deploy", Interval: time.Minute,
		Timeout: 30 * time.Second, Prune: true, Env: map[string]string{"TOKEN": "v"}, Token: "t0ken", WebhookSecret: "wh", Notify: "https://hooks.example.com/n"}
	sourceInfo = api.SourceInfo{Name: "app", URL: "https://git.example.com/app.git", Branch: "prod", Path: "deploy", Interval: time.Minute,
		Timeout: 30 * time.Second, Prune: true, EnvNames: []string{"TOKEN"}, Auth: "token", Webhook: true, Notify: true, Added: t0,
		Status: api.SourceStatus{State: api.SourceHeld, Seen: commit.SHA, Applied: "fedcba", Revision: 3, LastFetch: t0,
			Held: commit.SHA, HeldReason: "prunes 3 of 4 resources", Orphans: []string{"service.old"}}}
	history = []api.RevisionInfo{info, {Number: 2, Kind: api.KindApply, Hash: "def", Time: t0, Resources: []string{}, Stack: "app", Commit: &commit}}
	detail  = api.RevisionDetail{RevisionInfo: info, Specs: []string{"spec.hcl"}, Files: map[string]string{"spec.hcl": "swarm \"prod\" {}\n"},
		Vars: []string{"size=3"}, VarFiles: []string{"prod.vars"}, EnvNames: []string{"DROVER_VAR_token"}}
)

func (r *recorder) backend() *fakeBackend {
	return &fakeBackend{
		apply: func(_ context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
			r.keep(req)
			return applied, nil
		},
		plan: func(_ context.Context, req api.PlanRequest) (api.PlanResponse, error) {
			r.keep(req)
			return plan, nil
		},
		status: func(context.Context) (api.Status, error) { r.keep("status"); return status, nil },
		destroy: func(_ context.Context, req api.DestroyRequest) (api.ApplyResponse, error) {
			r.keep(req)
			return applied, nil
		},
		history: func(context.Context) ([]api.RevisionInfo, error) { r.keep("history"); return history, nil },
		revision: func(_ context.Context, n int64) (api.RevisionDetail, error) {
			r.keep(n)
			return detail, nil
		},
		rollback: func(_ context.Context, req api.RollbackRequest) (api.ApplyResponse, error) {
			r.keep(req)
			return applied, nil
		},
		feed: newFeed(held()...),

		addSource: func(_ context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
			r.keep(spec)
			return sourceInfo, nil
		},
		updateSource: func(_ context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
			r.keep("update " + spec.Name)
			return sourceInfo, nil
		},
		sources: func(context.Context) ([]api.SourceInfo, error) {
			r.keep("sources")
			return []api.SourceInfo{sourceInfo}, nil
		},
		source: func(_ context.Context, name string) (api.SourceInfo, error) {
			r.keep("source " + name)
			return sourceInfo, nil
		},
		suspendSource: func(_ context.Context, name string, suspend bool) (api.SourceInfo, error) {
			r.keep(fmt.Sprintf("suspend %s %v", name, suspend))
			return sourceInfo, nil
		},
		syncSource: func(_ context.Context, name string, req api.SyncRequest) (api.SourceInfo, error) {
			r.keep(req)
			return sourceInfo, nil
		},
		removeSource: func(_ context.Context, name string, req api.RemoveSourceRequest) error {
			r.keep(req)
			return nil
		},
	}
}

// calls are the client's calls, each with the request the backend should
// get and the response the client should return.
var calls = []struct {
	name       string
	call       func(context.Context, *api.Client) (any, error)
	req, reply any
}{
	{"Apply", func(ctx context.Context, c *api.Client) (any, error) {
		return c.Apply(ctx, api.ApplyRequest{Bundle: bundle, Author: "me@host", Message: "first"})
	}, api.ApplyRequest{Bundle: bundle, Author: "me@host", Message: "first"}, applied},
	{"Plan", func(ctx context.Context, c *api.Client) (any, error) {
		return c.Plan(ctx, api.PlanRequest{Bundle: &bundle})
	}, api.PlanRequest{Bundle: &bundle}, plan},
	{"Plan of the current revision", func(ctx context.Context, c *api.Client) (any, error) {
		return c.Plan(ctx, api.PlanRequest{})
	}, api.PlanRequest{}, plan},
	{"Status", func(ctx context.Context, c *api.Client) (any, error) { return c.Status(ctx) }, "status", status},
	{"Destroy", func(ctx context.Context, c *api.Client) (any, error) {
		return c.Destroy(ctx, api.DestroyRequest{Author: "me", Message: "bye"})
	}, api.DestroyRequest{Author: "me", Message: "bye"}, applied},
	{"History", func(ctx context.Context, c *api.Client) (any, error) { return c.History(ctx) }, "history", history},
	{"Revision", func(ctx context.Context, c *api.Client) (any, error) { return c.Revision(ctx, 3) }, int64(3), detail},
	{"Rollback", func(ctx context.Context, c *api.Client) (any, error) {
		return c.Rollback(ctx, api.RollbackRequest{Revision: 1, Author: "me", Message: "back"})
	}, api.RollbackRequest{Revision: 1, Author: "me", Message: "back"}, applied},
	{"Events", func(ctx context.Context, c *api.Client) (any, error) {
		var got []resource.Event
		err := c.Events(ctx, 0, false, func(e resource.Event) error { got = append(got, e); return nil })
		return got, err
	}, nil, held()},
	{"Ping", func(ctx context.Context, c *api.Client) (any, error) { return nil, c.Ping(ctx) }, nil, nil},
	{"AddSource", func(ctx context.Context, c *api.Client) (any, error) { return c.AddSource(ctx, sourceSpec) }, sourceSpec, sourceInfo},
	{"UpdateSource", func(ctx context.Context, c *api.Client) (any, error) { return c.UpdateSource(ctx, sourceSpec) }, "update " + sourceSpec.Name, sourceInfo},
	{"Sources", func(ctx context.Context, c *api.Client) (any, error) { return c.Sources(ctx) }, "sources", []api.SourceInfo{sourceInfo}},
	{"Source", func(ctx context.Context, c *api.Client) (any, error) { return c.Source(ctx, "app") }, "source app", sourceInfo},
	{"SuspendSource", func(ctx context.Context, c *api.Client) (any, error) {
		return c.SuspendSource(ctx, "app", true)
	}, "suspend app true", sourceInfo},
	{"SuspendSource to resume", func(ctx context.Context, c *api.Client) (any, error) {
		return c.SuspendSource(ctx, "app", false)
	}, "suspend app false", sourceInfo},
	{"SyncSource", func(ctx context.Context, c *api.Client) (any, error) {
		return c.SyncSource(ctx, "app", api.SyncRequest{AllowPrune: true})
	}, api.SyncRequest{AllowPrune: true}, sourceInfo},
	{"RemoveSource", func(ctx context.Context, c *api.Client) (any, error) {
		return nil, c.RemoveSource(ctx, "app", api.RemoveSourceRequest{Destroy: true})
	}, api.RemoveSourceRequest{Destroy: true}, nil},
}

// roundTrip makes every call through c to rec's backend.
func roundTrip(t *testing.T, c *api.Client, rec *recorder) {
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.call(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			if tc.req != nil && !reflect.DeepEqual(rec.last(), tc.req) {
				t.Errorf("the backend got %#v, want %#v", rec.last(), tc.req)
			}
			if !reflect.DeepEqual(got, tc.reply) {
				t.Errorf("the client returned %#v, want %#v", got, tc.reply)
			}
		})
	}
}

func TestClientRoundTrip(t *testing.T) {
	rec := &recorder{}
	_, c := serve(t, api.ServerOptions{Backend: rec.backend(), Token: "s3cret"})
	roundTrip(t, c, rec)
}

func TestClientOverUnixSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "drv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "drover.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	h, err := api.NewServer(api.ServerOptions{Backend: rec.backend()})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	for _, addr := range []string{"unix://" + path, path} {
		t.Run(addr, func(t *testing.T) {
			c, err := api.NewClient(addr, "")
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr() != "unix://"+path {
				t.Errorf("Addr %q", c.Addr())
			}
			roundTrip(t, c, rec)
		})
	}
}

func TestClientStatusError(t *testing.T) {
	srv, c := serve(t, api.ServerOptions{Backend: failing(api.ErrNotFound), Token: "s3cret"})
	wrong, err := api.NewClient(srv.URL, "nope")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code int
		says string
	}{
		{"not found", func() error { _, err := c.Revision(t.Context(), 9); return err }, 404, "not found"},
		{"bad request", func() error { _, err := c.Rollback(t.Context(), api.RollbackRequest{}); return err }, 400, "revision must be"},
		{"wrong token", func() error { _, err := wrong.Status(t.Context()); return err }, 401, "bearer token"},
		{"wrong token for events", func() error {
			return wrong.Events(t.Context(), 0, true, func(resource.Event) error { return nil })
		}, 401, "bearer token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var se *api.StatusError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *StatusError", err)
			}
			if se.Code != tc.code || !strings.Contains(se.Body.Error, tc.says) {
				t.Errorf("got %d %q, want %d saying %q", se.Code, se.Body.Error, tc.code, tc.says)
			}
		})
	}
}

func TestClientLoadErrorDiagnostics(t *testing.T) {
	_, c := serve(t, api.ServerOptions{Backend: loadingBackend(t)})
	b := specs.Bundle{Specs: []string{"spec.hcl"}, Files: map[string][]byte{"spec.hcl": []byte(brokenSpec)}}
	_, err := c.Apply(t.Context(), api.ApplyRequest{Bundle: b})
	var se *api.StatusError
	if !errors.As(err, &se) || se.Code != 400 {
		t.Fatalf("error %v, want a 400 *StatusError", err)
	}
	checkDiagnostics(t, se.Body.Diagnostics)
}

func TestClientNonJSONError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad gateway, says the proxy", http.StatusBadGateway)
	}))
	defer srv.Close()
	c, err := api.NewClient(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Status(t.Context())
	var se *api.StatusError
	if !errors.As(err, &se) || se.Code != 502 || se.Body.Error != "bad gateway, says the proxy" {
		t.Fatalf("error %#v", err)
	}
	if want := "drover daemon: bad gateway, says the proxy (HTTP 502)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestClientUnreachable(t *testing.T) {
	dir, err := os.MkdirTemp("", "drv")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "none.sock")
	c, err := api.NewClient(path, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return c.Ping(t.Context()) }},
		{"Status", func() error { _, err := c.Status(t.Context()); return err }},
		{"Events", func() error { return c.Events(t.Context(), 0, true, func(resource.Event) error { return nil }) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			want := "the drover daemon at unix://" + path + " is not reachable"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want one saying %q", err, want)
			}
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("error %v does not wrap the dial error", err)
			}
		})
	}
}
