package specs

import (
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/drover/drover/schema"
)

// Spec is a loaded, validated desired state. Resources are sorted by name.
type Spec struct {
	Variables []*Variable
	Providers []*Provider
	Swarms    []*Swarm
	Networks  []*Network
	Groups    []*Group
	Services  []*Service

	// Files are the parsed sources, for rendering diagnostics.
	Files map[string]*hcl.File
	// Warnings are the diagnostics of a spec that loaded.
	Warnings hcl.Diagnostics
}

// Resources yields every resource of s: providers, swarms, networks,
// groups, then services, each kind in declaration order.
func (s *Spec) Resources() iter.Seq[*Resource] {
	return func(yield func(*Resource) bool) {
		for _, p := range s.Providers {
			if !yield(&p.Resource) {
				return
			}
		}
		for _, sw := range s.Swarms {
			if !yield(&sw.Resource) {
				return
			}
		}
		for _, n := range s.Networks {
			if !yield(&n.Resource) {
				return
			}
		}
		for _, g := range s.Groups {
			if !yield(&g.Resource) {
				return
			}
		}
		for _, svc := range s.Services {
			if !yield(&svc.Resource) {
				return
			}
		}
	}
}

// Resource holds what every block of a spec has. Its MarshalJSON, promoted
// to the resource that embeds it, writes the resource's canonical form with
// sensitive values redacted, so no rendering can leak a secret by accident.
type Resource struct {
	Kind      string    `json:"-"`
	Name      string    `json:"-"`
	DeclRange hcl.Range `json:"-"`
	// Hash identifies the resource's configuration: equal specs, however
	// written, have equal hashes. What it covers is documented per kind.
	Hash string `json:"-"`

	decoded  *schema.Result
	redacted json.RawMessage
	secrets  []string // the values at sensitive paths, for Spec.Secrets
}

// Addr is the resource's address as references write it: "group.workers".
func (r *Resource) Addr() string { return r.Kind + "." + r.Name }

// Range returns the source range of an attribute or block of the resource by
// its path ("autoscale.min", "ports[1]"), or the block's declaration.
func (r *Resource) Range(path string) hcl.Range {
	if r.decoded == nil {
		return r.DeclRange
	}
	return r.decoded.Range(path, r.DeclRange)
}

// String renders the address and the redacted canonical form; it is what
// every fmt verb and slog attribute shows, so printing a resource is safe.
func (r Resource) String() string {
	return r.Addr() + " " + string(r.redacted)
}

// GoString is String, for %#v.
func (r Resource) GoString() string { return r.String() }

// MarshalJSON writes the canonical form with sensitive values redacted.
func (r Resource) MarshalJSON() ([]byte, error) {
	if r.redacted == nil {
		return []byte("null"), nil
	}
	return r.redacted, nil
}

// Properties are a plugin block's properties, decoded against the plugin's
// schema: a JSON object with defaults applied, durations in nanoseconds and
// sizes in bytes. They render redacted; only Reveal gives the secrets.
type Properties struct {
	raw       json.RawMessage
	sensitive []cty.Path
}

// Reveal returns the properties with their secrets, for the plugin alone.
func (p Properties) Reveal() json.RawMessage { return p.raw }

// MarshalJSON writes the properties with sensitive values redacted.
func (p Properties) MarshalJSON() ([]byte, error) {
	if p.raw == nil {
		return []byte("{}"), nil
	}
	if len(p.sensitive) == 0 {
		return p.raw, nil
	}
	var tree any
	if err := json.Unmarshal(p.raw, &tree); err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	return json.Marshal(schema.Redact(tree, p.sensitive))
}

// UnmarshalJSON keeps the object as it is.
func (p *Properties) UnmarshalJSON(b []byte) error {
	p.raw = append(json.RawMessage(nil), b...)
	return nil
}

// GoString is String, for %#v.
func (p Properties) GoString() string { return p.String() }

// String renders the redacted properties.
func (p Properties) String() string {
	b, err := p.MarshalJSON()
	if err != nil {
		return "{" + err.Error() + "}"
	}
	return string(b)
}

