package daemon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/daemon"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/specs"
)

// registry is the built-ins, whose swarm flavor records the swarms'
// managers in clusters, plus a "fake" instance plugin served by p.
func registry(t testing.TB, p instance.Plugin, clusters *swarm.Clusters) *plugins.Registry {
	t.Helper()
	reg := plugins.Builtins(plugins.BuiltinOptions{Clusters: clusters})
	err := reg.RegisterInstance("fake", plugins.InstancePlugin{
		ProviderSchema: &schema.Block{Attributes: []schema.Attribute{{Name: "token", Type: schema.String, Sensitive: true}}},
		InstanceSchema: &schema.Block{Attributes: []schema.Attribute{{Name: "image", Type: schema.String}}},
		New:            func(context.Context, json.RawMessage) (instance.Plugin, error) { return p, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// bundle is a spec of groups "name=size[:image]" on the fake plugin.
func bundle(groups ...string) specs.Bundle {
	var b strings.Builder
	for _, g := range groups {
		name, size, _ := strings.Cut(g, "=")
		size, image, _ := strings.Cut(size, ":")
		fmt.Fprintf(&b, "group %q {\n  size = %s\n  instance \"fake\" { image = %q }\n  flavor \"vanilla\" {}\n}\n", name, size, image+"x")
	}
	return specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(b.String())}}
}

// tokenBundle is a group "a" of one machine on the fake provider, whose
// token, a secret, comes from the environment variable FAKE_TOKEN (token
// in the bundle).
func tokenBundle(token string) specs.Bundle {
	return specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`
provider "fake" "main" { token = env("FAKE_TOKEN") }
group "a" {
  size = 1
  instance "fake" { image = "x" }
  flavor "vanilla" {}
}`)}, Env: map[string]string{"FAKE_TOKEN": token}}
}

type harness struct {
	t      testing.TB
	resync time.Duration // default an hour: tests wake the daemon themselves
	plugin *fake.Plugin
	// measured serves the plugin with its CPU capability (fake.Measured).
	measured bool
	dir      string
	d        *daemon.Daemon
	cancel   context.CancelFunc
	done     chan error
}

func newHarness(t testing.TB) *harness { return startHarness(t, time.Hour) }

func startHarness(t testing.TB, resync time.Duration) *harness {
	return started(&harness{t: t, resync: resync, plugin: fake.New(nil), dir: shortTempDir(t)})
}

// started starts h's daemon, stopped when the test ends.
func started(h *harness) *harness {
	h.start()
	h.t.Cleanup(h.stop)
	return h
}

// shortTempDir keeps the socket path under the unix limit.
func shortTempDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "drvd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// newClusters is what a daemon's process knows of the swarms' managers,
// closed when the test ends.
func newClusters(t testing.TB) *swarm.Clusters {
	c := swarm.NewClusters("")
	t.Cleanup(func() { c.Close() })
	return c
}

func (h *harness) options() daemon.Options {
	clusters := newClusters(h.t)
	var p instance.Plugin = h.plugin
	if h.measured {
		p = h.plugin.Measured()
	}
	return daemon.Options{Registry: registry(h.t, p, clusters), Managers: clusters, DataDir: h.dir, Owner: "test", Resync: h.resync,
		Group: group.Options{StableAfter: time.Millisecond}}
}

func (h *harness) start() {
	h.t.Helper()
	h.startWith(h.options())
}

// startWith starts a daemon with opts; stop ends it.
func (h *harness) startWith(opts daemon.Options) {
	h.t.Helper()
	h.startIn(h.t.Context(), opts)
}

// startIn starts a daemon with opts under parent (a logger in it, say).
func (h *harness) startIn(parent context.Context, opts daemon.Options) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(parent)
	d, err := daemon.New(ctx, opts)
	if err != nil {
		cancel()
		h.t.Fatal(err)
	}
	h.d, h.cancel, h.done = d, cancel, make(chan error, 1)
	go func() { h.done <- d.Run(ctx) }()
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	if err := <-h.done; err != nil {
		h.t.Errorf("daemon stopped with %v", err)
	}
	h.cancel = nil
}

// await waits until the status satisfies ok, failing after a minute (a
// bound for a loaded machine).
func (h *harness) await(what string, ok func(api.Status) bool) api.Status {
	h.t.Helper()
	_, ch := h.d.Subscribe(h.t.Context(), 1<<62)
	deadline := time.After(time.Minute)
	for {
		st, err := h.d.Status(h.t.Context())
		if err != nil {
			h.t.Fatal(err)
		}
		if ok(st) {
			return st
		}
		select {
		case <-ch: // something happened: look again
		case <-time.After(50 * time.Millisecond): // passes that emit no event
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; status: %+v", what, st)
		}
	}
}

