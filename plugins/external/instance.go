package external

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/drover/drover/instance"
)

// newInstance connects a provider in the plugin and returns an
// instance.Plugin over the supervisor: it survives restarts, its calls
// going to whichever process runs.
//
// It has exactly the optional capabilities of the provider the plugin's
// first Configure reported: it is an instance.Declarer naming them, and
// an instance.Hook whose Around routes each call to the running process,
// so that instance.Capability finds them on it. It has no Unwrap: the
// gRPC client of the running process is replaced at each restart and
// there is none while the plugin is down, so a capability found through it
// would come and go, and a caller keeping it would keep a dead client. Its
// list lag is its own ListLag. A restarted plugin declaring other
// capabilities is refused (see Supervisor.provider).
func newInstance(ctx context.Context, s *Supervisor, config json.RawMessage) (instance.Plugin, error) {
	key, cp, err := s.configure(ctx, config)
	if err != nil {
		return nil, err
	}
	return &core{s: s, key: key, caps: cp}, nil
}

// core is the instance.Plugin of one provider of a supervised plugin.
type core struct {
	s    *Supervisor
	key  string
	caps caps
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

// Declares names the capabilities of the provider, as first configured.
func (c *core) Declares(name string) bool { return slices.Contains(c.caps.names, name) }

// ListLag is the provider's list lag, as first configured: 0 if it has
// none (instance.Lagging).
func (c *core) ListLag() time.Duration { return c.caps.lag }

// Around makes a call of a declared capability on the running process.
// A stream (Watch) is not bounded by the default deadline: it lives as
// long as ctx, and ends when the process dies; the controller watches
// again, with backoff, as for any Watcher.
func (c *core) Around(ctx context.Context, call string, do func(context.Context, instance.Plugin) error) error {
	f := func(ctx context.Context, p instance.Plugin) (struct{}, error) { return struct{}{}, do(ctx, p) }
	var err error
	if d, ok := instance.Declared(call); ok && d.Stream() {
		_, err = retryInstance(ctx, c.s, c.key, call, f)
	} else {
		_, err = callInstance(ctx, c.s, c.key, call, f)
	}
	return err
}
