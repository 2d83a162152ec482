package runner_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	dswarm "github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"

	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/flavor/swarm/pki"
	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/internal/syncbuf"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/specs"
)

// doSwarmToken is the fake API's token in the droplet swarm test.
const doSwarmToken = "dop_v1_swarm-token-that-must-never-show"

// doSwarmWorld is a swarm of droplets on the fake DigitalOcean API whose
// droplets are node containers on the local engine running their user
// data: cloud-init, TLS engines and joins for real.
type doSwarmWorld struct {
	t        *testing.T
	cli      *client.Client
	fake     *dofake.Server
	url      string
	owner    string
	data     string
	demo     string
	registry *plugins.Registry
	managers *swarm.Clusters // the registry's swarm flavor's
	events   *recorder
	svc      *serviceRecorder
	logs     *syncbuf.Buffer
}

func newDOSwarmWorld(t *testing.T) *doSwarmWorld {
	oneSwarmAtATime(t)
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	owner := testOwner(t)
	machines := &dofake.Machines{Engine: cli, Image: dockertest.NodeImage(t, cli), Prefix: owner + "-drop-", Labels: dockertest.Label(t)}
	fake := dofake.New(dofake.Options{Token: doSwarmToken, Machines: machines})
	ts := httptest.NewServer(fake)
	t.Cleanup(func() {
		ts.Close()
		if err := fake.Close(); err != nil {
			t.Errorf("removing the droplets' containers: %v", err)
		}
	})
	data := t.TempDir()
	managers := swarm.NewClusters(data)
	t.Cleanup(func() { managers.Close() })
	return &doSwarmWorld{
		t: t, cli: cli, fake: fake, url: ts.URL + "/", owner: owner, data: data, demo: dockertest.DemoImage(t),
		registry: plugins.Builtins(plugins.BuiltinOptions{DataDir: data, Clusters: managers}), managers: managers,
		events: &recorder{}, svc: &serviceRecorder{}, logs: &syncbuf.Buffer{},
	}
}

// spec is managers and workers of droplets with engine = "tls", and,
// when replicas > 0, a service published on the workers' own ports.
func (w *doSwarmWorld) spec(managers, workers, replicas int) *specs.Spec {
	w.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `provider "digitalocean" "fake" {
  token   = env("DIGITALOCEAN_TOKEN")
  region  = "fra1"
  api_url = %q
}
swarm "prod" {}
`, w.url)
	for _, g := range []struct {
		name, role string
		size       int
	}{{"managers", "manager", managers}, {"workers", "worker", workers}} {
		fmt.Fprintf(&b, `group %q {
  size = %d
  instance "digitalocean" {
    size  = "s-1vcpu-1gb"
    image = "docker-20-04"
  }
  flavor "swarm" {
    swarm  = swarm.prod
    role   = %q
    engine = "tls"
  }
  health { grace = "90s" }
}
`, g.name, g.size, g.role)
	}
	if replicas > 0 {
		fmt.Fprintf(&b, `service "web" {
  swarm        = swarm.prod
  image        = %q
  replicas     = %d
  ports        = ["8080"]
  publish_mode = "host"      # this kernel has no IPVS for the routing mesh
  constraints  = ["node.role == worker"]
  restart { delay = "1s" }
}
`, w.demo, replicas)
	}
	l, _ := specs.NewLoader(specs.Options{Schemas: w.registry, LookupEnv: func(k string) (string, bool) {
		if k == "DIGITALOCEAN_TOKEN" {
			return doSwarmToken, true
		}
		return "", false
	}})
	spec, err := l.LoadSources(specs.Source{Name: "do-swarm.hcl", Src: []byte(b.String())})
	if err != nil {
		w.t.Fatal(err)
	}
	return spec
}

// start runs spec in the background until the test ends, logging at
// debug level into w.logs.
func (w *doSwarmWorld) start(spec *specs.Spec) *runner.Runner {
	w.t.Helper()
	log := slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(reconcile.WithLogger(w.t.Context(), log))
	r, err := runner.New(ctx, spec, runner.Options{
		Registry: w.registry, Managers: w.managers, Owner: w.owner, DataDir: w.data, Resync: 2 * time.Second,
		Events: resource.SinkFunc(func(e resource.Event) { w.events.Emit(e); w.svc.Emit(e) }),
	})
	if err != nil {
		cancel()
		w.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.Run(ctx, nil, nil); close(done) }()
	w.t.Cleanup(func() { cancel(); <-done })
	return r
}

