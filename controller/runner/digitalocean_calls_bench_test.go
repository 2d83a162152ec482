package runner_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean"
	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// Issue 7's benchmark: API calls per resync for 20 groups of 10 droplets,
// drover against a client that lists each group by its own tag, measured
// on the same fake in the same run.
const (
	doFleetGroups = 20
	doFleetSize   = 10
	doFleetOwner  = "docalls"
	doPerPage     = 200 // the API's largest page, as the provider asks
)

// listRoute is the fake's route of every droplet list, by tag or not.
const listRoute = "GET /v2/droplets"

// doFleet is drover reconciling groups on the fake DigitalOcean API in the
// background, with every pass it finishes counted. Its periodic resync is
// an hour away: the passes measured are the ones resync starts by hand.
type doFleet struct {
	tb     testing.TB
	fake   *dofake.Server
	url    string
	groups []string
	r      *runner.Runner

	mu        sync.Mutex
	passes    map[resource.Key]int // finished passes by key
	inFlight  int
	requeuing map[resource.Key]bool // keys whose last pass asked for another
	lastEnd   time.Time             // when the last pass ended
	finished  chan struct{}         // a pass ended (buffered 1)
}

// startDOFleet applies groups×size droplets on a fresh fake (no faults, no
// rate limit: this counts calls, it does not pace them) and returns once
// drover converged and went quiet.
func startDOFleet(tb testing.TB, groups, size int) *doFleet {
	tb.Helper()
	fake := dofake.New(dofake.Options{Token: doToken, RatePerMinute: -1})
	ts := httptest.NewServer(fake)
	tb.Cleanup(ts.Close)
	f := &doFleet{tb: tb, fake: fake, url: ts.URL + "/", passes: map[resource.Key]int{}, requeuing: map[resource.Key]bool{}, finished: make(chan struct{}, 1)}
	for i := 1; i <= groups; i++ {
		f.groups = append(f.groups, fmt.Sprintf("g%02d", i))
	}
	spec := doFleetSpec(tb, f.url, f.groups, size)

	ctx, cancel := context.WithCancel(context.Background())
	r, err := runner.New(ctx, spec, runner.Options{
		Registry: plugins.Builtins(plugins.BuiltinOptions{}), Owner: doFleetOwner, DataDir: tb.TempDir(), Resync: time.Hour,
		WrapReconciler: func(next reconcile.Reconciler[resource.Key]) reconcile.Reconciler[resource.Key] {
			return countingReconciler{f, next}
		},
	})
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	f.r = r
	ran := make(chan struct{})
	go func() { defer close(ran); r.Run(ctx, nil, nil) }()
	tb.Cleanup(func() { cancel(); <-ran }) // before ts.Close: cleanups run last first

	// The provider has no watcher, and the periodic resync is an hour
	// away: wake every group whenever drover goes quiet short of
	// convergence, as the resync would (droplets are active at their
	// first read after the create).
	start := time.Now()
	for f.quiet(); !f.r.Converged(); f.quiet() {
		if time.Since(start) > 2*time.Minute {
			tb.Fatalf("not converged within 2m: %+v", f.r.Statuses())
		}
		f.r.Resync()
	}
	tb.Logf("%d groups of %d droplets converged in %v", groups, size, time.Since(start).Round(10*time.Millisecond))
	return f
}

// doFleetSpec is a spec of groups on the fake at url, each of size droplets.
func doFleetSpec(tb testing.TB, url string, groups []string, size int) *specs.Spec {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"digitalocean\" \"fake\" {\n  token   = env(\"DIGITALOCEAN_TOKEN\")\n  region  = \"fra1\"\n  api_url = %q\n}\n", url)
	for _, g := range groups {
		fmt.Fprintf(&b, "group %q {\n  size = %d\n  instance \"digitalocean\" {\n    size  = \"s-1vcpu-1gb\"\n    image = \"ubuntu-24-04-x64\"\n  }\n  flavor \"vanilla\" {}\n}\n", g, size)
	}
	l, err := specs.NewLoader(specs.Options{Schemas: plugins.Builtins(plugins.BuiltinOptions{}), LookupEnv: func(k string) (string, bool) {
		if k == "DIGITALOCEAN_TOKEN" {
			return doToken, true
		}
		return "", false
	}})
	if err != nil {
		tb.Fatal(err)
	}
	spec, err := l.LoadSources(specs.Source{Name: "calls.hcl", Src: []byte(b.String())})
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

