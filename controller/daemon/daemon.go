package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/events"
	"github.com/drover/drover/controller/gitsource"
	"github.com/drover/drover/controller/metrics"
	"github.com/drover/drover/controller/runner"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/controller/webhook"
	"github.com/drover/drover/group"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

// Options configure a Daemon. Zero fields take the defaults given.
type Options struct {
	// Registry builds the plugins. Required.
	Registry *plugins.Registry
	// Managers finds the swarms' managers for the service reconciler (see
	// runner.Options.Managers): the *swarm.Clusters the registry's swarm
	// flavor was built with, which the caller closes. Default: none, and
	// then specs with services or networks are refused.
	Managers service.Managers
	// Engines reaches the machines' engines, for the metrics of services'
	// tasks (see runner.Options.Engines): the same *swarm.Clusters.
	// Default: none.
	Engines runner.Engines
	// DataDir holds the store (drover.db), the create intents and, by
	// default, the API socket. Required.
	DataDir string
	// Owner is the drover.owner tag of every instance. Default "drover".
	Owner string
	// Listen is where the API is served: a unix socket path (or
	// unix:///path), or a TCP host:port. Default <DataDir>/drover.sock.
	Listen string
	// Token is the bearer token the API requires: at least 16 characters,
	// none of them spaces. Required for TCP; optional on a unix socket,
	// whose file mode (0600) guards it.
	Token string
	// API bounds what clients can hold of the API server: its timeouts
	// and connection cap (see api.Limits for the defaults).
	API api.Limits
	// Workers is how many resources are reconciled at once. Default 4.
	Workers int
	// Resync is how often every resource is looked at without any event,
	// jittered by ±10%. Default 30s.
	Resync time.Duration
	// Clock is the time source. Default: the wall clock.
	Clock reconcile.Clock
	// Group tunes the group reconciler (see group.Options).
	Group group.Options
	// ShutdownTimeout bounds how long requests in flight may take to end
	// at shutdown. Default 10s.
	ShutdownTimeout time.Duration
	// KeepEvents is how many recent events are held for clients that
	// connect later. Default 1000.
	KeepEvents int
	// WebhookListen is the TCP host:port of the webhook listener, which
	// takes git hosts' push notifications (POST /hooks/NAME) on a listener
	// of its own. Default: none.
	WebhookListen string
	// MinSourceInterval is the shortest poll interval a source may ask
	// for. Default 10s.
	MinSourceInterval time.Duration
	// Git reaches the sources' repositories. Default: a gitsource.Client
	// caching under <DataDir>/sources.
	Git GitClient
}

// GitClient is what the daemon needs of git: see gitsource.Client.
type GitClient interface {
	Head(ctx context.Context, r gitsource.Remote) (string, error)
	Fetch(ctx context.Context, name string, r gitsource.Remote, sha string) (*gitsource.Snapshot, error)
	Forget(name string) error
}

// Daemon is drover run. New prepares it; Run serves until its context ends.
type Daemon struct {
	opts     Options
	store    *store.Store
	loader   *specs.Loader
	hub      *events.Hub
	metrics  *metrics.Metrics
	runner   *runner.Runner
	listener net.Listener
	handler  http.Handler
	sources  *sourceSet
	git      GitClient
	notifier *http.Client
	hooks    *webhook.Receiver
	hookLn   net.Listener // nil without WebhookListen
	log      *slog.Logger // New's, for the work API requests start (a sync)

	// changeMu serialises changes of the desired state (apply, rollback,
	// destroy, retiring groups) and guards cache; readers use state.
	changeMu sync.Mutex
	cache    map[int64]*specs.Spec // loaded stacks, by the revision defining them
	merged   map[int64]*specs.Spec // loaded revisions: the merge of their stacks
	state    atomic.Pointer[desired]
	running  atomic.Bool

	converged map[resource.Key]bool // only the Run goroutine touches it

	passMu sync.Mutex
	passed chan struct{} // closed and replaced after passes: a broadcast
}

// desired is the desired state of the moment. It is never changed, only
// replaced.
type desired struct {
	rec     store.Record // the current revision, without its bundle; Number 0 for none
	spec    *specs.Spec  // its spec: the merge of its stacks (empty for none)
	stacks  map[string]int64
	byStack map[string]*specs.Spec
	hashes  map[string]string // each stack's spec hash
	owner   map[string]string // each resource's stack
	retired map[string]int64
	err     error // why rec cannot be served, if it cannot
}

// newDesired is the desired state of rec, whose stacks' specs are byStack
// and their merge spec.
func newDesired(rec store.Record, spec *specs.Spec, byStack map[string]*specs.Spec, retired map[string]int64) *desired {
	out := &desired{rec: rec, spec: spec, stacks: stacksOf(rec), byStack: byStack, hashes: map[string]string{}, owner: owners(byStack), retired: retired}
	for name, s := range byStack {
		out.hashes[name] = specHash(s)
	}
	return out
}

