package external

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	plugingrpc "github.com/drover/drover/plugins/grpc"
	"github.com/drover/drover/spierr"
)

// Supervisor keeps one plugin binary running: started on first use,
// restarted with backoff after it dies. Its methods are safe for
// concurrent use.
type Supervisor struct {
	name, path string
	opts       Options
	log        *slog.Logger
	starter    *starter

	wantOnce sync.Once
	wanted   chan struct{} // closed on first use

	mu       sync.Mutex
	cur      *conn         // nil while down
	err      error         // why it is down; nil before the first start ends
	changed  chan struct{} // closed and replaced when cur or err change
	ups      int           // successful starts
	stopped  bool
	instInfo *plugingrpc.InstanceInfo // as declared by the first start
	flavInfo *plugingrpc.FlavorInfo
	configs  map[string]*providerState // by provider key
}

func newSupervisor(name, path string, opts Options, st *starter) *Supervisor {
	return &Supervisor{
		name: name, path: path, opts: opts, starter: st,
		log:    opts.Logger.With("plugin", name),
		wanted: make(chan struct{}), changed: make(chan struct{}),
		configs: map[string]*providerState{},
	}
}

// Name is the plugin's name; Path its binary.
func (s *Supervisor) Name() string { return s.name }

// Path is the plugin's binary.
func (s *Supervisor) Path() string { return s.path }

// Pid is the process id of the running plugin, 0 while it is down.
func (s *Supervisor) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.pid
}

// run is the supervisor's life: wait for first use, then start, watch,
// and restart with backoff, until ctx ends; then kill the plugin.
func (s *Supervisor) run(ctx context.Context) {
	select {
	case <-s.wanted:
	case <-ctx.Done():
		s.set(nil, errors.New("stopped"), true)
		return
	}
	backoff := s.opts.MinBackoff
	for {
		c, err := s.start(ctx)
		if err == nil {
			s.log.Debug("plugin started", "path", s.path, "pid", c.pid)
			up := s.opts.Clock.Now() // before set: callers may move a fake clock once it is up
			s.set(c, nil, false)
			select {
			case <-c.done:
				err = fmt.Errorf("plugin process %s", c.exitStatus())
				if s.opts.Clock.Now().Sub(up) >= s.opts.ResetAfter {
					backoff = s.opts.MinBackoff
				}
			case <-ctx.Done():
				s.set(nil, errors.New("stopped"), true)
				c.client.Kill()
				return
			}
		}
		if ctx.Err() != nil {
			s.set(nil, errors.New("stopped"), true)
			return
		}
		s.set(nil, err, false)
		s.log.Error("plugin down; restarting", "err", err, "in", backoff)
		select {
		case <-s.opts.Clock.After(backoff):
		case <-ctx.Done():
			s.set(nil, errors.New("stopped"), true)
			return
		}
		backoff = min(2*backoff, s.opts.MaxBackoff)
	}
}

