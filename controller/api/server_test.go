package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/internal/syncbuf"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

func TestNewServerChecksOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts api.ServerOptions
	}{
		{"no backend", api.ServerOptions{}},
		{"negative max body", api.ServerOptions{Backend: &fakeBackend{}, MaxBody: -1}},
		{"negative heartbeat", api.ServerOptions{Backend: &fakeBackend{}, Heartbeat: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := api.NewServer(tc.opts); err == nil {
				t.Error("NewServer accepted the options")
			}
		})
	}
}

func TestAuth(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "drover_queue_depth 0") })
	for _, tc := range []struct {
		name, token, path, auth string
		want                    int
	}{
		{name: "missing", token: "s3cret", path: "/v1/status", want: 401},
		{name: "wrong", token: "s3cret", path: "/v1/status", auth: "Bearer nope", want: 401},
		{name: "prefix of the token", token: "s3cret", path: "/v1/status", auth: "Bearer s3cre", want: 401},
		{name: "token and more", token: "s3cret", path: "/v1/status", auth: "Bearer s3cret2", want: 401},
		{name: "other scheme", token: "s3cret", path: "/v1/status", auth: "Basic s3cret", want: 401},
		{name: "no scheme", token: "s3cret", path: "/v1/status", auth: "s3cret", want: 401},
		{name: "right", token: "s3cret", path: "/v1/status", auth: "Bearer s3cret", want: 200},
		{name: "scheme in any case", token: "s3cret", path: "/v1/status", auth: "bearer s3cret", want: 200},
		{name: "unknown path needs the token too", token: "s3cret", path: "/v1/nope", want: 401},
		{name: "readyz needs it", token: "s3cret", path: "/readyz", want: 401},
		{name: "metrics need it", token: "s3cret", path: "/metrics", want: 401},
		{name: "metrics with it", token: "s3cret", path: "/metrics", auth: "Bearer s3cret", want: 200},
		{name: "healthz without it", token: "s3cret", path: "/healthz", want: 200},
		{name: "healthz with a wrong one", token: "s3cret", path: "/healthz", auth: "Bearer nope", want: 200},
		{name: "no token configured", path: "/v1/status", want: 200},
		{name: "no token configured, one sent", path: "/v1/status", auth: "Bearer whatever", want: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serve(t, api.ServerOptions{Token: tc.token, Metrics: metrics})
			var hdr []string
			if tc.auth != "" {
				hdr = []string{"Authorization", tc.auth}
			}
			r := request(t, srv, "GET", tc.path, "", hdr...)
			if r.code != tc.want {
				t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
			}
			// A client without the token keeps no connection.
			authorized := tc.token == "" || strings.EqualFold(tc.auth, "Bearer "+tc.token)
			if r.close == authorized {
				t.Errorf("Connection: close is %v for a client with the token: %v", r.close, authorized)
			}
			if tc.want == 401 {
				if got := r.header.Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate %q, want Bearer", got)
				}
				if e := r.apiError(t); !strings.Contains(e.Error, "bearer token") {
					t.Errorf("error %q does not say a token is needed", e.Error)
				}
			}
		})
	}
}

