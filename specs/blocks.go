package specs

import (
	"fmt"

	s "github.com/drover/drover/schema"
)

// Plugin kinds, as the schema registry knows them.
const (
	PluginProvider = "provider" // the body of provider "TYPE" "NAME" {}
	PluginInstance = "instance" // the body of a group's instance "TYPE" {}
	PluginFlavor   = "flavor"   // the body of a group's flavor "TYPE" {}
	PluginMetric   = "metric"   // the body of an autoscale metric "NAME" {}
)

// The schemas of drover's own blocks. Defaults live here, on the fields, and
// `drover` documentation quotes them.
var (
	swarmSchema = &s.Block{Type: "swarm", Labels: []string{"name"}}

	networkSchema = &s.Block{
		Type:   "network",
		Labels: []string{"name"},
		Attributes: []s.Attribute{
			{Name: "swarm", Type: s.RefTo("swarm"), Required: true, Description: "the swarm the network lives on"},
			{Name: "driver", Type: s.String, Default: "overlay", Description: "network driver"},
			{Name: "attachable", Type: s.Bool, Default: false, Description: "whether standalone containers may attach"},
			{Name: "internal", Type: s.Bool, Default: false, Description: "no external connectivity"},
			{Name: "encrypted", Type: s.Bool, Default: false, Description: "encrypt the data plane (IPsec)"},
			{Name: "subnet", Type: s.String, Description: "CIDR of the network; swarm picks one when unset"},
			{Name: "labels", Type: s.MapOf(s.String)},
		},
	}

	groupSchema = &s.Block{
		Type:   "group",
		Labels: []string{"name"},
		Attributes: []s.Attribute{
			{Name: "size", Type: s.Int, Min: s.Ptr(0), Max: s.Ptr(MaxGroupSize), Description: "number of machines (or use logical_ids)"},
			{Name: "logical_ids", Type: s.ListOf(s.String), Description: fmt.Sprintf("fixed machine identities, one machine each (for quorum groups); at most %d", MaxGroupSize)},
		},
		Blocks: []s.Block{
			{
				Type: "instance", Labels: []string{"plugin"}, Plugin: PluginInstance, Required: true,
				Description: "what a machine is: the instance plugin and its properties",
				Attributes: []s.Attribute{
					{Name: "provider", Type: s.RefTo("provider"), Description: "provider.TYPE.NAME; optional when one provider of the type exists or it needs no configuration"},
				},
			},
			{Type: "flavor", Labels: []string{"plugin"}, Plugin: PluginFlavor, Required: true, Description: "the role a machine plays: the flavor plugin and its properties"},
			{
				Type: "health", Implicit: true,
				Attributes: []s.Attribute{
					{Name: "grace", Type: s.Duration, Default: "2m", Description: "time a new machine has to become healthy"},
					{Name: "unhealthy_after", Type: s.Duration, Default: "30s", Description: "how long a machine may be unhealthy before it is replaced"},
					{Name: "max_in_flight", Type: s.Int, Default: 1, Min: s.Ptr(1), Description: "at most this many replacements of unhealthy or lost machines at once"},
				},
			},
			{
				Type: "update", Implicit: true,
				Attributes: []s.Attribute{
					{Name: "max_surge", Type: s.Int, Default: 1, Min: s.Ptr(0), Description: "machines created above size during a rolling update"},
					{Name: "max_unavailable", Type: s.Int, Default: 0, Min: s.Ptr(0), Description: "machines that may be missing during a rolling update"},
					{Name: "delay", Type: s.Duration, Default: "0s", Description: "pause between update steps"},
				},
			},
			autoscaleSchema(MaxGroupSize),
		},
	}

	serviceSchema = &s.Block{
		Type:   "service",
		Labels: []string{"name"},
		Attributes: []s.Attribute{
			{Name: "swarm", Type: s.RefTo("swarm"), Required: true},
			{Name: "image", Type: s.String, Required: true},
			{Name: "entrypoint", Type: s.ListOf(s.String), Description: "overrides the image's ENTRYPOINT"},
			{Name: "command", Type: s.ListOf(s.String), Description: "overrides the image's CMD"},
			{Name: "env", Type: s.MapOf(s.String)},
			{Name: "labels", Type: s.MapOf(s.String), Description: "service labels"},
			{Name: "container_labels", Type: s.MapOf(s.String)},
			{Name: "user", Type: s.String},
			{Name: "workdir", Type: s.String},
			{Name: "mode", Type: s.String, Default: "replicated", OneOf: []string{"replicated", "global"}},
			{Name: "replicas", Type: s.Int, Min: s.Ptr(0), Max: s.Ptr(MaxReplicas), Description: "replicated services only; 1 when unset"},
			{Name: "ports", Type: s.ListOf(s.String), Description: `"PUBLISHED:TARGET[/PROTOCOL]" or "TARGET[/PROTOCOL]"`},
			{Name: "publish_mode", Type: s.String, Default: "ingress", OneOf: []string{"ingress", "host"}, Description: `"ingress": the routing mesh answers on every node (needs IPVS in the nodes' kernel); "host": each task's port on its own node, a random one when PUBLISHED is unset`},
			{Name: "networks", Type: s.ListOf(s.RefTo("network"))},
			{Name: "constraints", Type: s.ListOf(s.String), Description: `placement constraints, such as "node.role == worker"`},
			{Name: "placement_preferences", Type: s.ListOf(s.String), Description: `"spread=node.labels.zone"`},
			{Name: "max_replicas_per_node", Type: s.Int, Default: 0, Min: s.Ptr(0), Description: "0 is unlimited"},
			{Name: "stop_grace_period", Type: s.Duration, Default: "10s"},
			{Name: "depends_on", Type: s.ListOf(s.RefTo("service")), Description: "services created before this one"},
			{Name: "drift", Type: s.String, Default: "correct", OneOf: []string{"correct", "report"}, Description: "what to do when the service is changed by hand"},
			{Name: "rebalance", Type: s.Bool, Default: false, Description: "spread tasks again when new nodes join"},
		},
		Blocks: []s.Block{
			{
				Type: "mount", Repeated: true,
				Attributes: []s.Attribute{
					{Name: "type", Type: s.String, Default: "volume", OneOf: []string{"volume", "bind", "tmpfs"}},
					{Name: "source", Type: s.String},
					{Name: "target", Type: s.String, Required: true},
					{Name: "read_only", Type: s.Bool, Default: false},
				},
			},
			{
				Type: "resources",
				Attributes: []s.Attribute{
					{Name: "reserve_cpu", Type: s.Number, Min: s.Ptr(0)},
					{Name: "reserve_memory", Type: s.Size},
					{Name: "limit_cpu", Type: s.Number, Min: s.Ptr(0)},
					{Name: "limit_memory", Type: s.Size},
				},
			},
			{
				Type: "healthcheck",
				Attributes: []s.Attribute{
					{Name: "test", Type: s.ListOf(s.String), Required: true, Description: `["CMD", "wget", "-q", "localhost"] or ["CMD-SHELL", "..."]`},
					{Name: "interval", Type: s.Duration, Default: "30s"},
					{Name: "timeout", Type: s.Duration, Default: "30s"},
					{Name: "retries", Type: s.Int, Default: 3, Min: s.Ptr(0)},
					{Name: "start_period", Type: s.Duration, Default: "0s"},
				},
			},
			{
				Type: "log",
				Attributes: []s.Attribute{
					{Name: "driver", Type: s.String, Required: true},
					{Name: "options", Type: s.MapOf(s.String)},
				},
			},
			updateSchema("update", []string{"pause", "continue", "rollback"}),
			updateSchema("rollback", []string{"pause", "continue"}),
			{
				Type: "restart", Implicit: true,
				Attributes: []s.Attribute{
					{Name: "condition", Type: s.String, Default: "any", OneOf: []string{"none", "on-failure", "any"}},
					{Name: "delay", Type: s.Duration, Default: "5s"},
					{Name: "max_attempts", Type: s.Int, Default: 0, Min: s.Ptr(0), Description: "0 is unlimited"},
					{Name: "window", Type: s.Duration, Default: "0s"},
				},
			},
			autoscaleSchema(MaxServiceAutoscale),
		},
	}
)

