package metric

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
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

// targetAttribute is the schema of a utilisation metric's target: what
// the metric's mean is kept at. The schema's Min is inclusive; New
// refuses 0 (see decodeTarget).
func targetAttribute(description string) schema.Attribute {
	return schema.Attribute{Name: "target", Type: schema.Number, Required: true, Min: schema.Ptr(0), Description: description}
}

// targetProps are the properties of a metric block that has only a
// target.
type targetProps struct {
	Target *float64 `json:"target"`
}

// decodeTarget decodes props (an object holding a target and nothing
// else) and returns the target, which must be a finite number above 0.
// Its errors name the property, never its value.
func decodeTarget(props json.RawMessage) (float64, error) {
	var p targetProps
	if err := decodeStrict(props, &p); err != nil {
		return 0, err
	}
	switch {
	case p.Target == nil:
		return 0, errors.New("target is required")
	case !(*p.Target > 0) || math.IsInf(*p.Target, 0):
		return 0, errors.New("target must be a number greater than 0")
	}
	return *p.Target, nil
}

// decodeStrict decodes props, a JSON object, into v, refusing unknown
// properties. Its errors name a property at most, never a value: a
// property's value may be a secret.
func decodeStrict(props json.RawMessage, v any) error {
	if len(bytes.TrimSpace(props)) == 0 {
		props = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(props))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("property %s: want %s", typ.Field, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown property %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errors.New("the properties are not a JSON object of the metric's schema")
}

// source is a Source made of a read function: Read bounds read with the
// timeout and makes its value a reading of the metric against target.
type source struct {
	metric  string
	target  float64
	timeout time.Duration
	read    func(ctx context.Context, s Scope) (float64, error)
}

// Read implements Source. On error the reading names the metric and its
// target only.
func (src source) Read(ctx context.Context, s Scope) (autoscale.Reading, error) {
	ctx, cancel := context.WithTimeout(ctx, src.timeout)
	defer cancel()
	r := autoscale.Reading{Metric: src.metric, Target: src.target}
	v, err := src.read(ctx, s)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (the %s read did not end within %v)", err, src.metric, src.timeout)
		}
		return r, err
	}
	r.Value = v
	return r, nil
}

// newTargetSource is a Plugin's New for a metric whose block holds only a
// target: a source named metric that reads with read.
func newTargetSource(metric string, read func(ctx context.Context, s Scope) (float64, error)) func(json.RawMessage, Options) (Source, error) {
	return func(props json.RawMessage, opts Options) (Source, error) {
		target, err := decodeTarget(props)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", metric, err)
		}
		return source{metric: metric, target: target, timeout: opts.withDefaults().Timeout, read: read}, nil
	}
}

// mean is the mean of vs, which must not be empty.
func mean(vs []float64) float64 {
	var sum float64
	for _, v := range vs {
		sum += v
	}
	return sum / float64(len(vs))
}