func TestRequestBodyErrors(t *testing.T) {
	okBundle := `{"specs":["a.hcl"],"files":{"a.hcl":"Zm9v"}}`
	for _, tc := range []struct {
		name, path, body string
		want             int
		says             string
	}{
		{"malformed JSON", "/v1/apply", `{"bundle": nope}`, 400, "malformed JSON at byte 13: invalid character 'o'"},
		{"JSON cut short", "/v1/apply", `{"bundle": {"specs": [`, 400, "ends early"},
		{"wrong type", "/v1/rollback", `{"revision": "two"}`, 400, `field revision at byte 18: want int64, got a JSON string`},
		{"wrong nested type", "/v1/apply", `{"bundle": {"specs": "a.hcl"}}`, 400, "field bundle.specs"},
		{"unknown field", "/v1/apply", `{"bundle": ` + okBundle + `, "mesage": "typo"}`, 400, `unknown field "mesage"`},
		{"unknown nested field", "/v1/plan", `{"bundle": {"spec": []}}`, 400, `unknown field "spec"`},
		{"two values", "/v1/destroy", `{} {}`, 400, "more than one JSON value"},
		{"trailing garbage", "/v1/destroy", `{} x`, 400, "invalid character 'x'"},
		{"bad base64 file", "/v1/apply", `{"bundle": {"specs": ["a.hcl"], "files": {"a.hcl": "!!"}}}`, 400, "request body: illegal base64"},
		{"empty apply", "/v1/apply", ``, 400, "empty"},
		{"empty rollback", "/v1/rollback", ``, 400, "empty"},
		{"no spec files", "/v1/apply", `{"bundle": {"files": {}}}`, 400, "names no spec files"},
		{"spec file not in the bundle", "/v1/apply", `{"bundle": {"specs": ["a.hcl", "b.hcl"], "files": {"a.hcl": ""}}}`, 400, "b.hcl is not in bundle.files"},
		{"var file not in the bundle", "/v1/plan", `{"bundle": {"specs": ["a.hcl"], "var_files": ["x.tfvars"], "files": {"a.hcl": ""}}}`, 400, "x.tfvars is not in bundle.files"},
		{"rollback to 0", "/v1/rollback", `{"revision": 0}`, 400, "revision must be"},
		{"oversized", "/v1/apply", `{"bundle": {"specs": ["a.hcl"], "files": {"a.hcl": "` + strings.Repeat("A", 200) + `"}}}`, 413, "larger than the limit of 128 bytes"},
		{"empty plan is fine", "/v1/plan", ``, 200, ""},
		{"empty destroy is fine", "/v1/destroy", ``, 201, ""},
		{"destroy of resources is fine", "/v1/destroy", `{"resources": ["group.web", "service.api", "network.front"]}`, 201, ""},
		{"destroy of a swarm", "/v1/destroy", `{"resources": ["group.web", "swarm.s"]}`, 400, "resources[1]: want group.NAME, service.NAME or network.NAME"},
		{"destroy of a kind alone", "/v1/destroy", `{"resources": ["group"]}`, 400, "resources[0]: want group.NAME"},
		{"whitespace after the value is fine", "/v1/apply", `{"bundle": ` + okBundle + "}\n\n", 201, ""},
		{"apply to a stack", "/v1/apply", `{"bundle": ` + okBundle + `, "stack": "app"}`, 201, ""},
		{"apply to a bad stack", "/v1/apply", `{"bundle": ` + okBundle + `, "stack": "Ap p"}`, 400, "stack: want"},
		{"destroy of a stack", "/v1/destroy", `{"stack": "default"}`, 201, ""},
		{"destroy of a bad stack", "/v1/destroy", `{"stack": "../x"}`, 400, "stack: want"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			count := func() { calls.Add(1) }
			srv, _ := serve(t, api.ServerOptions{MaxBody: 128, Backend: &fakeBackend{
				apply: func(context.Context, api.ApplyRequest) (api.ApplyResponse, error) {
					count()
					return api.ApplyResponse{}, nil
				},
				plan: func(context.Context, api.PlanRequest) (api.PlanResponse, error) {
					count()
					return api.PlanResponse{}, nil
				},
				destroy: func(context.Context, api.DestroyRequest) (api.ApplyResponse, error) {
					count()
					return api.ApplyResponse{}, nil
				},
				rollback: func(context.Context, api.RollbackRequest) (api.ApplyResponse, error) {
					count()
					return api.ApplyResponse{}, nil
				},
			}})
			r := request(t, srv, "POST", tc.path, tc.body, "Content-Type", "application/json")
			if r.code != tc.want {
				t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
			}
			if tc.want/100 == 2 {
				if calls.Load() != 1 {
					t.Errorf("the backend was called %d times, want once", calls.Load())
				}
				return
			}
			if e := r.apiError(t); !strings.Contains(e.Error, tc.says) {
				t.Errorf("error %q does not say %q", e.Error, tc.says)
			}
			if calls.Load() != 0 {
				t.Error("the backend was called")
			}
		})
	}
}