func converged(rev int64) func(api.Status) bool {
	return func(st api.Status) bool { return st.Revision == rev && st.Converged }
}

func (h *harness) apply(b specs.Bundle) api.ApplyResponse {
	h.t.Helper()
	res, err := h.d.Apply(h.t.Context(), api.ApplyRequest{Bundle: b, Author: "t"})
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

func countByGroup(p *fake.Plugin) map[string]int {
	descs, _ := p.Describe(context.Background(), nil)
	out := map[string]int{}
	for _, d := range descs {
		out[d.Tags[instance.TagGroup]]++
	}
	return out
}

func TestApplyChangeRetireRollbackDestroy(t *testing.T) {
	h := newHarness(t)
	r1 := h.apply(bundle("a=2", "b=1"))
	if r1.Revision.Number != 1 || r1.Unchanged {
		t.Fatalf("first apply: %+v", r1)
	}
	h.await("revision 1", converged(1))
	if got := countByGroup(h.plugin); got["a"] != 2 || got["b"] != 1 {
		t.Fatalf("instances after revision 1: %v", got)
	}
	if again := h.apply(bundle("a=2", "b=1")); !again.Unchanged || again.Revision.Number != 1 {
		t.Fatalf("the same spec again: %+v, want unchanged revision 1", again)
	}

	r2 := h.apply(bundle("a=3"))
	st := h.await("revision 2 with b gone", func(st api.Status) bool {
		return converged(r2.Revision.Number)(st) && len(st.Resources) == 1
	})
	if got := countByGroup(h.plugin); got["a"] != 3 || got["b"] != 0 {
		t.Fatalf("instances after revision 2: %v (status %+v)", got, st)
	}

	rb, err := h.d.Rollback(t.Context(), api.RollbackRequest{Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Revision.Kind != api.KindRollback || rb.Revision.RollbackOf != 1 || rb.Revision.Hash != r1.Revision.Hash {
		t.Fatalf("rollback: %+v", rb.Revision)
	}
	h.await("rollback", converged(rb.Revision.Number))
	if got := countByGroup(h.plugin); got["a"] != 2 || got["b"] != 1 {
		t.Fatalf("instances after rollback: %v", got)
	}

	ds, err := h.d.Destroy(t.Context(), api.DestroyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	h.await("destroy", func(st api.Status) bool { return converged(ds.Revision.Number)(st) && len(st.Resources) == 0 })
	if n := len(h.plugin.Names()); n != 0 {
		t.Fatalf("%d instances left after destroy", n)
	}
	hist, err := h.d.History(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range hist {
		kinds = append(kinds, r.Kind)
	}
	if want := []string{"destroy", "rollback", "apply", "apply"}; !slices.Equal(kinds, want) || !hist[0].Current {
		t.Fatalf("history kinds %v (current %v), want %v", kinds, hist[0].Current, want)
	}
}

func TestRefusedSpecsRecordNothing(t *testing.T) {
	h := newHarness(t)
	h.apply(bundle("a=1"))
	cases := []struct {
		name  string
		b     specs.Bundle
		check func(error) bool
	}{
		{"does not load", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`group "a" { sise = 1 }`)}},
			func(err error) bool { var le *specs.LoadError; return errors.As(err, &le) }},
		{"no spec files", specs.Bundle{}, func(err error) bool { return err != nil }},
		{"a provider its plugin refuses", specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`
provider "digitalocean" "x" {
  token   = "t"
  region  = "fra1"
  api_url = "ftp://nowhere"
}
group "a" {
  size = 1
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "docker-20-04"
  }
  flavor "vanilla" {}
}`)}}, func(err error) bool { var ie *api.InvalidError; return errors.As(err, &ie) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.d.Apply(t.Context(), api.ApplyRequest{Bundle: tc.b})
			if !tc.check(err) {
				t.Fatalf("apply: %v (%T)", err, err)
			}
			hist, _ := h.d.History(t.Context())
			if len(hist) != 1 {
				t.Fatalf("%d revisions after a refused apply, want 1", len(hist))
			}
		})
	}
}

