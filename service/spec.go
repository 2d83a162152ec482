package service

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"

	"github.com/drover/drover/specs"
)

// desired is a service's desired state: the swarm spec drover sends, its
// projection and the projection's hash.
type desired struct {
	spec swarm.ServiceSpec
	view view
	// swarmHash covers what drover sets on the swarm service (the view):
	// replicas included, drover's own settings (drift, depends_on,
	// autoscale) left out. It is the drover.config label, and what the
	// memory of pushes and failed rollouts holds. It is not the spec's
	// specs.Service.Hash, which covers the other way round: drover's own
	// settings included, replicas and autoscale left out.
	swarmHash string
}

// desiredService maps a service of the spec to the swarm service spec drover
// creates, labelled with owner. Networks are named; they are resolved to
// ids just before the spec is sent (see withNetworkIDs).
func desiredService(svc *specs.Service, owner string) desired {
	spec := toSwarm(svc)
	v := project(spec, nil)
	d := desired{spec: spec, view: v, swarmHash: v.hash()}
	labels := maps.Clone(spec.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelOwner] = owner
	labels[LabelSwarm] = svc.Swarm
	labels[LabelConfig] = d.swarmHash
	d.spec.Labels = labels
	return d
}

// toSwarm maps every field of a specs.Service to a swarm.ServiceSpec,
// without drover's labels. Fields whose spec value is swarm's default are
// still written out, so that what is inspected back reads the same.
func toSwarm(svc *specs.Service) swarm.ServiceSpec {
	grace := svc.StopGracePeriod
	cs := &swarm.ContainerSpec{
		Image:           svc.Image,
		Labels:          nonEmpty(svc.ContainerLabels),
		Command:         slices.Clone(svc.Entrypoint),
		Args:            slices.Clone(svc.Command),
		Env:             envList(svc.Env),
		Dir:             svc.Workdir,
		User:            svc.User,
		Mounts:          mounts(svc.Mounts),
		StopGracePeriod: &grace,
		Healthcheck:     healthcheck(svc.Healthcheck),
	}
	spec := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: svc.Name, Labels: nonEmpty(svc.Labels)},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: cs,
			Resources:     resources(svc.Resources),
			RestartPolicy: restartPolicy(svc.Restart),
			Placement:     placement(svc),
			Networks:      networks(svc.Networks),
			LogDriver:     logDriver(svc.Log),
		},
		UpdateConfig:   updateConfig(svc.Update),
		RollbackConfig: updateConfig(svc.Rollback),
		EndpointSpec:   endpoint(svc.Ports, svc.PublishMode),
	}
	if svc.Mode == "global" {
		spec.Mode.Global = &swarm.GlobalService{}
	} else {
		n := uint64(max(svc.Replicas, 0))
		spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: &n}
	}
	return spec
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// envList writes env as sorted KEY=VALUE lines.
func envList(env map[string]string) []string {
	if len(env) == 0 {
		return nil
	}
	out := make([]string, 0, len(env))
	for _, k := range slices.Sorted(maps.Keys(env)) {
		out = append(out, k+"="+env[k])
	}
	return out
}

func mounts(ms []specs.Mount) []mount.Mount {
	var out []mount.Mount
	for _, m := range ms {
		typ := m.Type
		if typ == "" {
			typ = string(mount.TypeVolume)
		}
		out = append(out, mount.Mount{Type: mount.Type(typ), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly})
	}
	return out
}

func healthcheck(h *specs.Healthcheck) *container.HealthConfig {
	if h == nil {
		return nil
	}
	return &container.HealthConfig{
		Test:        slices.Clone(h.Test),
		Interval:    h.Interval,
		Timeout:     h.Timeout,
		Retries:     h.Retries,
		StartPeriod: h.StartPeriod,
	}
}

// nanoCPUs converts a number of CPUs to swarm's billionths.
func nanoCPUs(cpus float64) int64 { return int64(math.Round(cpus * 1e9)) }