// Variable is a declared input variable and the value it was given.
type Variable struct {
	Name        string
	Description string
	Sensitive   bool
	// Value is the variable's value; render it with Display.
	Value     cty.Value
	Source    string // "default", "env", "file", "flag"
	DeclRange hcl.Range

	inputs []Withheld // every source outside the spec that set it
}

// String renders the variable as NAME=VALUE, redacted when sensitive.
func (v *Variable) String() string { return v.Name + "=" + v.Display() }

// GoString is String, for %#v.
func (v *Variable) GoString() string { return v.String() }

// Display renders the value, or Redacted when the variable is sensitive.
func (v *Variable) Display() string {
	if v.Sensitive {
		return schema.Redacted
	}
	b, err := json.Marshal(schema.ToJSON(v.Value))
	if err != nil {
		return v.Value.GoString()
	}
	return string(b)
}

// Provider is a configured instance plugin: `provider "docker" "local" {}`.
// Its Name is "docker.local", as groups refer to it. Its hash covers its
// whole configuration.
type Provider struct {
	Resource
	// Type is the instance plugin that serves it ("docker").
	Type string
	// Config is the body, decoded against the plugin's provider schema.
	Config Properties
	// Implicit providers were not declared: a group used a plugin whose
	// provider needs no configuration.
	Implicit bool
}

// Swarm is a Docker swarm formed by the groups whose flavor names it.
type Swarm struct {
	Resource
}

// Network is an overlay network on a swarm. Its hash covers every field.
type Network struct {
	Resource
	Swarm      string            `json:"swarm"`
	Driver     string            `json:"driver"`
	Attachable bool              `json:"attachable"`
	Internal   bool              `json:"internal"`
	Encrypted  bool              `json:"encrypted"`
	Subnet     string            `json:"subnet"`
	Labels     map[string]string `json:"labels"`
}

// PluginConfig is a plugin block: `flavor "swarm" {...}`.
type PluginConfig struct {
	Plugin     string     `json:"plugin"`
	Properties Properties `json:"properties"`
}

// InstanceConfig is a group's instance block.
type InstanceConfig struct {
	PluginConfig
	// Provider is the provider's Name ("docker.local"), resolved when the
	// block names none.
	Provider string `json:"provider"`
}

// Group is a machine group. Its hash covers the instance and flavor
// configuration (what a machine is), not its size, health, update or
// autoscale settings, so a resize never rolls machines.
type Group struct {
	Resource
	// Size is the desired number of machines: size, the number of
	// logical_ids, or the autoscale minimum.
	Size       int            `json:"size"`
	LogicalIDs []string       `json:"logical_ids"`
	Instance   InstanceConfig `json:"instance"`
	Flavor     PluginConfig   `json:"flavor"`
	Health     Health         `json:"health"`
	Update     GroupUpdate    `json:"update"`
	Autoscale  *Autoscale     `json:"autoscale"`
}

// SwarmRole returns the swarm and role of a group whose flavor is "swarm".
func (g *Group) SwarmRole() (swarm, role string, ok bool) {
	if g.Flavor.Plugin != "swarm" {
		return "", "", false
	}
	var p struct {
		Swarm string `json:"swarm"`
		Role  string `json:"role"`
	}
	if err := json.Unmarshal(g.Flavor.Properties.Reveal(), &p); err != nil {
		return "", "", false
	}
	return p.Swarm, p.Role, true
}

// Health says when a machine counts as unhealthy and how fast it is healed.
type Health struct {
	Grace          time.Duration `json:"grace"`
	UnhealthyAfter time.Duration `json:"unhealthy_after"`
	MaxInFlight    int           `json:"max_in_flight"`
}

// GroupUpdate is the rolling-update policy of a group.
type GroupUpdate struct {
	MaxSurge       int           `json:"max_surge"`
	MaxUnavailable int           `json:"max_unavailable"`
	Delay          time.Duration `json:"delay"`
}

