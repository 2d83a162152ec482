package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/drover/drover/controller/api"
	"github.com/drover/drover/controller/store"
	"github.com/drover/drover/reconcile"
	"github.com/drover/drover/specs"
)

// source is one git source the daemon follows.
type source struct {
	trigger chan struct{} // a poll is asked for (cap 1: asks coalesce)
	pollMu  sync.Mutex    // one poll at a time

	mu     sync.Mutex // guards cfg and status
	cfg    sourceConfig
	status api.SourceStatus
}

func newSource(cfg sourceConfig) *source {
	return &source{trigger: make(chan struct{}, 1), cfg: cfg, status: api.SourceStatus{State: api.SourcePending}}
}

func (s *source) config() sourceConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// poke asks for a poll, without blocking.
func (s *source) poke() {
	select {
	case s.trigger <- struct{}{}:
	default:
	}
}

// sourceSet holds the sources by name. changed wakes the supervisor that
// runs one loop per source.
type sourceSet struct {
	mu      sync.Mutex
	byName  map[string]*source // live sources
	removed map[string]sourceConfig
	changed chan struct{}
}

func (ss *sourceSet) get(name string) *source {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.byName[name]
}

func (ss *sourceSet) names() []string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return slices.Sorted(maps.Keys(ss.byName))
}

func (ss *sourceSet) wake() {
	select {
	case ss.changed <- struct{}{}:
	default:
	}
}

// loadSources reads the sources from the store.
func loadSources(ctx context.Context, st *store.Store) (*sourceSet, error) {
	ss := &sourceSet{byName: map[string]*source{}, removed: map[string]sourceConfig{}, changed: make(chan struct{}, 1)}
	raw, err := st.Sources(ctx)
	if err != nil {
		return nil, err
	}
	for name, b := range raw {
		cfg, err := decodeSource(b)
		if err != nil {
			return nil, fmt.Errorf("source %s in the store: %w", name, err)
		}
		if cfg.Removed {
			ss.removed[name] = cfg
			continue
		}
		ss.byName[name] = newSource(cfg)
	}
	return ss, nil
}

// envOf is the environment of a source's specs: what its settings name,
// also for a removed source, whose revisions may still be loaded.
func (ss *sourceSet) envOf(name string) (map[string]string, bool) {
	if s := ss.get(name); s != nil {
		return s.config().Env, true
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	cfg, ok := ss.removed[name]
	return cfg.Env, ok
}

// loaderFor is the loader of a revision's spec: a source's revision reads
// its withheld variables from the source's settings, never the host.
func (d *Daemon) loaderFor(rec store.Record) (*specs.Loader, error) {
	if rec.Commit == nil {
		return d.loader, nil
	}
	env, ok := d.sources.envOf(rec.Commit.Source)
	if !ok {
		return nil, fmt.Errorf("it was applied from source %s, which is gone", rec.Commit.Source)
	}
	return d.envLoader(env)
}

func (d *Daemon) envLoader(env map[string]string) (*specs.Loader, error) {
	return specs.NewLoader(specs.Options{Schemas: d.opts.Registry, LookupEnv: func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}, ReadFile: func(name string) ([]byte, error) {
		return nil, fmt.Errorf("%s: %w", name, specs.ErrOutsideRoot)
	}})
}

// handApplicable refuses an apply by hand to a source's stack: git is
// where it changes.
func (d *Daemon) handApplicable(stack string) error {
	if !api.ValidSourceName(stack) {
		return &api.InvalidError{Err: errors.New("stack: want 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit")}
	}
	if d.sources.get(stack) != nil {
		return &api.InvalidError{Err: fmt.Errorf("stack %s belongs to the git source of that name: commit to its repository instead", stack)}
	}
	return nil
}

// pinnable refuses to change by hand the stack of a source that follows
// git: its next poll would apply the commit again. A suspended source's
// stack may be rolled back or destroyed (to pin it, or to stop it).
func (d *Daemon) pinnable(stack, what string) error {
	if src := d.sources.get(stack); src != nil && !src.config().Suspended {
		return &api.InvalidError{Err: fmt.Errorf("stack %s follows the git source of that name, which would apply its commit again: suspend it first (drover source suspend %s) to %s, or remove it with drover source remove %s --destroy", stack, stack, what, stack)}
	}
	return nil
}

// AddSource implements api.Backend.
func (d *Daemon) AddSource(ctx context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	spec, err := checkSource(spec, d.opts.MinSourceInterval)
	if err != nil {
		return api.SourceInfo{}, &api.InvalidError{Err: err}
	}
	if _, taken := d.state.Load().stacks[spec.Name]; taken && d.sources.get(spec.Name) == nil {
		return api.SourceInfo{}, &api.InvalidError{Err: fmt.Errorf("stack %s exists, applied by hand: destroy it (drover destroy --stack %s) or name the source otherwise", spec.Name, spec.Name)}
	}
	cfg := sourceConfig{SourceSpec: spec, Added: d.opts.Clock.Now().UTC()}
	b, err := cfg.encode()
	if err != nil {
		return api.SourceInfo{}, err
	}
	ss := d.sources
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.byName[spec.Name]; ok {
		return api.SourceInfo{}, fmt.Errorf("source %s: %w", spec.Name, api.ErrSourceExists)
	}
	if len(ss.byName) >= maxSources {
		return api.SourceInfo{}, &api.InvalidError{Err: fmt.Errorf("a daemon follows at most %d sources", maxSources)}
	}
	if err := d.store.PutSource(ctx, spec.Name, b); errors.Is(err, store.ErrNotFound) {
		err = d.store.CreateSource(ctx, spec.Name, b)
	} else if err != nil {
		return api.SourceInfo{}, err
	}
	delete(ss.removed, spec.Name)
	src := newSource(cfg)
	ss.byName[spec.Name] = src
	ss.wake()
	return cfg.info(src.status), nil
}