func resources(r *specs.Resources) *swarm.ResourceRequirements {
	if r == nil {
		return nil
	}
	out := &swarm.ResourceRequirements{}
	if r.LimitCPU > 0 || r.LimitMemory > 0 {
		out.Limits = &swarm.Limit{NanoCPUs: nanoCPUs(r.LimitCPU), MemoryBytes: r.LimitMemory}
	}
	if r.ReserveCPU > 0 || r.ReserveMemory > 0 {
		out.Reservations = &swarm.Resources{NanoCPUs: nanoCPUs(r.ReserveCPU), MemoryBytes: r.ReserveMemory}
	}
	if out.Limits == nil && out.Reservations == nil {
		return nil
	}
	return out
}

func restartPolicy(p specs.RestartPolicy) *swarm.RestartPolicy {
	cond := p.Condition
	if cond == "" {
		cond = string(swarm.RestartPolicyConditionAny)
	}
	delay, window := p.Delay, p.Window
	attempts := uint64(max(p.MaxAttempts, 0))
	return &swarm.RestartPolicy{Condition: swarm.RestartPolicyCondition(cond), Delay: &delay, MaxAttempts: &attempts, Window: &window}
}

func placement(svc *specs.Service) *swarm.Placement {
	p := &swarm.Placement{Constraints: slices.Clone(svc.Constraints), MaxReplicas: uint64(max(svc.MaxReplicasPerNode, 0))}
	for _, pref := range svc.PlacementPreferences {
		p.Preferences = append(p.Preferences, swarm.PlacementPreference{
			Spread: &swarm.SpreadOver{SpreadDescriptor: strings.TrimPrefix(pref, "spread=")},
		})
	}
	if len(p.Constraints) == 0 && len(p.Preferences) == 0 && p.MaxReplicas == 0 {
		return nil
	}
	return p
}

// networks attaches the service to networks by name.
func networks(names []string) []swarm.NetworkAttachmentConfig {
	var out []swarm.NetworkAttachmentConfig
	for _, n := range names {
		out = append(out, swarm.NetworkAttachmentConfig{Target: n})
	}
	return out
}

func logDriver(l *specs.LogConfig) *swarm.Driver {
	if l == nil {
		return nil
	}
	return &swarm.Driver{Name: l.Driver, Options: nonEmpty(l.Options)}
}

func updateConfig(u specs.UpdateConfig) *swarm.UpdateConfig {
	action := u.FailureAction
	if action == "" {
		action = swarm.UpdateFailureActionPause
	}
	order := u.Order
	if order == "" {
		order = swarm.UpdateOrderStopFirst
	}
	monitor := u.Monitor
	if monitor == 0 {
		monitor = defaultMonitor
	}
	return &swarm.UpdateConfig{
		Parallelism:     uint64(max(u.Parallelism, 0)),
		Delay:           u.Delay,
		FailureAction:   action,
		Monitor:         monitor,
		MaxFailureRatio: float32(u.MaxFailureRatio),
		Order:           order,
	}
}

// defaultMonitor is swarm's monitor period when none is set (0 is sent as
// "unset").
const defaultMonitor = 5 * time.Second

// endpoint publishes ports through the routing mesh ("ingress", the
// default) or on the nodes that run a task ("host").
func endpoint(ports []specs.Port, mode string) *swarm.EndpointSpec {
	if len(ports) == 0 {
		return nil
	}
	publish := swarm.PortConfigPublishModeIngress
	if mode == string(swarm.PortConfigPublishModeHost) {
		publish = swarm.PortConfigPublishModeHost
	}
	e := &swarm.EndpointSpec{Mode: swarm.ResolutionModeVIP}
	for _, p := range ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		e.Ports = append(e.Ports, swarm.PortConfig{
			Protocol:      swarm.PortConfigProtocol(proto),
			TargetPort:    uint32(p.Target),
			PublishedPort: uint32(p.Published),
			PublishMode:   publish,
		})
	}
	return e
}

// withNetworkIDs returns spec with its network names replaced by the ids
// ids gives (names it lacks are left to swarm to resolve).
func withNetworkIDs(spec swarm.ServiceSpec, ids map[string]string) swarm.ServiceSpec {
	nets := slices.Clone(spec.TaskTemplate.Networks)
	for i, n := range nets {
		if id, ok := ids[n.Target]; ok {
			nets[i].Target = id
		}
	}
	spec.TaskTemplate.Networks = nets
	return spec
}
