package dofake_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/drover/drover/instance/digitalocean/dofake"
)

// conformance wraps the fake: every response it sends is checked against
// the description, and every (operation, status) it served is recorded.
type conformance struct {
	errorf func(format string, args ...any) // t.Errorf
	router routers.Router
	next   http.Handler

	mu     sync.Mutex
	served map[string]bool // "GET /v2/droplets/{droplet_id} 200"
}

func (c *conformance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())

	route, params, err := c.router.FindRoute(r)
	if err != nil {
		c.errorf("%s %s: the fake serves a path the description does not have: %v", r.Method, r.URL.Path, err)
		return
	}
	c.mu.Lock()
	c.served[fmt.Sprintf("%s %s %d", r.Method, route.Path, rec.Code)] = true
	c.mu.Unlock()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			// Formats too: created_at is a date-time, an address an ipv4.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()}},
	}
	in.Options.WithCustomSchemaErrorFunc(func(e *openapi3.SchemaError) string {
		msg := "/" + strings.Join(e.JSONPointer(), "/") + ": " + e.Reason
		if e.Origin != nil {
			msg += ": " + e.Origin.Error()
		}
		return msg
	})
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		c.errorf("%s %s answered %d against the description:\n%v\nbody: %s", r.Method, r.URL.RequestURI(), rec.Code, err, truncate(rec.Body.String()))
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// apiClient sends requests to the wrapped fake.
type apiClient struct {
	t    *testing.T
	base string
}