// none is the desired state before any revision, or of one that cannot be
// served.
func none(rec store.Record, err error) *desired {
	out := newDesired(rec, &specs.Spec{}, map[string]*specs.Spec{}, map[string]int64{})
	out.err = err
	return out
}

// New checks opts, opens the store (refusing a data dir another daemon
// holds), loads the current revision, builds its plugins and binds the
// listener. It starts nothing: see Run.
func New(ctx context.Context, opts Options) (*Daemon, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(opts.DataDir, "drover.db"), store.Options{})
	if err != nil {
		return nil, err
	}
	d, err := build(ctx, opts, st)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return d, nil
}

func withDefaults(opts Options) (Options, error) {
	if opts.Registry == nil || opts.DataDir == "" {
		return opts, errors.New("daemon: a registry and a data dir are required")
	}
	if opts.Owner == "" {
		opts.Owner = instance.DefaultOwner
	}
	if opts.Listen == "" {
		opts.Listen = filepath.Join(opts.DataDir, "drover.sock")
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.KeepEvents <= 0 {
		opts.KeepEvents = 1000
	}
	if opts.Clock == nil {
		opts.Clock = reconcile.RealClock{}
	}
	if opts.MinSourceInterval <= 0 {
		opts.MinSourceInterval = 10 * time.Second
	}
	if opts.Git == nil {
		g, err := gitsource.New(gitsource.Options{Dir: filepath.Join(opts.DataDir, "sources")})
		if err != nil {
			return opts, err
		}
		opts.Git = g
	}
	return opts, checkToken(opts.Listen, opts.Token)
}

func build(ctx context.Context, opts Options, st *store.Store) (*Daemon, error) {
	loader, err := specs.NewLoader(specs.Options{Schemas: opts.Registry})
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		return nil, err
	}
	d := &Daemon{
		opts: opts, store: st, loader: loader, metrics: m, cache: map[int64]*specs.Spec{}, merged: map[int64]*specs.Spec{},
		hub:       events.New(events.Options{Keep: opts.KeepEvents, Now: opts.Clock.Now}),
		converged: map[resource.Key]bool{}, passed: make(chan struct{}),
		git: opts.Git, notifier: &http.Client{Timeout: notifyTimeout}, log: reconcile.Logger(ctx),
	}
	if d.sources, err = loadSources(ctx, st); err != nil {
		return nil, err
	}
	if d.hooks, err = webhook.New(webhook.Options{Sources: hooks{d}, Now: opts.Clock.Now, Log: reconcile.Logger(ctx)}); err != nil {
		return nil, err
	}
	eff := d.restore(ctx)
	if err := d.newRunner(ctx, eff); err != nil {
		return nil, err
	}
	if err := m.QueueDepth(d.runner.QueueLen); err != nil {
		return nil, err
	}
	d.handler, err = api.NewServer(api.ServerOptions{
		Backend: d, Token: opts.Token, Log: reconcile.Logger(ctx), Limits: opts.API,
		Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	})
	if err != nil {
		return nil, err
	}
	if d.listener, err = listen(opts.Listen, opts.API); err != nil {
		return nil, err
	}
	if opts.WebhookListen != "" {
		if d.hookLn, err = webhook.Listen(opts.WebhookListen); err != nil {
			_ = d.listener.Close()
			return nil, fmt.Errorf("webhook listener: %w", err)
		}
	}
	return d, nil
}

// WebhookAddr is where the webhook listener listens; "" without one.
func (d *Daemon) WebhookAddr() string {
	if d.hookLn == nil {
		return ""
	}
	return d.hookLn.Addr().String()
}

func (d *Daemon) runnerOptions() runner.Options {
	return runner.Options{
		Registry: d.opts.Registry, Managers: d.opts.Managers, Engines: d.opts.Engines, Owner: d.opts.Owner, DataDir: d.opts.DataDir,
		Workers: d.opts.Workers, Resync: d.opts.Resync, Clock: d.opts.Clock, Group: d.opts.Group,
		Events: sink{d}, WrapReconciler: d.metrics.Reconciler, WrapProvider: d.metrics.Instrument,
	}
}