func TestRestartRestoresRevisionAndRetiredGroups(t *testing.T) {
	h := newHarness(t)
	h.apply(bundle("a=1", "b=2"))
	h.await("revision 1", converged(1))
	// Retire b while destroys fail, so that it is still retired at restart.
	h.plugin.Inject(fake.Faults{DescribeErrors: 1 << 30})
	h.apply(bundle("a=1"))
	h.stop()
	h.plugin.Inject(fake.Faults{})
	h.start()
	st := h.await("revision 2 after restart", func(st api.Status) bool { return converged(2)(st) && len(st.Resources) == 1 })
	if st.Resources[0].Resource.String() != "group.a" {
		t.Fatalf("resources after restart: %+v", st.Resources)
	}
	if got := countByGroup(h.plugin); got["b"] != 0 || got["a"] != 1 {
		t.Fatalf("instances after restart: %v", got)
	}
}

func TestSecondDaemonOnDataDirRefused(t *testing.T) {
	h := newHarness(t)
	opts := h.options()
	opts.Listen = filepath.Join(h.dir, "other.sock")
	_, err := daemon.New(t.Context(), opts)
	var le *store.LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "in use by another drover daemon") {
		t.Fatalf("second daemon: %v", err)
	}
}

func TestTCPNeedsToken(t *testing.T) {
	_, err := daemon.New(t.Context(), daemon.Options{Registry: plugins.Builtins(plugins.BuiltinOptions{}), DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "needs a bearer token") {
		t.Fatalf("TCP without a token: %v", err)
	}
}

func TestCorruptStoreIsLeftAlone(t *testing.T) {
	dir := shortTempDir(t)
	path := filepath.Join(dir, "drover.db")
	garbage := []byte(strings.Repeat("not a bolt file ", 4096))
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := daemon.New(t.Context(), daemon.Options{Registry: plugins.Builtins(plugins.BuiltinOptions{}), DataDir: dir})
	var ce *store.CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "left as it is") {
		t.Fatalf("corrupt store: %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(garbage) {
		t.Fatal("the corrupt store was changed")
	}
}

func TestEventsStreamWhatHappens(t *testing.T) {
	h := newHarness(t)
	backlog, ch := h.d.Subscribe(t.Context(), 0)
	if len(backlog) != 0 {
		t.Fatalf("backlog before anything: %v", backlog)
	}
	h.apply(bundle("a=2"))
	want := map[string]int{"applied": 1, "created": 2, "converged": 1}
	got := map[string]int{}
	var mu sync.Mutex
	timeout := time.After(time.Minute)
	for !mapsCover(got, want) {
		select {
		case e := <-ch:
			mu.Lock()
			got[e.Kind]++
			mu.Unlock()
		case <-timeout:
			t.Fatalf("events %v, want at least %v", got, want)
		}
	}
}

func mapsCover(got, want map[string]int) bool {
	for k, n := range want {
		if got[k] < n {
			return false
		}
	}
	return true
}

// The API on TCP: only with the token; a broken spec is a 400 with its
// diagnostics; an oversized body is refused.
func TestTCPAPI(t *testing.T) {
	h := &harness{t: t, resync: time.Hour, plugin: fake.New(nil), dir: shortTempDir(t)}
	opts := h.options()
	opts.Listen, opts.Token = "127.0.0.1:0", "s3cret-s3cret-s3cret"
	h.startWith(opts)
	t.Cleanup(h.stop)
	d := h.d

	for _, tc := range []struct {
		name, token string
		code        int
	}{{"no token", "", 401}, {"wrong token", "s3cret-s3cret-s3cre", 401}, {"right token", "s3cret-s3cret-s3cret", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := api.NewClient(d.Addr(), tc.token)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Status(t.Context())
			var se *api.StatusError
			switch {
			case tc.code == 0 && err != nil:
				t.Fatalf("status: %v", err)
			case tc.code != 0 && (!errors.As(err, &se) || se.Code != tc.code):
				t.Fatalf("status: %v, want HTTP %d", err, tc.code)
			}
		})
	}
	c, _ := api.NewClient(d.Addr(), "s3cret-s3cret-s3cret")
	_, err := c.Apply(t.Context(), api.ApplyRequest{Bundle: specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte("group \"a\" {\n  sise = 1\n}\n")}}})
	var se *api.StatusError
	if !errors.As(err, &se) || se.Code != 400 || !strings.Contains(string(se.Body.Diagnostics), `"filename":"t.hcl"`) {
		t.Fatalf("broken spec: %v (diagnostics %s)", err, se.Body.Diagnostics)
	}
	big := bundle("a=1")
	big.Files["big.txt"] = make([]byte, 9<<20)
	_, err = c.Apply(t.Context(), api.ApplyRequest{Bundle: big})
	if !errors.As(err, &se) || se.Code != 413 {
		t.Fatalf("oversized apply: %v", err)
	}
	if hist, _ := d.History(t.Context()); len(hist) != 0 {
		t.Fatalf("refused applies recorded %d revisions", len(hist))
	}
}