func (w *doSwarmWorld) converged(r *runner.Runner, within time.Duration) {
	w.t.Helper()
	dockertest.WaitFor(w.t, within, func() (bool, error) {
		return r.Converged(), fmt.Errorf("not converged: %+v (fake: %v); events:\n%s", r.Statuses(), w.fake.MachineErr(), w.events)
	})
}

// ca is the swarm's CA, as drover keeps it in its data directory.
func (w *doSwarmWorld) ca() *pki.CA {
	w.t.Helper()
	ca, err := pki.NewStore(filepath.Join(w.data, "swarm-ca")).CA(w.owner, "prod")
	if err != nil {
		w.t.Fatal(err)
	}
	return ca
}

// engines are the droplets' engine addresses by droplet name.
func (w *doSwarmWorld) engines() map[string]string {
	out := map[string]string{}
	for _, d := range w.fake.Droplets() {
		if ip, err := d.PublicIPv4(); err == nil && ip != "" {
			out[d.Name] = "tcp://" + ip + ":2376"
		}
	}
	return out
}

// tlsClient reaches the engine of the droplet named name, with drover's
// client certificate.
func (w *doSwarmWorld) tlsClient(ca *pki.CA, name, engine string) *client.Client {
	w.t.Helper()
	cli, err := client.NewClientWithOpts(
		client.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientTLS(name)}}),
		client.WithHost(engine), client.WithScheme("https"), client.WithAPIVersionNegotiation())
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { cli.Close() })
	return cli
}