// restore loads the current revision from the store and returns the spec
// to reconcile. A revision that no longer loads or builds, or loads to a
// different spec than was applied, is kept, not served: the daemon starts
// with nothing to do and says why (status, readyz), so that a fixed spec
// can be applied. Even a panic while loading it does not stop the daemon:
// it would at every start.
func (d *Daemon) restore(ctx context.Context) (eff *specs.Spec) {
	cur := none(store.Record{}, nil)
	defer func() { d.state.Store(cur) }()
	defer func() {
		if p := recover(); p != nil {
			cur = none(cur.rec, fmt.Errorf("revision %d cannot be served: loading it failed: %v", cur.rec.Number, p))
			eff = cur.spec
		}
	}()
	rec, ok, err := d.store.Current(ctx)
	if err != nil || !ok {
		cur.err = err
		return cur.spec
	}
	rec = withoutBundle(rec)
	next, err := d.restoreStacks(ctx, rec)
	if err != nil {
		cur = none(rec, err)
		return cur.spec
	}
	cur = next
	eff, err = effective(ctx, cur.spec, cur.retired, d.loadRevision)
	if err != nil {
		cur = none(rec, fmt.Errorf("revision %d cannot be served: %w", rec.Number, err))
		return cur.spec
	}
	return eff
}

// restoreStacks loads every stack of rec, each checked to load to the spec
// that was applied, and the retired groups.
func (d *Daemon) restoreStacks(ctx context.Context, rec store.Record) (*desired, error) {
	byStack := map[string]*specs.Spec{}
	for name, n := range stacksOf(rec) {
		def, err := d.store.Get(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", name, err)
		}
		if byStack[name], err = d.reload(ctx, def); err != nil {
			return nil, err
		}
	}
	merged, err := merge(byStack)
	if err != nil {
		return nil, fmt.Errorf("revision %d cannot be served: %w", rec.Number, err)
	}
	d.merged[rec.Number] = merged
	retired, err := d.store.Retired(ctx)
	if err != nil {
		return nil, err
	}
	return newDesired(rec, merged, byStack, retired), nil
}

// newRunner builds the runner of eff or, when the current revision's
// plugins cannot be built, an idle one, keeping the reason.
func (d *Daemon) newRunner(ctx context.Context, eff *specs.Spec) error {
	r, err := d.guardedRunner(ctx, eff)
	if err != nil && d.state.Load().rec.Number > 0 {
		cur := *d.state.Load()
		cur.err = fmt.Errorf("revision %d cannot be served: %w", cur.rec.Number, err)
		d.state.Store(&cur)
		r, err = runner.New(ctx, &specs.Spec{}, d.runnerOptions())
	}
	d.runner = r
	return err
}

// guardedRunner is runner.New, with a panic (a plugin's, on a recorded
// revision) turned into an error.
func (d *Daemon) guardedRunner(ctx context.Context, eff *specs.Spec) (r *runner.Runner, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("building its plugins failed: %v", p)
		}
	}()
	return runner.New(ctx, eff, d.runnerOptions())
}

// Addr is where the API listens: a socket path or a TCP address.
func (d *Daemon) Addr() string {
	if a, ok := d.listener.Addr().(*net.UnixAddr); ok {
		return a.Name
	}
	return d.listener.Addr().String()
}

// Run serves the API and reconciles until ctx ends; then it stops taking
// requests, abandons the plugin calls in flight (create intents make that
// safe) and closes the store.
func (d *Daemon) Run(ctx context.Context) error {
	srv := api.NewHTTPServer(ctx, d.handler, d.opts.API)
	served := make(chan error, 1)
	// Running before the first request is served: a client that sees the
	// API answer must find the daemon ready (the listener is bound since
	// New, so nothing is lost meanwhile).
	d.running.Store(true)
	go func() { served <- srv.Serve(d.listener) }()
	var side sync.WaitGroup
	hooksServed := make(chan error, 1)
	if d.hookLn != nil {
		side.Go(func() { hooksServed <- webhook.Serve(ctx, d.hookLn, d.hooks) })
	}
	side.Go(func() { d.followSources(ctx) })
	reconcile.Logger(ctx).Info("drover daemon serving", "listen", d.Addr(), "webhooks", d.WebhookAddr(), "revision", d.state.Load().rec.Number, "owner", d.opts.Owner)
	d.runner.Run(ctx, nil, d.afterPass(ctx))
	d.running.Store(false)
	side.Wait()
	close(hooksServed)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if herr := <-hooksServed; herr != nil {
		err = errors.Join(err, fmt.Errorf("webhook listener: %w", herr))
	}
	return errors.Join(err, d.store.Close(), removeSocket(d.opts.Listen))
}

// sink takes the reconcilers' events, of every kind: it stamps each with
// the current revision, counts it in the metrics and publishes it.
type sink struct{ d *Daemon }

func (s sink) Emit(e resource.Event) {
	e.Revision = s.d.state.Load().rec.Number
	s.d.metrics.Event(e)
	s.d.hub.Publish(e)
}
