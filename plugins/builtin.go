package plugins

import (
	"context"
	"encoding/json"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean"
	"github.com/drover/drover/instance/docker"
)

// BuiltinOptions are what the built-in plugins need of the runtime that
// builds them. Zero fields take the defaults given.
type BuiltinOptions struct {
	// DataDir is drover's data directory: the docker provider's node
	// containers' engine sockets appear in its "nodes" directory
	// (DataDir/nodes/<name>/docker.sock) unless socket_dir says otherwise.
	// Default: drover's default data directory.
	DataDir string
	// Clusters is what the swarm flavor knows of the swarms it forms, and
	// where their CAs live: the runtime makes it (swarm.NewClusters, with
	// the same data dir), gives the same one to the service reconciler
	// (runner.Options.Managers) and closes it when it ends. Default: one
	// of the registry's own, with its CAs under DataDir, that nothing else
	// sees and nobody closes: enough for loading and validating specs, and
	// for a swarm flavor that no service needs (the runner refuses
	// services without Managers).
	Clusters *swarm.Clusters
}

// withDefaults applies the defaults BuiltinOptions documents.
func (o BuiltinOptions) withDefaults() BuiltinOptions {
	if o.Clusters == nil {
		o.Clusters = swarm.NewClusters(o.DataDir)
	}
	return o
}

// Builtins returns a registry holding the built-in plugins, built with
// opts: the docker and digitalocean instance providers, the swarm and
// vanilla flavors and the autoscale metric sources.
func Builtins(opts BuiltinOptions) *Registry {
	opts = opts.withDefaults()
	r := NewRegistry()
	must := func(err error) {
		if err != nil {
			panic(err) // a built-in schema is broken: caught by the tests
		}
	}
	must(r.RegisterInstance(docker.PluginName, InstancePlugin{
		ProviderSchema: docker.ProviderSchema(),
		InstanceSchema: docker.InstanceSchema(),
		New: plugin(func(ctx context.Context, cfg json.RawMessage) (*docker.Plugin, error) {
			return docker.Options{DataDir: opts.DataDir}.New(ctx, cfg)
		}),
	}))
	must(r.RegisterFlavor(vanilla.PluginName, FlavorPlugin{
		Schema: vanilla.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
	}))
	// Every swarm flavor plugin of the registry shares opts.Clusters: what
	// is known of the swarms' managers, and the swarms' CAs.
	must(r.RegisterFlavor(swarm.PluginName, FlavorPlugin{
		Schema: swarm.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return swarm.New(opts.Clusters, swarm.Options{}), nil },
	}))
	must(r.RegisterInstance(digitalocean.PluginName, InstancePlugin{
		ProviderSchema: digitalocean.ProviderSchema(),
		InstanceSchema: digitalocean.InstanceSchema(),
		New:            plugin(digitalocean.New),
		NewValidator:   plugin(digitalocean.NewValidator),
	}))
	must(r.registerMetrics())
	return r
}

// plugin makes a constructor of a concrete plugin type one of
// instance.Plugin that returns no typed nil on error.
func plugin[P instance.Plugin](f func(context.Context, json.RawMessage) (P, error)) func(context.Context, json.RawMessage) (instance.Plugin, error) {
	return func(ctx context.Context, cfg json.RawMessage) (instance.Plugin, error) {
		p, err := f(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}