// A current revision that no longer loads (here: its plugin is gone from
// the build) is reported and not served; applying a spec that loads puts
// the daemon right.
func TestRevisionThatNoLongerLoads(t *testing.T) {
	h := newHarness(t)
	h.apply(bundle("a=1"))
	h.await("revision 1", converged(1))
	h.stop()
	opts := h.options()
	clusters := newClusters(t)
	opts.Registry, opts.Managers = plugins.Builtins(plugins.BuiltinOptions{Clusters: clusters}), clusters // without "fake"
	ctx, cancel := context.WithCancel(t.Context())
	d, err := daemon.New(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("the daemon must start to be fixed: %v", err)
	}
	h.d, h.cancel, h.done = d, cancel, make(chan error, 1)
	go func() { h.done <- d.Run(ctx) }()
	st := h.await("the error reported", func(st api.Status) bool { return st.Error != "" })
	if !strings.Contains(st.Error, "revision 1 no longer loads") || st.Converged {
		t.Fatalf("status: %+v", st)
	}
	// Once running (Run's goroutine may not have started yet on a loaded
	// machine), it is not ready because of the revision.
	h.await("running, not ready", func(api.Status) bool {
		err := d.Ready()
		return err != nil && strings.Contains(err.Error(), "revision 1 no longer loads")
	})
	fixed := specs.Bundle{Specs: []string{"t.hcl"}, Files: map[string][]byte{"t.hcl": []byte(`variable "x" { default = 1 }`)}}
	res := h.apply(fixed)
	h.await("the fix", converged(res.Revision.Number))
	if err := d.Ready(); err != nil {
		t.Fatalf("not ready after the fix: %v", err)
	}
}

// Services show in the status and the plan beside groups, and say why
// they wait while their swarm has no manager.
func TestServicesInStatusAndPlan(t *testing.T) {
	h := newHarness(t)
	b := withSwarm(bundle("a=1"), `
service "web" {
  swarm = swarm.s
  image = "x:1"
}`)
	res := h.apply(b)
	st := h.await("the service's first pass", func(st api.Status) bool {
		for _, rs := range st.Resources {
			if rs.Resource.String() == "service.web" && rs.Reason != "" && !strings.Contains(rs.Reason, "current revision") {
				return true
			}
		}
		return false
	})
	var kinds []string
	for _, rs := range st.Resources {
		kinds = append(kinds, string(rs.Kind)+":"+rs.Resource.String())
		if rs.Resource.String() == "service.web" && (rs.Converged || !strings.Contains(rs.Reason, "waiting for a manager")) {
			t.Errorf("service status %+v", rs)
		}
	}
	if !slices.Equal(kinds, []string{"group:group.a", "group:group.m", "service:service.web"}) || st.Converged {
		t.Fatalf("resources %v, converged %v", kinds, st.Converged)
	}
	plan, err := h.d.Plan(t.Context(), api.PlanRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Services) != 1 || plan.Services[0].Action != "unknown" || plan.Revision != res.Revision.Number {
		t.Fatalf("plan services %+v", plan.Services)
	}
}

// A secret given to the spec (here a provider token from the environment)
// never reaches the store: the daemon reads it from its own environment
// when it loads the revision again, and says so when it is not there.
func TestSecretsNeverStored(t *testing.T) {
	const secret = "tok-7f3a9c0e55d1-never-stored"
	h := newHarness(t)
	res := h.apply(tokenBundle(secret))
	h.await("revision 1", converged(res.Revision.Number))
	detail, err := h.d.Revision(t.Context(), res.Revision.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(detail.Withheld, []string{"env FAKE_TOKEN"}) || slices.Contains(detail.EnvNames, "FAKE_TOKEN") {
		t.Errorf("revision detail: withheld %v, env %v", detail.Withheld, detail.EnvNames)
	}
	h.stop()
	raw, err := os.ReadFile(filepath.Join(h.dir, "drover.db"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) {
		t.Fatal("the store holds the token")
	}

	// Restarted without the token: the revision is reported, not served
	// with an empty token.
	h.start()
	st := h.await("the missing secret reported", func(st api.Status) bool { return st.Error != "" })
	if !strings.Contains(st.Error, "environment variable FAKE_TOKEN") {
		t.Errorf("status error: %s", st.Error)
	}
	h.stop()

	// Restarted with it: served again.
	t.Setenv("FAKE_TOKEN", secret)
	h.start()
	h.await("revision 1 with the token from the environment", converged(res.Revision.Number))
}