func (a apiClient) do(method, path, tok, body string) int {
	a.t.Helper()
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestResponsesMatchOpenAPI drives every route of the fake through every
// status it can answer and checks each response (status, headers, body)
// against DigitalOcean's OpenAPI description; then it checks that nothing
// on the list of served operations and statuses was missed.
func TestResponsesMatchOpenAPI(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	advance := func(d time.Duration) { clockMu.Lock(); now = now.Add(d); clockMu.Unlock() }

	fake := dofake.New(dofake.Options{Token: token, BootTime: time.Minute, Now: clock, DropletLimit: 8, RatePerMinute: -1})
	conf := &conformance{errorf: t.Errorf, router: loadAPI(t), next: fake, served: map[string]bool{}}
	srv := httptest.NewServer(conf)
	t.Cleanup(srv.Close)
	api := apiClient{t: t, base: srv.URL}

	const single = `{"name":"web-1","region":"fra1","size":"s-1vcpu-1gb","image":"docker-20-04","tags":["drover","env:test"],"monitoring":true,"ssh_keys":[1001]}`
	const multi = `{"names":["web-2","web-3","web-4"],"region":"ams3","size":"s-2vcpu-2gb","image":160000003,"tags":["drover"],"ipv6":true,"backups":true}`
	steps := []struct {
		name, method, path, tok, body string
		want                          int
		after                         func()
	}{
		{"create single", "POST", "/v2/droplets", token, single, 202, nil},
		{"create multi", "POST", "/v2/droplets", token, multi, 202, nil},
		{"create bad region", "POST", "/v2/droplets", token, `{"name":"x","region":"mars1","size":"s-1vcpu-1gb","image":"docker-20-04"}`, 422, nil},
		{"create unparsable", "POST", "/v2/droplets", token, `{`, 422, nil},
		{"get new", "GET", "/v2/droplets/300000001", token, "", 200, nil},
		{"list new", "GET", "/v2/droplets", token, "", 200, func() { advance(2 * time.Minute) }},
		{"get active", "GET", "/v2/droplets/300000001", token, "", 200, nil},
		{"get missing", "GET", "/v2/droplets/999", token, "", 404, nil},
		{"list page 1", "GET", "/v2/droplets?per_page=2", token, "", 200, nil},
		{"list page 2", "GET", "/v2/droplets?per_page=2&page=2", token, "", 200, nil},
		{"list by tag", "GET", "/v2/droplets?tag_name=env:test", token, "", 200, nil},
		{"list by name", "GET", "/v2/droplets?name=web-2", token, "", 200, nil},
		{"list two filters", "GET", "/v2/droplets?name=web-2&tag_name=drover", token, "", 422, nil},
		{"power off", "POST", "/v2/droplets/300000002/actions", token, `{"type":"power_off"}`, 201, nil},
		{"bad action", "POST", "/v2/droplets/300000002/actions", token, `{"type":"fly"}`, 422, nil},
		{"action on missing", "POST", "/v2/droplets/999/actions", token, `{"type":"reboot"}`, 404, nil},
		{"get off", "GET", "/v2/droplets/300000002", token, "", 200, nil},
		{"droplet actions", "GET", "/v2/droplets/300000002/actions", token, "", 200, nil},
		{"droplet actions missing", "GET", "/v2/droplets/999/actions", token, "", 404, nil},
		{"droplet action", "GET", "/v2/droplets/300000001/actions/1000000001", token, "", 200, nil},
		{"droplet action missing", "GET", "/v2/droplets/300000001/actions/1000000002", token, "", 404, nil},
		{"actions", "GET", "/v2/actions?per_page=3", token, "", 200, nil},
		{"action", "GET", "/v2/actions/1000000005", token, "", 200, nil},
		{"action missing", "GET", "/v2/actions/1", token, "", 404, nil},
		{"cpu", "GET", "/v2/monitoring/metrics/droplet/cpu?host_id=300000001&start=1767322800&end=1767323100", token, "", 200, nil},
		{"cpu unmonitored", "GET", "/v2/monitoring/metrics/droplet/cpu?host_id=300000002&start=1767322800&end=1767323100", token, "", 200, nil},
		{"cpu bad query", "GET", "/v2/monitoring/metrics/droplet/cpu?host_id=300000001", token, "", 400, nil},
		{"create tag", "POST", "/v2/tags", token, `{"name":"extra"}`, 201, nil},
		{"bad tag", "POST", "/v2/tags", token, `{"name":"no spaces"}`, 422, nil},
		{"tags", "GET", "/v2/tags", token, "", 200, nil},
		{"tag", "GET", "/v2/tags/drover", token, "", 200, nil},
		{"tag missing", "GET", "/v2/tags/nope", token, "", 404, nil},
		{"keys", "GET", "/v2/account/keys", token, "", 200, nil},
		{"key by id", "GET", "/v2/account/keys/1001", token, "", 200, nil},
		{"key missing", "GET", "/v2/account/keys/7", token, "", 404, nil},
		{"regions", "GET", "/v2/regions", token, "", 200, nil},
		{"sizes", "GET", "/v2/sizes", token, "", 200, nil},
		{"images", "GET", "/v2/images", token, "", 200, nil},
		{"distribution images", "GET", "/v2/images?type=distribution", token, "", 200, nil},
		{"over the droplet limit", "POST", "/v2/droplets", token, strings.Replace(multi, `"web-2","web-3","web-4"`, `"a-1","a-2","a-3","a-4","a-5"`, 1), 422, nil},
		{"unauthorized", "GET", "/v2/droplets", "wrong", "", 401, nil},
		{"delete", "DELETE", "/v2/droplets/300000001", token, "", 204, nil},
		{"delete missing", "DELETE", "/v2/droplets/300000001", token, "", 404, nil},
		{"delete by tag", "DELETE", "/v2/droplets?tag_name=drover", token, "", 204, nil},
		{"delete by tag without tag", "DELETE", "/v2/droplets", token, "", 422, nil},
		{"list empty", "GET", "/v2/droplets", token, "", 200, func() { fake.Inject(dofake.Faults{ServerErrorRate: 1}) }},
		{"server error", "GET", "/v2/droplets/300000002", token, "", 500, nil},
		{"server error on create", "POST", "/v2/droplets", token, single, 500, func() { fake.Inject(dofake.Faults{}) }},
	}
	for _, s := range steps {
		if got := api.do(s.method, s.path, s.tok, s.body); got != s.want {
			t.Errorf("%s: %s %s answered %d, want %d", s.name, s.method, s.path, got, s.want)
		}
		if s.after != nil {
			s.after()
		}
	}

	// The rate limit, on a fake of its own.
	limited := &conformance{errorf: t.Errorf, router: conf.router, next: dofake.New(dofake.Options{Token: token, Now: clock, RatePerMinute: 1}), served: conf.served}
	lsrv := httptest.NewServer(limited)
	t.Cleanup(lsrv.Close)
	lapi := apiClient{t: t, base: lsrv.URL}
	if got := lapi.do("GET", "/v2/sizes", token, ""); got != 200 {
		t.Errorf("first request answered %d", got)
	}
	if got := lapi.do("GET", "/v2/sizes", token, ""); got != 429 {
		t.Errorf("request over the budget answered %d, want 429", got)
	}

	// Every operation the fake serves, with every status it answers.
	want := []string{
		"DELETE /v2/droplets 204", "DELETE /v2/droplets 422",
		"DELETE /v2/droplets/{droplet_id} 204", "DELETE /v2/droplets/{droplet_id} 404",
		"GET /v2/account/keys 200", "GET /v2/account/keys/{ssh_key_identifier} 200", "GET /v2/account/keys/{ssh_key_identifier} 404",
		"GET /v2/actions 200", "GET /v2/actions/{action_id} 200", "GET /v2/actions/{action_id} 404",
		"GET /v2/droplets 200", "GET /v2/droplets 401", "GET /v2/droplets 422",
		"GET /v2/droplets/{droplet_id} 200", "GET /v2/droplets/{droplet_id} 404", "GET /v2/droplets/{droplet_id} 500",
		"GET /v2/droplets/{droplet_id}/actions 200", "GET /v2/droplets/{droplet_id}/actions 404",
		"GET /v2/droplets/{droplet_id}/actions/{action_id} 200", "GET /v2/droplets/{droplet_id}/actions/{action_id} 404",
		"GET /v2/images 200",
		"GET /v2/monitoring/metrics/droplet/cpu 200", "GET /v2/monitoring/metrics/droplet/cpu 400",
		"GET /v2/regions 200", "GET /v2/sizes 200", "GET /v2/sizes 429",
		"GET /v2/tags 200", "GET /v2/tags/{tag_id} 200", "GET /v2/tags/{tag_id} 404",
		"POST /v2/droplets 202", "POST /v2/droplets 422", "POST /v2/droplets 500",
		"POST /v2/droplets/{droplet_id}/actions 201", "POST /v2/droplets/{droplet_id}/actions 404", "POST /v2/droplets/{droplet_id}/actions 422",
		"POST /v2/tags 201", "POST /v2/tags 422",
	}
	var got []string
	for k := range conf.served {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("served operations and statuses:\n got %q\nwant %q", got, want)
	}
}

// TestConformanceCatchesBadDroplets shows the check can fail: droplets
// that lack required fields, or send one of the wrong type or format, are
// refused, naming the field.
func TestConformanceCatchesBadDroplets(t *testing.T) {
	router := loadAPI(t)
	tests := []struct {
		name, body string
		want       []string
	}{
		{"missing fields", `{"droplet":{"id":1,"name":"x"}}`, []string{`"locked"`, `"next_backup_window"`, `"snapshot_ids"`}},
		{"wrong type", `{"droplet":{"id":1,"name":"x","locked":"no"}}`, []string{"/droplet/locked"}},
		{"bad date", `{"droplet":{"id":1,"name":"x","created_at":"yesterday"}}`, []string{"/droplet/created_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			})
			var mu sync.Mutex
			var errs []string
			c := &conformance{router: router, next: bad, served: map[string]bool{}, errorf: func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				errs = append(errs, fmt.Sprintf(format, args...))
			}}
			srv := httptest.NewServer(c)
			t.Cleanup(srv.Close)
			apiClient{t: t, base: srv.URL}.do("GET", "/v2/droplets/1", token, "")
			mu.Lock()
			defer mu.Unlock()
			if len(errs) != 1 {
				t.Fatalf("%d reports, want 1: %q", len(errs), errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs[0], w) {
					t.Errorf("the report does not name %s: %q", w, errs[0])
				}
			}
		})
	}
}
