package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Instrument wraps p so that each of its calls counts in
// drover_provider_calls_total and drover_provider_call_duration_seconds,
// labelled with provider. The wrapper has exactly the optional
// capabilities of p (instance.Watcher, instance.Labeller), so type
// assertions on it answer as on p; their calls are counted as watch and
// label. A Watch is counted when the
// stream is opened, not per change.
func (m *Metrics) Instrument(provider string, p instance.Plugin) instance.Plugin {
	b := &plugin{inner: p, provider: provider, m: m}
	w, l := watching{b}, labelling{b}
	_, isW := p.(instance.Watcher)
	_, isL := p.(instance.Labeller)
	switch {
	case isW && isL:
		return struct {
			*plugin
			watching
			labelling
		}{b, w, l}
	case isW:
		return struct {
			*plugin
			watching
		}{b, w}
	case isL:
		return struct {
			*plugin
			labelling
		}{b, l}
	}
	return b
}

// plugin is the instrumented instance.Plugin; the capability types below
// add one optional method each, so that the combinations Instrument builds
// show exactly the inner plugin's capabilities.
type plugin struct {
	inner    instance.Plugin
	provider string
	m        *Metrics
}

// Unwrap returns the instrumented plugin, for instance.Capability: the
// capabilities that are not calls (instance.Lagging) are read from it.
func (p *plugin) Unwrap() instance.Plugin { return p.inner }

// timed starts timing a call; the function it returns records the call
// with its error and passes the error on.
func (p *plugin) timed(call string) func(error) error {
	start := time.Now()
	return func(err error) error {
		result := "ok"
		switch {
		case call == "destroy" && errors.Is(err, spierr.ErrNotFound):
			// Already gone: the SPI's idempotent success, not a failure.
		case err != nil:
			result = "error"
		}
		p.m.providerCalls.WithLabelValues(p.provider, call, result).Inc()
		p.m.providerDuration.WithLabelValues(p.provider, call).Observe(time.Since(start).Seconds())
		return err
	}
}

func (p *plugin) Validate(ctx context.Context, props json.RawMessage) error {
	done := p.timed("validate")
	return done(p.inner.Validate(ctx, props))
}

func (p *plugin) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	done := p.timed("provision")
	id, err := p.inner.Provision(ctx, spec)
	return id, done(err)
}

func (p *plugin) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	done := p.timed("destroy")
	return done(p.inner.Destroy(ctx, id, reason))
}

func (p *plugin) Describe(ctx context.Context, selector map[string]string) ([]instance.Description, error) {
	done := p.timed("describe")
	ds, err := p.inner.Describe(ctx, selector)
	return ds, done(err)
}

// watching adds instance.Watcher to a plugin whose inner plugin has it.
type watching struct{ p *plugin }

func (w watching) Watch(ctx context.Context, selector map[string]string) (<-chan instance.Change, error) {
	done := w.p.timed("watch")
	ch, err := w.p.inner.(instance.Watcher).Watch(ctx, selector)
	return ch, done(err)
}

// labelling adds instance.Labeller to a plugin whose inner plugin has it.
type labelling struct{ p *plugin }

func (l labelling) Label(ctx context.Context, id instance.ID, labels map[string]string) error {
	done := l.p.timed("label")
	return done(l.p.inner.(instance.Labeller).Label(ctx, id, labels))
}
