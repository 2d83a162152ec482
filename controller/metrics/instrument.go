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
// labelled with provider. The wrapper is an instance.Hook: the declared
// capabilities of p (instance.Watcher, instance.Labeller,
// instance.MetricsSource, ...), found through it with instance.Capability,
// are counted under their names (watch, label, cpu, ...). A Watch is counted when the stream is opened, not
// per change.
func (m *Metrics) Instrument(provider string, p instance.Plugin) instance.Plugin {
	return &plugin{inner: p, provider: provider, m: m}
}

// plugin is the instrumented instance.Plugin.
type plugin struct {
	inner    instance.Plugin
	provider string
	m        *Metrics
}

// Unwrap returns the instrumented plugin, for instance.Capability.
func (p *plugin) Unwrap() instance.Plugin { return p.inner }

// Around times a call of a declared capability, for instance.Capability.
func (p *plugin) Around(ctx context.Context, call string, do func(context.Context, instance.Plugin) error) error {
	done := p.timed(call)
	return done(do(ctx, p.inner))
}

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