// UpdateSource implements api.Backend: the settings are replaced whole,
// between polls; the stack and its revisions stay, and the source polls at
// once with its new settings. What the old remote had cached is dropped
// when the URL changes.
func (d *Daemon) UpdateSource(ctx context.Context, spec api.SourceSpec) (api.SourceInfo, error) {
	src := d.sources.get(spec.Name)
	if src == nil {
		return api.SourceInfo{}, fmt.Errorf("source %s: %w", spec.Name, api.ErrNotFound)
	}
	spec, err := checkSource(spec, d.opts.MinSourceInterval)
	if err != nil {
		return api.SourceInfo{}, &api.InvalidError{Err: err}
	}
	src.pollMu.Lock()
	defer src.pollMu.Unlock()
	src.mu.Lock()
	cfg := src.cfg
	src.mu.Unlock()
	next := sourceConfig{SourceSpec: spec, Suspended: cfg.Suspended, Added: cfg.Added}
	b, err := next.encode()
	if err != nil {
		return api.SourceInfo{}, err
	}
	if err := d.store.PutSource(ctx, spec.Name, b); err != nil {
		return api.SourceInfo{}, err
	}
	src.mu.Lock()
	src.cfg = next
	src.mu.Unlock()
	if next.URL != cfg.URL {
		if err := d.git.Forget(spec.Name); err != nil {
			return api.SourceInfo{}, err
		}
	}
	src.poke()
	return d.Source(ctx, spec.Name)
}

// Sources implements api.Backend.
func (d *Daemon) Sources(ctx context.Context) ([]api.SourceInfo, error) {
	out := []api.SourceInfo{}
	for _, name := range d.sources.names() {
		info, err := d.Source(ctx, name)
		if errors.Is(err, api.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// Source implements api.Backend.
func (d *Daemon) Source(ctx context.Context, name string) (api.SourceInfo, error) {
	src := d.sources.get(name)
	if src == nil {
		return api.SourceInfo{}, fmt.Errorf("source %s: %w", name, api.ErrNotFound)
	}
	src.mu.Lock()
	cfg, st := src.cfg, src.status
	src.mu.Unlock()
	st.Orphans = nil
	if n, ok := d.state.Load().stacks[name]; ok {
		rec, err := d.store.Head(ctx, n)
		if err != nil {
			return api.SourceInfo{}, err
		}
		st.Revision, st.Orphans = n, rec.Carried
		if rec.Commit != nil {
			st.Applied = rec.Commit.SHA
		}
	}
	return cfg.info(st), nil
}

// SuspendSource implements api.Backend.
func (d *Daemon) SuspendSource(ctx context.Context, name string, suspend bool) (api.SourceInfo, error) {
	src := d.sources.get(name)
	if src == nil {
		return api.SourceInfo{}, fmt.Errorf("source %s: %w", name, api.ErrNotFound)
	}
	src.mu.Lock()
	cfg := src.cfg
	cfg.Suspended = suspend
	b, err := cfg.encode()
	if err == nil {
		err = d.store.PutSource(ctx, name, b)
	}
	if err == nil {
		src.cfg = cfg
	}
	src.mu.Unlock()
	if err != nil {
		return api.SourceInfo{}, err
	}
	if !suspend {
		src.poke()
	}
	return d.Source(ctx, name)
}

// SyncSource implements api.Backend.
func (d *Daemon) SyncSource(ctx context.Context, name string, req api.SyncRequest) (api.SourceInfo, error) {
	src := d.sources.get(name)
	if src == nil {
		return api.SourceInfo{}, fmt.Errorf("source %s: %w", name, api.ErrNotFound)
	}
	if src.config().Suspended {
		return api.SourceInfo{}, &api.InvalidError{Err: fmt.Errorf("source %s is suspended: resume it first", name)}
	}
	d.poll(reconcile.WithLogger(ctx, d.log.With("source", name)), src, req.AllowPrune)
	return d.Source(ctx, name)
}

// RemoveSource implements api.Backend.
func (d *Daemon) RemoveSource(ctx context.Context, name string, req api.RemoveSourceRequest) error {
	src := d.sources.get(name)
	if src == nil {
		return fmt.Errorf("source %s: %w", name, api.ErrNotFound)
	}
	src.pollMu.Lock() // no poll applies a commit after the stack is gone
	defer src.pollMu.Unlock()
	if _, ok := d.state.Load().stacks[name]; ok {
		if !req.Destroy {
			return &api.InvalidError{Err: fmt.Errorf("source %s's stack declares resources: remove it with destroy (drover source remove %s --destroy) to remove them too", name, name)}
		}
		if _, err := d.record(ctx, store.Record{Kind: api.KindDestroy, Stack: name, Message: "source " + name + " removed"}, nil); err != nil {
			return err
		}
	}
	cfg := src.config()
	cfg.Removed = true // kept for the environment of its revisions, without the rest of its secrets
	cfg.SSHKey, cfg.Token, cfg.WebhookSecret = "", "", ""
	b, err := cfg.encode()
	if err != nil {
		return err
	}
	ss := d.sources
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if err := d.store.PutSource(ctx, name, b); err != nil {
		return err
	}
	delete(ss.byName, name)
	ss.removed[name] = cfg
	ss.wake()
	d.hooks.Forget(name)
	d.metrics.ForgetSource(name)
	return d.git.Forget(name)
}
