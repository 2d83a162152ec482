package dofake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/instance/digitalocean/dofake"
)

const token = "t0ken"

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// setup returns a fake, its URL and a godo client without retries.
func setup(t *testing.T, opts dofake.Options) (*dofake.Server, string, *godo.Client) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = token
	}
	f := dofake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := godo.New(&http.Client{Transport: bearer{opts.Token}}, godo.SetBaseURL(srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	return f, srv.URL, c
}

func status(err error) int {
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

func create(name string, tags ...string) *godo.DropletCreateRequest {
	return &godo.DropletCreateRequest{Name: name, Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "docker-20-04"}, Tags: tags}
}

// raw sends a request and returns status, headers and decoded body.
func raw(t *testing.T, method, url, tok, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(bytes.TrimSpace(b)) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, url, b, err)
		}
	}
	return resp.StatusCode, resp.Header, m
}

func TestPaginationByTag(t *testing.T) {
	f, _, c := setup(t, dofake.Options{RatePerMinute: -1})
	ctx := context.Background()
	for i := range 45 {
		names := make([]string, 10)
		for j := range names {
			names[j] = fmt.Sprintf("w-%d-%d", i, j)
		}
		_, resp, err := c.Droplets.CreateMultiple(ctx, &godo.DropletMultiCreateRequest{Names: names, Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "docker-20-04"}, Tags: []string{"drover__owner:t"}})
		if err != nil || resp.StatusCode != http.StatusAccepted || len(resp.Links.Actions) != 10 {
			t.Fatalf("CreateMultiple: %v, %v", resp, err)
		}
	}
	if _, _, err := c.Droplets.Create(ctx, create("other", "else")); err != nil {
		t.Fatal(err)
	}
	f.ResetCalls()
	opt := &godo.ListOptions{Page: 1, PerPage: 200}
	seen := map[int]bool{}
	pages := 0
	for {
		ds, resp, err := c.Droplets.ListByTag(ctx, "drover__owner:t", opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if resp.Meta == nil || resp.Meta.Total != 450 {
			t.Fatalf("meta = %+v, want total 450", resp.Meta)
		}
		for _, d := range ds {
			seen[d.ID] = true
		}
		if resp.Links.IsLastPage() {
			break
		}
		cur, err := resp.Links.CurrentPage()
		if err != nil || cur != opt.Page {
			t.Fatalf("CurrentPage = %d, %v on page %d", cur, err, opt.Page)
		}
		opt.Page = cur + 1
		if pages > 5 {
			t.Fatal("pagination runs away")
		}
	}
	if pages != 3 || len(seen) != 450 {
		t.Fatalf("%d pages, %d droplets; want 3 and 450", pages, len(seen))
	}
	if got := f.Calls()["GET /v2/droplets"]; got != 3 {
		t.Errorf("calls = %d, want 3", got)
	}
	// per_page above 200 is capped.
	ds, _, err := c.Droplets.List(ctx, &godo.ListOptions{PerPage: 500})
	if err != nil || len(ds) != 200 {
		t.Errorf("per_page 500: %d droplets, %v; want 200", len(ds), err)
	}
	// By name, case-insensitively.
	ds, _, err = c.Droplets.ListByName(ctx, "W-3-4", nil)
	if err != nil || len(ds) != 1 || ds[0].Name != "w-3-4" {
		t.Errorf("ListByName = %v, %v", ds, err)
	}
}

