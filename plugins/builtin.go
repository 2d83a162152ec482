package plugins

import (
	"context"
	"encoding/json"
	"path/filepath"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean"
	"github.com/drover/drover/instance/docker"
	s "github.com/drover/drover/schema"
	"github.com/drover/drover/specs"
)

// Builtins returns a registry holding the schemas of the built-in plugins:
// the docker and digitalocean instance providers, the swarm and vanilla
// flavors and the autoscale metric sources.
func Builtins() *Registry {
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
			return docker.Options{DataDir: r.DataDir()}.New(ctx, cfg)
		}),
	}))
	must(r.RegisterFlavor(vanilla.PluginName, FlavorPlugin{
		Schema: vanilla.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
	}))
	// One Clusters for the registry: every swarm flavor plugin and the
	// service reconciler share what is known of the swarms' managers, and
	// the swarms' CAs (under swarm.DefaultCADir until SetDataDir).
	r.clusters = swarm.NewClusters()
	must(r.RegisterFlavor(swarm.PluginName, FlavorPlugin{
		Schema: swarm.Schema(),
		New:    func(context.Context) (flavor.Plugin, error) { return swarm.New(r.clusters, swarm.Options{}), nil },
	}))
	must(r.RegisterInstance(digitalocean.PluginName, InstancePlugin{
		ProviderSchema: digitalocean.ProviderSchema(),
		InstanceSchema: digitalocean.InstanceSchema(),
		New:            plugin(digitalocean.New),
		NewValidator:   plugin(digitalocean.NewValidator),
	}))
	for name, schema := range metricSchemas() {
		must(r.Register(specs.PluginMetric, name, schema))
	}
	return r
}

// SetDataDir tells the built-in plugins drover's data directory: the swarm
// flavor keeps the CAs of the swarms whose engines it reaches over TLS in
// its "swarm-ca" directory (dir/swarm-ca/<owner>/<swarm>/), and the docker
// provider's node containers' engine sockets appear in its "nodes"
// directory (dir/nodes/<name>/docker.sock) unless socket_dir says
// otherwise. Call it before a spec is run; without it both live under
// drover's default data directory (swarm.DefaultCADir).
func (r *Registry) SetDataDir(dir string) {
	r.mu.Lock()
	r.dataDir = dir
	r.mu.Unlock()
	if r.clusters != nil {
		r.clusters.SetCADir(filepath.Join(dir, swarm.CADirName))
	}
}

// DataDir is what SetDataDir set, or "" (drover's default).
func (r *Registry) DataDir() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.dataDir
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

// metricSchemas are the autoscale metric sources: metric "NAME" {}.
func metricSchemas() map[string]*s.Block {
	target := s.Attribute{Name: "target", Type: s.Number, Required: true, Min: s.Ptr(0), Description: "the value the metric is kept at"}
	return map[string]*s.Block{
		// Mean CPU utilisation (0..1) of the machines or tasks: engine
		// stats for containers, the monitoring API for droplets.
		"cpu": {Attributes: []s.Attribute{target}},
		// Tasks of the swarm that no node can take: grow until they fit.
		"swarm_pending_tasks": {},
		// A Prometheus instant query returning one number.
		"prometheus": {Attributes: []s.Attribute{
			{Name: "address", Type: s.String, Required: true, Description: `Prometheus base URL, such as "http://prometheus:9090"`},
			{Name: "query", Type: s.String, Required: true},
			target,
		}},
	}
}