// countingReconciler counts the passes the work queue runs.
type countingReconciler struct {
	f    *doFleet
	next reconcile.Reconciler[resource.Key]
}

func (c countingReconciler) Reconcile(ctx context.Context, key resource.Key) (reconcile.Result, error) {
	c.f.mu.Lock()
	c.f.inFlight++
	c.f.mu.Unlock()
	res, err := c.next.Reconcile(ctx, key)
	c.f.mu.Lock()
	c.f.inFlight--
	c.f.passes[key]++
	c.f.requeuing[key] = err != nil || res.Requeue || res.RequeueAfter > 0
	c.f.lastEnd = time.Now()
	c.f.mu.Unlock()
	select {
	case c.f.finished <- struct{}{}:
	default:
	}
	return res, err
}

// await waits, pass by pass, until cond holds.
func (f *doFleet) await(within time.Duration, what string, cond func() bool) {
	f.tb.Helper()
	timeout := time.After(within)
	for !cond() {
		select {
		case <-f.finished:
		case <-timeout:
			f.tb.Fatalf("no %s within %v: statuses %+v", what, within, f.r.Statuses())
		}
	}
}

// quiet waits until no pass runs, is queued, or was asked for.
func (f *doFleet) quiet() {
	f.tb.Helper()
	f.await(time.Minute, "quiet (no pass running or queued)", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.inFlight == 0 && !slices.Contains(slices.Collect(maps.Values(f.requeuing)), true) && f.r.QueueLen() == 0
	})
}

// resync is one steady-state resync of every group, as the periodic one
// does it: it waits until the provider's shared list is stale (the
// periodic resync comes 30 s apart, far past the window), wakes every
// group, waits for each to finish a pass and for quiet, and returns the
// API calls by route, the passes by key and the time from the wake-up to
// the last pass's end.
func (f *doFleet) resync() (calls map[string]int, passes map[resource.Key]int, took time.Duration) {
	f.tb.Helper()
	f.quiet()
	f.mu.Lock()
	before, lastEnd := maps.Clone(f.passes), f.lastEnd
	f.mu.Unlock()
	// Every list was fetched before the pass that asked for it ended, so
	// all are stale a window after the last pass ended: a deadline on the
	// provider's clock, not a condition this test could wait on.
	time.Sleep(time.Until(lastEnd.Add(digitalocean.DefaultCacheWindow)))

	f.fake.ResetCalls()
	start := time.Now()
	f.r.Resync()
	f.await(time.Minute, "pass of every group", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, g := range f.groups {
			if f.passes[resource.Group.KeyOf(g)] == before[resource.Group.KeyOf(g)] {
				return false
			}
		}
		return true
	})
	f.quiet()
	calls = f.fake.Calls()
	f.mu.Lock()
	defer f.mu.Unlock()
	passes = map[resource.Key]int{}
	for k, n := range f.passes {
		if d := n - before[k]; d > 0 {
			passes[k] = d
		}
	}
	return calls, passes, f.lastEnd.Sub(start)
}

// baselineResync is the resync of a provider without a shared list: one
// paginated list per group by the group's tag (200 a page), filtered by the
// owner here. It returns the API calls by route and the droplets it found.
func (f *doFleet) baselineResync(client *godo.Client) (calls map[string]int, found int) {
	f.tb.Helper()
	ctx := context.Background()
	owner, err := instance.EncodeTag(instance.TagOwner, doFleetOwner)
	if err != nil {
		f.tb.Fatal(err)
	}
	f.quiet() // drover's own passes must not count
	f.fake.ResetCalls()
	for _, g := range f.groups {
		tag, err := instance.EncodeTag(instance.TagGroup, g)
		if err != nil {
			f.tb.Fatal(err)
		}
		opt := &godo.ListOptions{Page: 1, PerPage: doPerPage}
		for {
			ds, resp, err := client.Droplets.ListByTag(ctx, tag, opt)
			if err != nil {
				f.tb.Fatalf("baseline list of %s: %v", g, err)
			}
			for _, d := range ds {
				if slices.Contains(d.Tags, owner) {
					found++
				}
			}
			if len(ds) == 0 || resp.Links == nil || resp.Links.IsLastPage() {
				break
			}
			page, err := resp.Links.CurrentPage()
			if err != nil {
				f.tb.Fatalf("baseline list of %s: %v", g, err)
			}
			opt.Page = page + 1
		}
	}
	return f.fake.Calls(), found
}