// brokenSpec has two errors: a missing image and a misspelt one.
const brokenSpec = `provider "docker" "local" {}
group "web" {
  size = 2
  instance "docker" {
    imgae = "nginx"
  }
  flavor "vanilla" {}
}
`

// loadingBackend loads bundles as the daemon does.
func loadingBackend(t *testing.T) *fakeBackend {
	l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeBackend{
		apply: func(_ context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
			_, err := l.LoadBundle(req.Bundle)
			return api.ApplyResponse{Revision: api.RevisionInfo{Number: 1}}, err
		},
		plan: func(_ context.Context, req api.PlanRequest) (api.PlanResponse, error) {
			_, err := l.LoadBundle(*req.Bundle)
			return api.PlanResponse{}, fmt.Errorf("plan: %w", err) // wrapped
		},
	}
}

func TestLoadErrorHasDiagnostics(t *testing.T) {
	bundle := specs.Bundle{Specs: []string{"spec.hcl"}, Files: map[string][]byte{"spec.hcl": []byte(brokenSpec)}}
	for _, tc := range []struct {
		name, path string
		body       any
	}{
		{"apply", "/v1/apply", api.ApplyRequest{Bundle: bundle}},
		{"plan", "/v1/plan", api.PlanRequest{Bundle: &bundle}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := serve(t, api.ServerOptions{Backend: loadingBackend(t)})
			body, _ := json.Marshal(tc.body)
			r := request(t, srv, "POST", tc.path, string(body))
			if r.code != 400 {
				t.Fatalf("got %d %s, want 400", r.code, r.body)
			}
			e := r.apiError(t)
			if !strings.Contains(e.Error, "Missing required argument") || !strings.Contains(e.Error, "(and 1 more errors)") {
				t.Errorf("error %q is not the LoadError's", e.Error)
			}
			checkDiagnostics(t, e.Diagnostics)
		})
	}
}

// checkDiagnostics checks that raw holds brokenSpec's misspelling, with
// its file and range.
func checkDiagnostics(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var diags []specs.JSONDiagnostic
	if err := json.Unmarshal(raw, &diags); err != nil {
		t.Fatalf("diagnostics %s: %v", raw, err)
	}
	if len(diags) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %s", len(diags), raw)
	}
	for _, d := range diags {
		if d.Summary != "Unsupported argument" {
			continue
		}
		want := specs.JSONRange{Filename: "spec.hcl", Start: specs.JSONPos{Line: 5, Column: 5, Byte: 80}, End: specs.JSONPos{Line: 5, Column: 10, Byte: 85}}
		if d.Severity != "error" || d.Range == nil || *d.Range != want {
			t.Errorf("diagnostic %+v, want an error at %+v", d, want)
		}
		if d.Snippet == nil || d.Snippet.Code != `    imgae = "nginx"` {
			t.Errorf("snippet %+v", d.Snippet)
		}
		return
	}
	t.Errorf("no Unsupported argument diagnostic in %s", raw)
}

// failing returns a backend all of whose calls fail with err.
func failing(err error) *fakeBackend {
	return &fakeBackend{
		apply:    func(context.Context, api.ApplyRequest) (api.ApplyResponse, error) { return api.ApplyResponse{}, err },
		plan:     func(context.Context, api.PlanRequest) (api.PlanResponse, error) { return api.PlanResponse{}, err },
		status:   func(context.Context) (api.Status, error) { return api.Status{}, err },
		destroy:  func(context.Context, api.DestroyRequest) (api.ApplyResponse, error) { return api.ApplyResponse{}, err },
		history:  func(context.Context) ([]api.RevisionInfo, error) { return nil, err },
		revision: func(context.Context, int64) (api.RevisionDetail, error) { return api.RevisionDetail{}, err },
		rollback: func(context.Context, api.RollbackRequest) (api.ApplyResponse, error) { return api.ApplyResponse{}, err },

		addSource:     func(context.Context, api.SourceSpec) (api.SourceInfo, error) { return api.SourceInfo{}, err },
		sources:       func(context.Context) ([]api.SourceInfo, error) { return nil, err },
		source:        func(context.Context, string) (api.SourceInfo, error) { return api.SourceInfo{}, err },
		suspendSource: func(context.Context, string, bool) (api.SourceInfo, error) { return api.SourceInfo{}, err },
		syncSource:    func(context.Context, string, api.SyncRequest) (api.SourceInfo, error) { return api.SourceInfo{}, err },
		removeSource:  func(context.Context, string, api.RemoveSourceRequest) error { return err },
	}
}

