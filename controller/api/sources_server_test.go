package api_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/drover/drover/controller/api"
)

// sourceCalls keeps what the source methods of a fake backend got.
type sourceCalls struct {
	mu  sync.Mutex
	got []string
}

func (c *sourceCalls) keep(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, fmt.Sprintf(format, args...))
}

func (c *sourceCalls) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.got
	c.got = nil
	return got
}

func (c *sourceCalls) backend() *fakeBackend {
	info := func(name string) api.SourceInfo {
		return api.SourceInfo{Name: name, URL: "https://git.example.com/x.git"}
	}
	return &fakeBackend{
		addSource: func(_ context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
			c.keep("add %s %s", spec.Name, spec.URL)
			return info(spec.Name), nil
		},
		updateSource: func(_ context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
			c.keep("update %s %s", spec.Name, spec.URL)
			return info(spec.Name), nil
		},
		source: func(_ context.Context, name string) (api.SourceInfo, error) {
			c.keep("source %s", name)
			return info(name), nil
		},
		suspendSource: func(_ context.Context, name string, suspend bool) (api.SourceInfo, error) {
			c.keep("suspend %s %v", name, suspend)
			return info(name), nil
		},
		syncSource: func(_ context.Context, name string, req api.SyncRequest) (api.SourceInfo, error) {
			c.keep("sync %s %v", name, req.AllowPrune)
			return info(name), nil
		},
		removeSource: func(_ context.Context, name string, req api.RemoveSourceRequest) error {
			c.keep("remove %s %v", name, req.Destroy)
			return nil
		},
	}
}

func TestSourceRoutes(t *testing.T) {
	calls := &sourceCalls{}
	srv, _ := serve(t, api.ServerOptions{Backend: calls.backend()})
	for _, tc := range []struct {
		name, method, path, body string
		want                     int
		call, location, says     string
	}{
		{name: "add", method: "POST", path: "/v1/sources", body: `{"name": "app", "url": "https://git.example.com/app.git"}`,
			want: 201, call: "add app https://git.example.com/app.git", location: "/v1/sources/app"},
		{name: "add without a body", method: "POST", path: "/v1/sources", want: 400, says: "empty"},
		{name: "add with an unknown field", method: "POST", path: "/v1/sources", body: `{"name": "app", "ulr": "x"}`, want: 400, says: `unknown field "ulr"`},
		{name: "add with a bad name", method: "POST", path: "/v1/sources", body: `{"name": "App!secret", "url": "x"}`, want: 400, says: "source name"},
		{name: "add with no name", method: "POST", path: "/v1/sources", body: `{"url": "x"}`, want: 400, says: "source name"},
		{name: "get", method: "GET", path: "/v1/sources/app", want: 200, call: "source app"},
		{name: "get with a name of 63", method: "GET", path: "/v1/sources/" + strings.Repeat("a", 63), want: 200, call: "source " + strings.Repeat("a", 63)},
		{name: "get with a name of 64", method: "GET", path: "/v1/sources/" + strings.Repeat("a", 64), want: 400, says: "source name"},
		{name: "get with an upper-case name", method: "GET", path: "/v1/sources/App", want: 400, says: "source name"},
		{name: "get with a leading dash", method: "GET", path: "/v1/sources/-app", want: 400, says: "source name"},
		{name: "get with an escaped slash", method: "GET", path: "/v1/sources/a%2Fb", want: 400, says: "source name"},
		{name: "get with a dot", method: "GET", path: "/v1/sources/a.b", want: 400, says: "source name"},
		{name: "suspend", method: "POST", path: "/v1/sources/app/suspend", want: 200, call: "suspend app true"},
		{name: "resume", method: "POST", path: "/v1/sources/app_2/resume", want: 200, call: "suspend app_2 false"},
		{name: "suspend of a bad name", method: "POST", path: "/v1/sources/A/suspend", want: 400, says: "source name"},
		{name: "sync without a body", method: "POST", path: "/v1/sources/app/sync", want: 200, call: "sync app false"},
		{name: "sync allowing prune", method: "POST", path: "/v1/sources/app/sync", body: `{"allow_prune": true}`, want: 200, call: "sync app true"},
		{name: "sync with a bad body", method: "POST", path: "/v1/sources/app/sync", body: `{"prune": true}`, want: 400, says: `unknown field "prune"`},
		{name: "sync of a bad name", method: "POST", path: "/v1/sources/x%20y/sync", want: 400, says: "source name"},
		{name: "remove", method: "DELETE", path: "/v1/sources/app", want: 204, call: "remove app false"},
		{name: "remove with a body", method: "DELETE", path: "/v1/sources/app", body: `{"destroy": true}`, want: 204, call: "remove app true"},
		{name: "remove with a query", method: "DELETE", path: "/v1/sources/app?destroy=true", want: 204, call: "remove app true"},
		{name: "remove with a false query", method: "DELETE", path: "/v1/sources/app?destroy=false", want: 204, call: "remove app false"},
		{name: "remove with a bad query", method: "DELETE", path: "/v1/sources/app?destroy=yes-please", want: 400, says: "query destroy"},
		{name: "remove of a bad name", method: "DELETE", path: "/v1/sources/_x", want: 400, says: "source name"},
		{name: "update", method: "PUT", path: "/v1/sources/app", body: `{"url": "https://git.example.com/b.git"}`, want: 200, call: "update app https://git.example.com/b.git"},
		{name: "update naming another source", method: "PUT", path: "/v1/sources/app", body: `{"name": "other", "url": "x"}`, want: 400, says: "another source"},
		{name: "update without a body", method: "PUT", path: "/v1/sources/app", want: 400, says: "request body"},
		{name: "PATCH of a source", method: "PATCH", path: "/v1/sources/app", want: 405, says: "not allowed"},
		{name: "unknown verb", method: "POST", path: "/v1/sources/app/fetch", want: 404, says: "no such endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := request(t, srv, tc.method, tc.path, tc.body)
			if r.code != tc.want {
				t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
			}
			got := calls.take()
			if tc.call != "" {
				if len(got) != 1 || got[0] != tc.call {
					t.Errorf("the backend got %q, want %q", got, tc.call)
				}
			} else if len(got) != 0 {
				t.Errorf("the backend got %q", got)
			}
			if loc := r.header.Get("Location"); loc != tc.location {
				t.Errorf("Location %q, want %q", loc, tc.location)
			}
			switch {
			case tc.want == 204 && r.body != "":
				t.Errorf("204 with body %q", r.body)
			case tc.says != "":
				e := r.apiError(t)
				if !strings.Contains(e.Error, tc.says) {
					t.Errorf("error %q does not say %q", e.Error, tc.says)
				}
				for _, secret := range []string{"secret", "App", "x y", "a/b"} {
					if strings.Contains(e.Error, secret) {
						t.Errorf("error %q echoes the name", e.Error)
					}
				}
			}
		})
	}
}

func TestSourceBackendErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"exists", fmt.Errorf("source app: %w", api.ErrSourceExists), 409},
		{"not found", fmt.Errorf("source app: %w", api.ErrNotFound), 404},
		{"invalid", &api.InvalidError{Err: errors.New("url: credentials are not accepted in it")}, 400},
		{"other", errors.New("store: disk on fire"), 500},
	} {
		for _, ep := range endpoints {
			if !strings.HasPrefix(ep.path, "/v1/sources") {
				continue
			}
			t.Run(tc.name+" "+ep.method+" "+ep.path, func(t *testing.T) {
				srv, _ := serve(t, api.ServerOptions{Backend: failing(tc.err)})
				r := request(t, srv, ep.method, ep.path, ep.body)
				if r.code != tc.want {
					t.Fatalf("got %d %s, want %d", r.code, r.body, tc.want)
				}
				if e := r.apiError(t); e.Error != tc.err.Error() {
					t.Errorf("error %q, want %q", e.Error, tc.err)
				}
			})
		}
	}
}

func TestSourcesEmptyList(t *testing.T) {
	srv, _ := serve(t, api.ServerOptions{})
	r := request(t, srv, "GET", "/v1/sources", "")
	if r.code != 200 || r.body != "[]\n" {
		t.Errorf("got %d %q, want 200 []", r.code, r.body)
	}
}

func TestClientSourceErrors(t *testing.T) {
	_, c := serve(t, api.ServerOptions{Backend: failing(fmt.Errorf("source app: %w", api.ErrSourceExists))})
	_, err := c.AddSource(t.Context(), api.SourceSpec{Name: "app", URL: "x"})
	var se *api.StatusError
	if !errors.As(err, &se) || se.Code != 409 {
		t.Fatalf("error %v, want a 409 *StatusError", err)
	}
	err = c.RemoveSource(t.Context(), "Not A Name", api.RemoveSourceRequest{})
	if !errors.As(err, &se) || se.Code != 400 {
		t.Fatalf("error %v, want a 400 *StatusError", err)
	}
}