// godoClient is a plain godo client of the fake.
func (f *doFleet) godoClient() *godo.Client {
	f.tb.Helper()
	c, err := godo.New(&http.Client{Transport: bearer{doToken, http.DefaultTransport}}, godo.SetBaseURL(f.url))
	if err != nil {
		f.tb.Fatal(err)
	}
	return c
}

type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(req)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// The design's promise (instance/digitalocean/describe.go): the groups of
// one resync share one paginated list by the owner tag, so a steady-state
// resync of 20 groups of 10 droplets costs ceil(200/200) = 1 request, and
// nothing else. The baseline, a list per group, costs 20.
func TestDigitalOceanOneListPerResync(t *testing.T) {
	t.Parallel()
	f := startDOFleet(t, doFleetGroups, doFleetSize)
	pages := (doFleetGroups*doFleetSize + doPerPage - 1) / doPerPage
	for i := range 2 {
		calls, passes, took := f.resync()
		t.Logf("resync %d: %v in %v, passes %v", i+1, calls, took.Round(time.Millisecond), passes)
		for _, g := range f.groups {
			if n := passes[resource.Group.KeyOf(g)]; n != 1 {
				t.Errorf("resync %d: group %s had %d passes, want 1 (a steady group asks for no other)", i+1, g, n)
			}
		}
		// One list per cache window: a resync slower than the window (a
		// machine under heavy load) may list again, no more often.
		want := pages * (1 + int(took/digitalocean.DefaultCacheWindow))
		if calls[listRoute] > want {
			t.Errorf("resync %d of %d groups (%v) made %d list requests, want %d: the groups did not share one list", i+1, len(f.groups), took.Round(time.Millisecond), calls[listRoute], want)
		}
		if other := sum(calls) - calls[listRoute]; other != 0 {
			t.Errorf("resync %d made %d calls besides the list, want none: %v", i+1, other, calls)
		}
		if !f.r.Converged() {
			t.Errorf("resync %d: not converged: %+v", i+1, f.r.Statuses())
		}
	}
	if t.Failed() {
		return
	}
	calls, found := f.baselineResync(f.godoClient())
	t.Logf("baseline resync (a list per group): %v, %d droplets found", calls, found)
	if found != doFleetGroups*doFleetSize || calls[listRoute] != doFleetGroups*pages || sum(calls) != calls[listRoute] {
		t.Errorf("baseline resync: %d droplets found with %v, want %d with %d lists", found, calls, doFleetGroups*doFleetSize, doFleetGroups*pages)
	}
}

// BenchmarkDigitalOceanResyncCalls reports the API calls of one
// steady-state resync of 20 groups of 10 droplets: drover's
// (calls/resync), a list per group's (baseline-calls/resync) and drover's
// as a share of the baseline's (ratio). Each iteration waits out the
// provider's 1 s list window first; run with -benchtime Nx.
func BenchmarkDigitalOceanResyncCalls(b *testing.B) {
	f := startDOFleet(b, doFleetGroups, doFleetSize)
	client := f.godoClient()
	var drover, baseline, resyncs int
	var slowest time.Duration
	for b.Loop() {
		calls, _, took := f.resync()
		base, found := f.baselineResync(client)
		if found != doFleetGroups*doFleetSize {
			b.Fatalf("the baseline found %d droplets, want %d", found, doFleetGroups*doFleetSize)
		}
		drover, baseline, resyncs = drover+sum(calls), baseline+sum(base), resyncs+1
		slowest = max(slowest, took)
	}
	d, bl := float64(drover)/float64(resyncs), float64(baseline)/float64(resyncs)
	b.ReportMetric(d, "calls/resync")
	b.ReportMetric(bl, "baseline-calls/resync")
	b.ReportMetric(d/bl, "ratio")
	b.ReportMetric(0, "ns/op") // mostly the wait for the list window: not a figure
	b.Logf("%d resyncs of %d groups of %d: drover %.2f calls each, a list per group %.2f; slowest resync %v", resyncs, doFleetGroups, doFleetSize, d, bl, slowest.Round(time.Millisecond))
}