// endpoints are the API's calls, each with a body it accepts.
var endpoints = []struct{ method, path, body string }{
	{"POST", "/v1/apply", `{"bundle": {"specs": ["a.hcl"], "files": {"a.hcl": ""}}}`},
	{"POST", "/v1/plan", `{}`},
	{"GET", "/v1/status", ``},
	{"POST", "/v1/destroy", `{}`},
	{"GET", "/v1/revisions", ``},
	{"GET", "/v1/revisions/3", ``},
	{"POST", "/v1/rollback", `{"revision": 3}`},
	{"POST", "/v1/sources", `{"name": "app", "url": "https://git.example.com/app.git"}`},
	{"GET", "/v1/sources", ``},
	{"GET", "/v1/sources/app", ``},
	{"POST", "/v1/sources/app/suspend", ``},
	{"POST", "/v1/sources/app/resume", ``},
	{"POST", "/v1/sources/app/sync", `{"allow_prune": true}`},
	{"DELETE", "/v1/sources/app", ``},
}

func TestBackendErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		want   int
		logged bool
	}{
		{"not found", fmt.Errorf("revision 3: %w", api.ErrNotFound), 404, false},
		{"no revision", api.ErrNoRevision, 409, false},
		{"invalid", fmt.Errorf("group web: %w", &api.InvalidError{Err: errors.New("instance plugin digitalocean is not built yet")}), 400, false},
		{"other", errors.New("store: disk on fire"), 500, true},
	} {
		for _, ep := range endpoints {
			t.Run(tc.name+" "+ep.path, func(t *testing.T) {
				var log syncbuf.Buffer
				srv, _ := serve(t, api.ServerOptions{Backend: failing(tc.err), Log: slog.New(slog.NewTextHandler(&log, nil))})
				r := request(t, srv, ep.method, ep.path, ep.body)
				if r.code != tc.want {
					t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
				}
				if e := r.apiError(t); e.Error != tc.err.Error() {
					t.Errorf("error %q, want %q", e.Error, tc.err)
				}
				if got := strings.Contains(log.String(), tc.err.Error()); got != tc.logged {
					t.Errorf("logged %v, want %v: %q", got, tc.logged, log.String())
				}
			})
		}
	}
}

func TestRevisionNumber(t *testing.T) {
	var got atomic.Int64
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{
		revision: func(_ context.Context, n int64) (api.RevisionDetail, error) {
			got.Store(n)
			return api.RevisionDetail{RevisionInfo: api.RevisionInfo{Number: n}}, nil
		},
	}})
	for _, tc := range []struct {
		n    string
		want int
	}{
		{"7", 200},
		{"abc", 400},
		{"0", 400},
		{"-1", 400},
		{"1.5", 400},
		{"99999999999999999999", 400},
	} {
		t.Run(tc.n, func(t *testing.T) {
			got.Store(0)
			r := request(t, srv, "GET", "/v1/revisions/"+tc.n, "")
			if r.code != tc.want {
				t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
			}
			if tc.want == 400 {
				if e := r.apiError(t); !strings.Contains(e.Error, "revision number") || got.Load() != 0 {
					t.Errorf("error %q (backend asked for %d)", e.Error, got.Load())
				}
			} else if got.Load() != 7 {
				t.Errorf("backend asked for %d, want 7", got.Load())
			}
		})
	}
}