// A swarm of three manager and two worker droplets forms over mutual TLS
// only: the engines refuse plain and certificate-less connections and
// clients of another CA; a service published on the workers answers; a
// worker deleted behind drover's back is replaced and its successor
// joins; no key (nor the token) shows in logs, events, the plan or the
// data directory.
func TestDigitalOceanSwarm(t *testing.T) {
	t.Parallel()
	const managers, workers, all = 3, 2, 5
	w := newDOSwarmWorld(t)
	start := time.Now()
	r := w.start(w.spec(managers, workers, 0))
	w.converged(r, boundSwarm)
	t.Logf("apply to a converged swarm of %d droplets: %v", all, time.Since(start).Round(100*time.Millisecond))

	ca := w.ca()
	engines := w.engines()
	if len(engines) != all {
		t.Fatalf("droplets with addresses: %v, want %d", engines, all)
	}
	mgrName := w.owner + "-managers-1"
	m := w.tlsClient(ca, mgrName, engines[mgrName])
	nodes, err := m.NodeList(t.Context(), dswarm.NodeListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[dswarm.NodeRole]int{}
	for _, n := range nodes {
		if n.Status.State != dswarm.NodeStateReady {
			t.Errorf("node %s is %s", n.Description.Hostname, n.Status.State)
		}
		roles[n.Spec.Role]++
	}
	if len(nodes) != all || roles[dswarm.NodeRoleManager] != managers || roles[dswarm.NodeRoleWorker] != workers {
		t.Errorf("nodes: %d, roles %v; want %d managers and %d workers", len(nodes), roles, managers, workers)
	}

	// Only drover's certificate opens an engine.
	for name, engine := range engines {
		addr := strings.TrimPrefix(engine, "tcp://")
		plain := http.Client{Timeout: 5 * time.Second}
		resp, err := plain.Get("http://" + addr + "/_ping")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "HTTPS") {
			t.Errorf("%s answers plain HTTP on 2376 with %s %q, want a refusal that names HTTPS", name, resp.Status, body)
		}
		noCert := ca.ClientTLS(name)
		noCert.Certificates = nil
		anon := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: noCert}}
		if resp, err := anon.Get("https://" + addr + "/_ping"); err == nil {
			resp.Body.Close()
			t.Errorf("%s answers a client without a certificate: %s", name, resp.Status)
		}
		other, err := pki.NewStore(t.TempDir()).CA(w.owner, "prod")
		if err != nil {
			t.Fatal(err)
		}
		stranger := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: otherClient(other, ca, name)}}
		if resp, err := stranger.Get("https://" + addr + "/_ping"); err == nil {
			resp.Body.Close()
			t.Errorf("%s answers a client of another CA: %s", name, resp.Status)
		}
	}

	// A service: its image goes into every engine over TLS (there is no
	// registry), then the spec gains it.
	for name, engine := range engines {
		loadImage(t, w.cli, w.tlsClient(ca, name, engine), w.demo)
	}
	if err := r.Update(t.Context(), w.spec(managers, workers, 2), nil); err != nil {
		t.Fatal(err)
	}
	w.converged(r, boundGroup)
	dockertest.WaitFor(t, boundShort, func() (bool, error) {
		urls, err := taskURLs(t.Context(), m, "web")
		if err != nil || len(urls) != 2 {
			return false, fmt.Errorf("%d task URLs (%v)", len(urls), err)
		}
		for _, u := range urls {
			if err := httpOK(u); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	t.Logf("swarm and service answering after %v", time.Since(start).Round(100*time.Millisecond))

	// A worker droplet deleted behind drover's back: its node leaves the
	// swarm and a new droplet joins, over TLS, at whatever address it gets.
	var victim int
	for _, d := range w.fake.Droplets() {
		if d.Name == w.owner+"-workers-1" {
			victim = d.ID
		}
	}
	w.fake.DeleteBehindBack(victim)
	dockertest.WaitFor(t, boundGroup, func() (bool, error) {
		live := map[string]bool{}
		for _, d := range w.fake.Droplets() {
			live[fmt.Sprint(d.ID)] = true
		}
		nodes, err := m.NodeList(t.Context(), dswarm.NodeListOptions{})
		ready := 0
		for _, n := range nodes {
			if n.Status.State == dswarm.NodeStateReady && live[n.Spec.Labels["drover.instance"]] {
				ready++
			}
		}
		return err == nil && len(nodes) == all && ready == all && len(live) == all && !live[fmt.Sprint(victim)] && r.Converged(),
			fmt.Errorf("%d nodes, %d ready on live droplets (%v); %+v", len(nodes), ready, err, r.Statuses())
	})
	t.Logf("a deleted worker replaced and joined after %v", time.Since(start).Round(100*time.Millisecond))

	w.noSecrets(r)
}

// noSecrets checks that no private key, and not the token, shows in the
// logs, the events, the plan or the data directory outside the CA's.
func (w *doSwarmWorld) noSecrets(r *runner.Runner) {
	t := w.t
	t.Helper()
	plans, err := r.Plan(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	planJSON, _ := json.Marshal(plans)
	caDir := filepath.Join(w.data, "swarm-ca", w.owner, "prod")
	secrets := map[string]string{"a private key": "PRIVATE KEY", "the token": doSwarmToken}
	for _, f := range []string{pki.FileCAKey, pki.FileClientKey} {
		b, err := os.ReadFile(filepath.Join(caDir, f))
		if err != nil {
			t.Fatal(err)
		}
		secrets[f] = strings.TrimSpace(string(b))
	}
	var stored strings.Builder
	filepath.WalkDir(w.data, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && p == filepath.Join(w.data, "swarm-ca") {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			stored.Write(b)
		}
		return nil
	})
	logs := w.logs.String()
	for where, text := range map[string]string{
		"the logs": logs, "the group events": w.events.String(), "the service events": w.svc.String(),
		"the plan": string(planJSON), "the data directory": stored.String(),
	} {
		for what, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %s", where, what)
			}
		}
	}
	if !strings.Contains(logs, `"msg":"pass"`) {
		t.Error("no debug log was captured: the check saw nothing")
	}
}

// otherClient is a client TLS configuration with a certificate of other
// that trusts ca's servers.
func otherClient(other, ca *pki.CA, name string) *tls.Config {
	c := ca.ClientTLS(name)
	c.Certificates = other.ClientTLS(name).Certificates
	return c
}

// loadImage copies image from the host engine into a node's engine.
func loadImage(t *testing.T, host, node *client.Client, image string) {
	t.Helper()
	saved, err := host.ImageSave(t.Context(), []string{image})
	if err != nil {
		t.Fatal(err)
	}
	defer saved.Close()
	resp, err := node.ImageLoad(t.Context(), saved, client.ImageLoadWithQuiet(true))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
}

// serviceRecorder keeps the service reconciler's events.
type serviceRecorder struct {
	mu  sync.Mutex
	all []resource.Event
}

func (r *serviceRecorder) Emit(e resource.Event) {
	r.mu.Lock()
	r.all = append(r.all, e)
	r.mu.Unlock()
}

func (r *serviceRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.all {
		fmt.Fprintf(&b, "%+v\n", e)
	}
	return b.String()
}