func TestShapesAndStatus(t *testing.T) {
	_, url, c := setup(t, dofake.Options{})
	ctx := context.Background()

	// 202 with the droplet "new", empty networks and links.actions.
	code, _, body := raw(t, "POST", url+"/v2/droplets", token, `{"name":"web-1","region":"fra1","size":"s-1vcpu-1gb","image":"docker-20-04","ssh_keys":null,"tags":null,"monitoring":true}`)
	if code != http.StatusAccepted {
		t.Fatalf("create: %d %v", code, body)
	}
	d := body["droplet"].(map[string]any)
	if d["status"] != "new" || fmt.Sprint(d["networks"]) != "map[v4:[] v6:[]]" {
		t.Errorf("create reply droplet = %v", d)
	}
	acts := body["links"].(map[string]any)["actions"].([]any)
	a := acts[0].(map[string]any)
	if a["rel"] != "create" || !strings.HasPrefix(a["href"].(string), url+"/v2/actions/") {
		t.Errorf("links.actions = %v", acts)
	}
	action, _, err := c.Actions.Get(ctx, int(a["id"].(float64)))
	if err != nil || action.Type != "create" || action.Status != "completed" {
		t.Errorf("GET action = %+v, %v", action, err)
	}
	id := int(d["id"].(float64))
	got, _, err := c.Droplets.Get(ctx, id)
	if err != nil || got.Status != "active" || len(got.Networks.V4) != 2 {
		t.Errorf("GET droplet = %+v, %v", got, err)
	}

	for _, tc := range []struct {
		name   string
		method string
		path   string
		tok    string
		body   string
		status int
		id     string
	}{
		{"no token", "GET", "/v2/droplets", "", "", 401, "unauthorized"},
		{"wrong token", "GET", "/v2/droplets", "nope", "", 401, "unauthorized"},
		{"underscore name", "POST", "/v2/droplets", token, `{"name":"web_1","region":"fra1","size":"s-1vcpu-1gb","image":"docker-20-04"}`, 422, "unprocessable_entity"},
		{"user_data too big", "POST", "/v2/droplets", token, `{"name":"web","region":"fra1","size":"s-1vcpu-1gb","image":"docker-20-04","user_data":"` + strings.Repeat("x", 64<<10+1) + `"}`, 422, "unprocessable_entity"},
		{"bad region", "POST", "/v2/droplets", token, `{"name":"web","region":"mars1","size":"s-1vcpu-1gb","image":"docker-20-04"}`, 422, "unprocessable_entity"},
		{"11 names", "POST", "/v2/droplets", token, `{"names":["a","b","c","d","e","f","g","h","i","j","k"],"region":"fra1","size":"s-1vcpu-1gb","image":"docker-20-04"}`, 422, "unprocessable_entity"},
		{"unknown droplet", "GET", "/v2/droplets/4040404040", token, "", 404, "not_found"},
		{"delete unknown", "DELETE", "/v2/droplets/4040404040", token, "", 404, "not_found"},
		{"pending event", "POST", fmt.Sprintf("/v2/droplets/%d/actions", id), token, `{"type":"fly"}`, 422, "unprocessable_entity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := raw(t, tc.method, url+tc.path, tc.tok, tc.body)
			if code != tc.status || body["id"] != tc.id || body["message"] == "" || body["request_id"] == "" {
				t.Errorf("%d %v, want %d with id %q", code, body, tc.status, tc.id)
			}
		})
	}

	// godo sees the same.
	if _, _, err := c.Droplets.Create(ctx, create("web_2")); status(err) != 422 {
		t.Errorf("underscore via godo: %v", err)
	}
	// 204 delete, then 404.
	resp, err := c.Droplets.Delete(ctx, id)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %v", resp, err)
	}
	if _, err := c.Droplets.Delete(ctx, id); status(err) != 404 {
		t.Errorf("second delete: %v", err)
	}
	// Multi-create: droplets and one action each.
	ds, resp, err := c.Droplets.CreateMultiple(ctx, &godo.DropletMultiCreateRequest{Names: []string{"m-1", "m-2"}, Region: "fra1", Size: "s-1vcpu-1gb", Image: godo.DropletCreateImage{Slug: "docker-20-04"}})
	if err != nil || len(ds) != 2 || len(resp.Links.Actions) != 2 || resp.StatusCode != 202 {
		t.Errorf("multi-create: %v %v %v", ds, resp, err)
	}
	// Delete by tag deletes everything with the tag.
	if _, _, err := c.Droplets.Create(ctx, create("t-1", "shared")); err != nil {
		t.Fatal(err)
	}
	if resp, err := c.Droplets.DeleteByTag(ctx, "shared"); err != nil || resp.StatusCode != 204 {
		t.Errorf("delete by tag: %v %v", resp, err)
	}
	if ds, _, _ := c.Droplets.ListByTag(ctx, "shared", nil); len(ds) != 0 {
		t.Errorf("after delete by tag: %v", ds)
	}
	// Tags, keys, regions, sizes, images.
	if tag, _, err := c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "Swarm"}); err != nil || tag.Name != "Swarm" {
		t.Errorf("tag create: %v %v", tag, err)
	}
	if tag, _, err := c.Tags.Create(ctx, &godo.TagCreateRequest{Name: "swarm"}); err != nil || tag.Name != "Swarm" {
		t.Errorf("tags keep their first spelling: %v %v", tag, err)
	}
	if keys, _, err := c.Keys.List(ctx, nil); err != nil || len(keys) != 1 || keys[0].Name != "drover" {
		t.Errorf("keys: %v %v", keys, err)
	}
	if k, _, err := c.Keys.GetByFingerprint(ctx, "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"); err != nil || k.ID != 1001 {
		t.Errorf("key by fingerprint: %v %v", k, err)
	}
	if rs, _, err := c.Regions.List(ctx, nil); err != nil || len(rs) == 0 {
		t.Errorf("regions: %v %v", rs, err)
	}
	if ss, _, err := c.Sizes.List(ctx, nil); err != nil || len(ss) == 0 {
		t.Errorf("sizes: %v %v", ss, err)
	}
	if is, _, err := c.Images.ListDistribution(ctx, nil); err != nil || len(is) == 0 {
		t.Errorf("images: %v %v", is, err)
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	_, url, _ := setup(t, dofake.Options{RatePerMinute: 3, Now: func() time.Time { return now }})
	for i := range 3 {
		code, h, _ := raw(t, "GET", url+"/v2/droplets", token, "")
		if code != 200 || h.Get("RateLimit-Limit") != "3" || h.Get("RateLimit-Remaining") != fmt.Sprint(2-i) || h.Get("RateLimit-Reset") != "1700000060" {
			t.Fatalf("request %d: %d %v", i, code, h)
		}
	}
	code, h, body := raw(t, "GET", url+"/v2/droplets", token, "")
	if code != 429 || body["id"] != "too_many_requests" || h.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("past the budget: %d %v %v", code, h, body)
	}
	now = now.Add(time.Minute)
	if code, _, _ := raw(t, "GET", url+"/v2/droplets", token, ""); code != 200 {
		t.Fatalf("after the window: %d", code)
	}
}