// Autoscale is a target-tracking policy for a group or a service.
type Autoscale struct {
	Min                 int            `json:"min"`
	Max                 int            `json:"max"`
	Interval            time.Duration  `json:"interval"`
	CooldownUp          time.Duration  `json:"cooldown_up"`
	CooldownDown        time.Duration  `json:"cooldown_down"`
	StabilizationWindow time.Duration  `json:"stabilization_window"`
	Tolerance           float64        `json:"tolerance"`
	MaxStep             int            `json:"max_step"`
	ConvergeTimeout     time.Duration  `json:"converge_timeout"`
	Metrics             []PluginConfig `json:"metric"`
}

// Service is a swarm service. Its hash covers everything but replicas and
// autoscale, which change at run time. It is not the hash in the swarm
// service's drover.config label, which covers what drover sets on swarm:
// replicas included, drover's own settings (drift, depends_on, ...) not.
type Service struct {
	Resource
	Swarm                string            `json:"swarm"`
	Image                string            `json:"image"`
	Entrypoint           []string          `json:"entrypoint"`
	Command              []string          `json:"command"`
	Env                  map[string]string `json:"env"`
	Labels               map[string]string `json:"labels"`
	ContainerLabels      map[string]string `json:"container_labels"`
	User                 string            `json:"user"`
	Workdir              string            `json:"workdir"`
	Mode                 string            `json:"mode"`
	Replicas             int               `json:"replicas"`
	Ports                []Port            `json:"ports"`
	PublishMode          string            `json:"publish_mode"`
	Networks             []string          `json:"networks"`
	Constraints          []string          `json:"constraints"`
	PlacementPreferences []string          `json:"placement_preferences"`
	MaxReplicasPerNode   int               `json:"max_replicas_per_node"`
	StopGracePeriod      time.Duration     `json:"stop_grace_period"`
	Mounts               []Mount           `json:"mount"`
	Resources            *Resources        `json:"resources"`
	Healthcheck          *Healthcheck      `json:"healthcheck"`
	Log                  *LogConfig        `json:"log"`
	Update               UpdateConfig      `json:"update"`
	Rollback             UpdateConfig      `json:"rollback"`
	Restart              RestartPolicy     `json:"restart"`
	Autoscale            *Autoscale        `json:"autoscale"`
	DependsOn            []string          `json:"depends_on"`
	Drift                string            `json:"drift"`
	Rebalance            bool              `json:"rebalance"`
}

// Mount is a volume, bind or tmpfs mount of a service's containers.
type Mount struct {
	Type     string `json:"type"`
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only"`
}

// Resources are a service's reservations and limits; zero means none.
type Resources struct {
	ReserveCPU    float64 `json:"reserve_cpu"`
	ReserveMemory int64   `json:"reserve_memory"`
	LimitCPU      float64 `json:"limit_cpu"`
	LimitMemory   int64   `json:"limit_memory"`
}

// Healthcheck is a service's container healthcheck.
type Healthcheck struct {
	Test        []string      `json:"test"`
	Interval    time.Duration `json:"interval"`
	Timeout     time.Duration `json:"timeout"`
	Retries     int           `json:"retries"`
	StartPeriod time.Duration `json:"start_period"`
}

// LogConfig is a service's log driver.
type LogConfig struct {
	Driver  string            `json:"driver"`
	Options map[string]string `json:"options"`
}

// UpdateConfig is a service's update or rollback policy, as swarm has it.
type UpdateConfig struct {
	Parallelism     int           `json:"parallelism"`
	Delay           time.Duration `json:"delay"`
	FailureAction   string        `json:"failure_action"`
	Monitor         time.Duration `json:"monitor"`
	MaxFailureRatio float64       `json:"max_failure_ratio"`
	Order           string        `json:"order"`
}

// RestartPolicy is a service's restart policy, as swarm has it.
type RestartPolicy struct {
	Condition   string        `json:"condition"`
	Delay       time.Duration `json:"delay"`
	MaxAttempts int           `json:"max_attempts"`
	Window      time.Duration `json:"window"`
}