func TestSuccessCodes(t *testing.T) {
	var unchanged atomic.Bool
	rev := func(n int64) (api.ApplyResponse, error) {
		return api.ApplyResponse{Revision: api.RevisionInfo{Number: n}, Unchanged: unchanged.Load()}, nil
	}
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{
		apply:    func(context.Context, api.ApplyRequest) (api.ApplyResponse, error) { return rev(4) },
		destroy:  func(context.Context, api.DestroyRequest) (api.ApplyResponse, error) { return rev(5) },
		rollback: func(context.Context, api.RollbackRequest) (api.ApplyResponse, error) { return rev(6) },
	}})
	for _, tc := range []struct {
		name      string
		unchanged bool
		ep        int // in endpoints
		want      int
		location  string
		body      string
	}{
		{"apply", false, 0, 201, "/v1/revisions/4", ""},
		{"apply unchanged", true, 0, 200, "", ""},
		{"destroy", false, 3, 201, "/v1/revisions/5", ""},
		{"destroy unchanged", true, 3, 200, "", ""},
		{"rollback", false, 6, 201, "/v1/revisions/6", ""},
		{"no revisions is an empty list", false, 4, 200, "", "[]\n"},
		{"plan of nothing has empty lists", false, 1, 200, "", `{"revision":0,"groups":[],"services":[]}` + "\n"},
		{"status of nothing has an empty list", false, 2, 200, "", `{"revision":0,"converged":false,"resources":[],"stacks":[],"sources":[]}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unchanged.Store(tc.unchanged)
			ep := endpoints[tc.ep]
			r := request(t, srv, ep.method, ep.path, ep.body)
			if r.code != tc.want {
				t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
			}
			if got := r.header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.body != "" && r.body != tc.body {
				t.Errorf("body %q, want %q", r.body, tc.body)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	for _, tc := range []struct {
		name, method, path string
		metrics            bool
		want               int
		allow, says        string
	}{
		{name: "unknown path", method: "GET", path: "/v1/nope", want: 404, says: "no such endpoint: /v1/nope"},
		{name: "root", method: "GET", path: "/", want: 404, says: "no such endpoint"},
		{name: "revisions with no number", method: "GET", path: "/v1/revisions/", want: 404, says: "no such endpoint"},
		{name: "GET of a POST", method: "GET", path: "/v1/apply", want: 405, allow: "POST", says: "method GET is not allowed on /v1/apply"},
		{name: "POST of a GET", method: "POST", path: "/v1/status", want: 405, allow: "GET, HEAD", says: "not allowed"},
		{name: "DELETE of a revision", method: "DELETE", path: "/v1/revisions/2", want: 405, allow: "GET, HEAD", says: "not allowed"},
		{name: "no metrics handler", method: "GET", path: "/metrics", want: 404, says: "no such endpoint: /metrics"},
		{name: "metrics", method: "GET", path: "/metrics", metrics: true, want: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := api.ServerOptions{}
			if tc.metrics {
				opts.Metrics = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "drover_queue_depth 0") })
			}
			srv, _ := serve(t, opts)
			r := request(t, srv, tc.method, tc.path, "")
			if r.code != tc.want {
				t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
			}
			if tc.want == 200 {
				if r.body != "drover_queue_depth 0\n" {
					t.Errorf("body %q", r.body)
				}
				return
			}
			if got := r.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if e := r.apiError(t); !strings.Contains(e.Error, tc.says) {
				t.Errorf("error %q does not say %q", e.Error, tc.says)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	var notReady atomic.Pointer[error]
	srv, _ := serve(t, api.ServerOptions{Backend: &fakeBackend{ready: func() error {
		if p := notReady.Load(); p != nil {
			return *p
		}
		return nil
	}}})
	starting := errors.New("revision 3 no longer loads")
	for _, tc := range []struct {
		name, path string
		ready      error
		want       int
		body       string
	}{
		{"healthz", "/healthz", nil, 200, "ok\n"},
		{"healthz when not ready", "/healthz", starting, 200, "ok\n"},
		{"readyz", "/readyz", nil, 200, "ok\n"},
		{"readyz when not ready", "/readyz", starting, 503, `{"error":"revision 3 no longer loads"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.ready != nil {
				notReady.Store(&tc.ready)
			} else {
				notReady.Store(nil)
			}
			r := request(t, srv, "GET", tc.path, "")
			if r.code != tc.want || r.body != tc.body {
				t.Errorf("got %d %q, want %d %q", r.code, r.body, tc.want, tc.body)
			}
		})
	}
}