func TestFaults(t *testing.T) {
	f, _, c := setup(t, dofake.Options{})
	ctx := context.Background()
	f.Inject(dofake.Faults{ServerErrorRate: 1})
	var fails int
	for i := range 4 {
		if _, _, err := c.Droplets.Create(ctx, create(fmt.Sprintf("f-%d", i))); status(err) == 500 {
			fails++
		}
	}
	if fails != 4 || len(f.Droplets()) != 2 {
		t.Fatalf("%d failures, %d droplets; want 4 and 2 (every other reply lost)", fails, len(f.Droplets()))
	}
	f.Inject(dofake.Faults{ListLag: time.Hour})
	d, _, err := c.Droplets.Create(ctx, create("lagged"))
	if err != nil {
		t.Fatal(err)
	}
	if ds, _, _ := c.Droplets.ListByName(ctx, "lagged", nil); len(ds) != 0 {
		t.Errorf("a lagging list shows %v", ds)
	}
	if _, _, err := c.Droplets.Get(ctx, d.ID); err != nil {
		t.Errorf("GET of a lagging droplet: %v", err)
	}
	f.DeleteBehindBack(d.ID)
	if _, _, err := c.Droplets.Get(ctx, d.ID); status(err) != 404 {
		t.Errorf("GET after DeleteBehindBack: %v", err)
	}
}

func TestCPUMetric(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	f, _, c := setup(t, dofake.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	req := create("mon")
	req.Monitoring = true
	d, _, err := c.Droplets.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	f.SetCPU(d.ID, 0.25)
	now = now.Add(10 * time.Minute)
	m, _, err := c.Monitoring.GetDropletCPU(ctx, &godo.DropletMetricsRequest{HostID: fmt.Sprint(d.ID), Start: now.Add(-5 * time.Minute), End: now})
	if err != nil || m.Status != "success" || m.Data.ResultType != "matrix" || len(m.Data.Result) != 8 {
		t.Fatalf("cpu: %+v %v", m, err)
	}
	var idle, total float64
	for _, s := range m.Data.Result {
		dv := float64(s.Values[len(s.Values)-1].Value - s.Values[0].Value)
		total += dv
		if s.Metric["mode"] == "idle" {
			idle += dv
		}
	}
	if u := 1 - idle/total; u < 0.24 || u > 0.26 {
		t.Errorf("utilisation %v, want 0.25", u)
	}
}