// BlockSchemas returns the schemas of drover's own top-level blocks, in the
// order the documentation presents them.
func BlockSchemas() []*s.Block {
	return []*s.Block{swarmSchema, networkSchema, groupSchema, serviceSchema}
}

// updateSchema is a service's update or rollback block, with swarm's own
// defaults so that a service inspected back from swarm shows no diff.
func updateSchema(name string, actions []string) s.Block {
	return s.Block{
		Type: name, Implicit: true,
		Attributes: []s.Attribute{
			{Name: "parallelism", Type: s.Int, Default: 1, Min: s.Ptr(0), Description: "tasks changed at once; 0 is all"},
			{Name: "delay", Type: s.Duration, Default: "0s"},
			{Name: "failure_action", Type: s.String, Default: "pause", OneOf: actions},
			{Name: "monitor", Type: s.Duration, Default: "5s"},
			{Name: "max_failure_ratio", Type: s.Number, Default: 0, Min: s.Ptr(0), Max: s.Ptr(1)},
			{Name: "order", Type: s.String, Default: "stop-first", OneOf: []string{"stop-first", "start-first"}},
		},
	}
}

// autoscaleSchema is an autoscale block whose min and max are at most maxSize.
func autoscaleSchema(maxSize float64) s.Block {
	return s.Block{
		Type:        "autoscale",
		Description: "min, max and metric blocks",
		Attributes: []s.Attribute{
			{Name: "min", Type: s.Int, Required: true, Min: s.Ptr(0), Max: s.Ptr(maxSize)},
			{Name: "max", Type: s.Int, Required: true, Min: s.Ptr(0), Max: s.Ptr(maxSize)},
			{Name: "interval", Type: s.Duration, Default: "10s", Description: "how often the metrics are read and a decision is made"},
			{Name: "cooldown_up", Type: s.Duration, Default: "1m", Description: "after any scale action, no scale-up for this long (evaluation goes on)"},
			{Name: "cooldown_down", Type: s.Duration, Default: "5m", Description: "after any scale action, no scale-down for this long (evaluation goes on)"},
			{Name: "stabilization_window", Type: s.Duration, Default: "5m", Description: "scale down only to the highest recommendation of this window; for a group, how long a node must be unneeded before it is removed"},
			{Name: "tolerance", Type: s.Number, Default: 0.1, Min: s.Ptr(0), Max: s.Ptr(1), Description: "no change while metric/target is within 1 +- tolerance"},
			{Name: "max_step", Type: s.Int, Default: 0, Min: s.Ptr(0), Max: s.Ptr(maxSize), Description: "most replicas or machines added or removed by one action; 0 is no limit (a group grows by at most 10 at once)"},
			{Name: "converge_timeout", Type: s.Duration, Default: "5m", Description: "no new action while the last one converges, for at most this long"},
		},
		Blocks: []s.Block{
			{Type: "metric", Labels: []string{"plugin"}, Plugin: PluginMetric, Repeated: true, Required: true},
		},
	}
}
