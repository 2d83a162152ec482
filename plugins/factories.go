package plugins

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	plugingrpc "github.com/drover/drover/plugins/grpc"
	"github.com/drover/drover/schema"
	"github.com/drover/drover/specs"
)

// InstancePlugin is what an instance plugin brings: the schemas of its
// provider and instance blocks, and how to connect to a configured provider.
type InstancePlugin struct {
	ProviderSchema *schema.Block
	InstanceSchema *schema.Block
	// New connects to the provider configured by config, the provider
	// block's properties with their secrets (Properties.Reveal).
	New func(ctx context.Context, config json.RawMessage) (instance.Plugin, error)
	// NewValidator builds a plugin that is only asked to Validate
	// properties, as drover validate does: it must not contact the
	// backend, and must accept a config whose secrets are not set
	// (validate runs where they are not). Nil: New, which must then not
	// contact the backend either.
	NewValidator func(ctx context.Context, config json.RawMessage) (instance.Plugin, error)
}

// FlavorPlugin is what a flavor plugin brings: its schema and a constructor.
type FlavorPlugin struct {
	Schema *schema.Block
	New    func(ctx context.Context) (flavor.Plugin, error)
}

// RegisterInstance adds an instance plugin and its two schemas.
func (r *Registry) RegisterInstance(name string, p InstancePlugin) error {
	if p.New == nil {
		return fmt.Errorf("register instance plugin %q: no constructor", name)
	}
	if err := r.Register(specs.PluginProvider, name, p.ProviderSchema); err != nil {
		return err
	}
	if err := r.Register(specs.PluginInstance, name, p.InstanceSchema); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.instances[name] = p
	return nil
}

// RegisterFlavor adds a flavor plugin and its schema.
func (r *Registry) RegisterFlavor(name string, p FlavorPlugin) error {
	if p.New == nil {
		return fmt.Errorf("register flavor plugin %q: no constructor", name)
	}
	if err := r.Register(specs.PluginFlavor, name, p.Schema); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flavors[name] = p
	return nil
}

// Instance returns an instance plugin, asking the resolver if it is not
// registered.
func (r *Registry) Instance(name string) (InstancePlugin, bool) {
	return resolve(r, specs.PluginInstance, name, func() (InstancePlugin, bool) {
		r.mu.RLock()
		defer r.mu.RUnlock()
		p, ok := r.instances[name]
		return p, ok
	})
}

// Flavor returns a flavor plugin, asking the resolver if it is not
// registered.
func (r *Registry) Flavor(name string) (FlavorPlugin, bool) {
	return resolve(r, specs.PluginFlavor, name, func() (FlavorPlugin, bool) {
		r.mu.RLock()
		defer r.mu.RUnlock()
		p, ok := r.flavors[name]
		return p, ok
	})
}

// Provider returns p as a plugin binary serves it (plugins/sdk), e.g. to
// run a built-in out of process. InstancePlugin declares no optional
// capabilities: set the result's Capabilities and ListLag to those of the
// plugins p.New builds, or drover will not offer them.
func (p InstancePlugin) Provider() plugingrpc.InstanceProvider {
	return plugingrpc.InstanceProvider{ProviderSchema: p.ProviderSchema, InstanceSchema: p.InstanceSchema, New: p.New}
}

// Provider returns p as a plugin binary serves it (plugins/sdk).
func (p FlavorPlugin) Provider() plugingrpc.FlavorProvider {
	return plugingrpc.FlavorProvider{Schema: p.Schema, New: p.New}
}
