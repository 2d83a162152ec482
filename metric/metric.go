package metric

import (
	"context"
	"encoding/json"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/drover/drover/autoscale"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/schema"
)

// Source reads one metric block for one autoscaled resource. Read returns
// a reading (Err empty) or an error saying why the metric cannot be read
// now; the caller turns that error into a holding reading. Read must end
// within its context's deadline.
type Source interface {
	Read(ctx context.Context, s Scope) (autoscale.Reading, error)
}

// Scope is the autoscaled resource as metrics see it; the runner
// implements it, once per evaluation, caching what it lists so that
// several metrics of one evaluation list once.
type Scope interface {
	// Key is the autoscaled resource: service.web or group.workers.
	Key() resource.Key
	// Containers are the running containers of a service's tasks, each
	// with the engine of its node.
	Containers(ctx context.Context) ([]Container, error)
	// Machines is a group's machines and their provider.
	Machines(ctx context.Context) (Machines, error)
	// Manager is a manager of the resource's swarm.
	Manager(ctx context.Context) (client.APIClient, error)
}

// Engine is the part of a Docker engine's API the container metrics use.
type Engine interface {
	ContainerInspect(ctx context.Context, id string) (container.InspectResponse, error)
	ContainerStats(ctx context.Context, id string, stream bool) (container.StatsResponseReader, error)
}

// Container is one running container of a service's tasks.
type Container struct {
	ID     string // the container's ID on Engine
	Task   string // the swarm task it runs
	Engine Engine
}

// Machines are a group's machines.
type Machines struct {
	Group    string
	Owner    string
	Provider instance.Plugin
	// ProviderType is the provider's plugin: "docker", "digitalocean", ...
	ProviderType string
	// Instances are the group's live machines, as Describe lists them.
	Instances []instance.Description
	// Swarm, Role and Labels are the group's swarm flavor settings; Swarm
	// is empty for a group that is not in a swarm.
	Swarm  string
	Role   string
	Labels map[string]string
	// Size is the group's size now.
	Size int
}

// Plugin is one metric plugin: the schema of its block, the kinds of
// resource it can scale, and how to make a Source of a block.
type Plugin struct {
	Schema *schema.Block
	// Kinds are the kinds of resource whose autoscale block may use it.
	Kinds []resource.Kind
	// New makes a Source of a block's properties (JSON, as the schema
	// decoded them); opts are the same for every source.
	New func(props json.RawMessage, opts Options) (Source, error)
}

// Options tune every source.
type Options struct {
	// Timeout bounds one Read. Default 5s (defaultTimeout).
	Timeout time.Duration
}

// defaultTimeout is Options.Timeout's default.
const defaultTimeout = 5 * time.Second