// start launches the plugin and checks that it declares what its first
// start declared: the controller found the capabilities of its plugins
// once, and cannot learn new ones.
func (s *Supervisor) start(ctx context.Context) (*conn, error) {
	c, err := s.launch(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ups == 0 {
		s.instInfo, s.flavInfo = c.instInfo, c.flavInfo
		return c, nil
	}
	if !sameInstance(s.instInfo, c.instInfo) || !sameFlavor(s.flavInfo, c.flavInfo) {
		c.client.Kill()
		return nil, fmt.Errorf("plugin %q (%s) declares other plugins or capabilities than when drover started it; restart drover to use the new binary", s.name, s.path)
	}
	return c, nil
}

func sameInstance(a, b *plugingrpc.InstanceInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return true // an instance plugin's capabilities are its providers': see provider
}

func sameFlavor(a, b *plugingrpc.FlavorInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Observer == b.Observer
}

// set records a state change and wakes those waiting for one.
func (s *Supervisor) set(c *conn, err error, stopped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur, s.err = c, err
	if c != nil {
		s.ups++
	}
	s.stopped = s.stopped || stopped
	close(s.changed)
	s.changed = make(chan struct{})
}

// want starts the plugin on first use.
func (s *Supervisor) want() { s.wantOnce.Do(func() { close(s.wanted) }) }

// conn returns the running plugin. The first use waits for the first
// start (bounded by ctx); while the plugin is down after that, it fails at
// once with an ErrUnavailable error marked NotDone: nothing was sent.
func (s *Supervisor) conn(ctx context.Context, op string) (*conn, error) {
	s.want()
	for {
		s.mu.Lock()
		c, err, ch, ups, stopped := s.cur, s.err, s.changed, s.ups, s.stopped
		s.mu.Unlock()
		switch {
		case c != nil:
			return c, nil
		case stopped:
			return nil, spierr.MarkNotDone(spierr.Unavailable(op, "plugin %s is stopped", s.name))
		case err != nil && ups == 0:
			return nil, spierr.MarkNotDone(spierr.Unavailable(op, "plugin %s failed to start (retrying): %v", s.name, err))
		case err != nil:
			return nil, spierr.MarkNotDone(spierr.Unavailable(op, "plugin %s is restarting: %v", s.name, err))
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, spierr.MarkNotDone(fmt.Errorf("%s: wait for plugin %s to start: %w", op, s.name, context.Cause(ctx)))
		}
	}
}

// Info starts the plugin if it is not running and returns what it
// serves: its instance plugin's info, its flavor plugin's, or both.
func (s *Supervisor) Info(ctx context.Context) (*plugingrpc.InstanceInfo, *plugingrpc.FlavorInfo, error) {
	c, err := s.conn(ctx, "plugin.Info")
	if err != nil {
		return nil, nil, err
	}
	return c.instInfo, c.flavInfo, nil
}

// providerKey names a provider config in the plugin: a hash of the
// config, so that the daemon configuring the same provider for each
// revision does not pile up providers in the plugin.
func providerKey(config json.RawMessage) string {
	sum := sha256.Sum256(config)
	return "p-" + hex.EncodeToString(sum[:12])
}

// providerState is a provider configured in the plugin: its config, to
// configure it again after a restart, and the capabilities its first
// Configure reported.
type providerState struct {
	config json.RawMessage
	caps   *caps // nil until the first Configure succeeds
}

// caps are the optional capabilities of an instance.Plugin: the names of
// its declared ones, sorted, and its list lag.
type caps struct {
	names []string
	lag   time.Duration
}

func capsOf(p instance.Plugin) caps {
	c := caps{names: instance.Capabilities(p)}
	if l, ok := instance.Capability[instance.Lagging](p); ok {
		c.lag = l.ListLag()
	}
	return c
}

func (c caps) equal(o caps) bool { return slices.Equal(c.names, o.names) && c.lag == o.lag }

// configure connects a provider in the plugin, now and after every
// restart, and returns the key its calls carry and its capabilities.
func (s *Supervisor) configure(ctx context.Context, config json.RawMessage) (string, caps, error) {
	key := providerKey(config)
	s.mu.Lock()
	if s.configs[key] == nil {
		s.configs[key] = &providerState{config: append(json.RawMessage(nil), config...)}
	}
	s.mu.Unlock()
	p, err := s.provider(ctx, "Configure", key)
	if err != nil {
		return "", caps{}, err
	}
	return key, capsOf(p), nil
}

// provider returns the running plugin's client for the provider key,
// configuring it there first when this process has not seen it yet (a
// restart forgets every provider).
func (s *Supervisor) provider(ctx context.Context, op, key string) (instance.Plugin, error) {
	c, err := s.conn(ctx, op)
	if err != nil {
		return nil, err
	}
	if c.inst == nil {
		return nil, spierr.Unsupported(op, "plugin %s serves no instance plugin", s.name)
	}
	c.mu.Lock()
	p := c.providers[key]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	s.mu.Lock()
	st := s.configs[key]
	s.mu.Unlock()
	if st == nil {
		return nil, spierr.Internal(op, "plugin %s: provider %s was never configured", s.name, key)
	}
	p, err = c.inst.Configure(ctx, key, st.config)
	if err != nil {
		return nil, err
	}
	// The controller found the provider's capabilities when it was first
	// configured; a restarted plugin must keep them.
	got := capsOf(p)
	s.mu.Lock()
	if st.caps == nil {
		st.caps = &got
	}
	want := *st.caps
	s.mu.Unlock()
	if !got.equal(want) {
		return nil, spierr.Internal(op, "plugin %s (%s) now gives the provider other capabilities than when drover configured it; restart drover to use them", s.name, s.path)
	}
	c.mu.Lock()
	c.providers[key] = p
	c.mu.Unlock()
	return p, nil
}

// forget drops the client of a provider the plugin says it does not
// know, so that the next call configures it again.
func (s *Supervisor) forget(key string) {
	s.mu.Lock()
	c := s.cur
	s.mu.Unlock()
	if c != nil {
		c.mu.Lock()
		delete(c.providers, key)
		c.mu.Unlock()
	}
}

// flavor returns the running plugin's flavor client.
func (s *Supervisor) flavor(ctx context.Context, op string) (flavor.Plugin, error) {
	c, err := s.conn(ctx, op)
	if err != nil {
		return nil, err
	}
	if c.flav == nil {
		return nil, spierr.Unsupported(op, "plugin %s serves no flavor plugin", s.name)
	}
	return c.flav, nil
}

// bound gives ctx the default call deadline if it has none.
func (s *Supervisor) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.opts.CallTimeout)
}

// callInstance runs f on the provider's client, with a deadline, and once
// more after configuring it again if the plugin no longer knows it.
func callInstance[T any](ctx context.Context, s *Supervisor, key, op string, f func(context.Context, instance.Plugin) (T, error)) (T, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return retryInstance(ctx, s, key, op, f)
}

// retryInstance is callInstance without the deadline, for a stream.
func retryInstance[T any](ctx context.Context, s *Supervisor, key, op string, f func(context.Context, instance.Plugin) (T, error)) (T, error) {
	var zero T
	for try := 0; ; try++ {
		p, err := s.provider(ctx, op, key)
		if err != nil {
			return zero, err
		}
		v, err := f(ctx, p)
		if try == 0 && isNotConfigured(err) {
			s.forget(key)
			continue
		}
		return v, err
	}
}
