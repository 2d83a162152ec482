package external

import (
	"context"
	"encoding/json"
	"time"

	"github.com/drover/drover/instance"
)

// newInstance connects a provider in the plugin and returns an
// instance.Plugin over the supervisor: it survives restarts, its calls
// going to whichever process runs.
//
// It has exactly the optional capabilities of the provider the plugin's
// first Configure reported, as a type: the controller and the metrics wrapper find
// Watcher and Labeller by type assertion. Lagging is found
// through Unwrap (instance.Capability). Unwrap does not return the gRPC
// client of the running process: that client is replaced at each restart
// and there is none while the plugin is down, so a capability found
// through it would come and go, and a caller keeping it would keep a dead
// client. It returns a fixed view with ListLag instead, or nil when the
// plugin has no list lag. A restarted plugin declaring other capabilities
// is refused (see Supervisor.provider).
func newInstance(ctx context.Context, s *Supervisor, config json.RawMessage) (instance.Plugin, error) {
	key, cp, err := s.configure(ctx, config)
	if err != nil {
		return nil, err
	}
	c := &core{s: s, key: key, lag: cp.lag}
	u := unwrapping{c}
	w, l := watching{c}, labelling{c}
	isW, isL := cp.watcher, cp.labeller
	switch {
	case isW && isL:
		return struct {
			*core
			unwrapping
			watching
			labelling
		}{c, u, w, l}, nil
	case isW:
		return struct {
			*core
			unwrapping
			watching
		}{c, u, w}, nil
	case isL:
		return struct {
			*core
			unwrapping
			labelling
		}{c, u, l}, nil
	}
	return struct {
		*core
		unwrapping
	}{c, u}, nil
}

// core is the instance.Plugin of one provider of a supervised plugin.
type core struct {
	s   *Supervisor
	key string
	lag time.Duration
}

func (c *core) Validate(ctx context.Context, props json.RawMessage) error {
	_, err := callInstance(ctx, c.s, c.key, "Validate", func(ctx context.Context, p instance.Plugin) (struct{}, error) {
		return struct{}{}, p.Validate(ctx, props)
	})
	return err
}

func (c *core) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	return callInstance(ctx, c.s, c.key, "Provision", func(ctx context.Context, p instance.Plugin) (instance.ID, error) {
		return p.Provision(ctx, spec)
	})
}

func (c *core) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	_, err := callInstance(ctx, c.s, c.key, "Destroy", func(ctx context.Context, p instance.Plugin) (struct{}, error) {
		return struct{}{}, p.Destroy(ctx, id, reason)
	})
	return err
}

func (c *core) Describe(ctx context.Context, selector map[string]string) ([]instance.Description, error) {
	return callInstance(ctx, c.s, c.key, "Describe", func(ctx context.Context, p instance.Plugin) ([]instance.Description, error) {
		return p.Describe(ctx, selector)
	})
}

// unwrapping gives instance.Capability the plugin's list lag.
type unwrapping struct{ c *core }

// Unwrap returns a view of the plugin with its ListLag, or nil if it
// declared none.
func (u unwrapping) Unwrap() instance.Plugin {
	if u.c.lag <= 0 {
		return nil
	}
	return lagView{u.c}
}

// lagView is the plugin with Lagging, and no Unwrap.
type lagView struct{ *core }

func (v lagView) ListLag() time.Duration { return v.lag }

type watching struct{ c *core }

// Watch opens a stream on the running process. It ends when the process
// dies; the controller watches again, with backoff, as for any Watcher.
func (w watching) Watch(ctx context.Context, selector map[string]string) (<-chan instance.Change, error) {
	// No default deadline: the stream lives as long as ctx.
	for try := 0; ; try++ {
		p, err := w.c.s.provider(ctx, "Watch", w.c.key)
		if err != nil {
			return nil, err
		}
		ch, err := p.(instance.Watcher).Watch(ctx, selector)
		if try == 0 && isNotConfigured(err) {
			w.c.s.forget(w.c.key)
			continue
		}
		return ch, err
	}
}

type labelling struct{ c *core }

func (l labelling) Label(ctx context.Context, id instance.ID, labels map[string]string) error {
	_, err := callInstance(ctx, l.c.s, l.c.key, "Label", func(ctx context.Context, p instance.Plugin) (struct{}, error) {
		return struct{}{}, p.(instance.Labeller).Label(ctx, id, labels)
	})
	return err
}
