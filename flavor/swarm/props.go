package swarm

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Instance tags the flavor adds in Prepare.
const (
	TagSwarm = "drover.swarm" // the swarm a machine belongs to
	TagRole  = "drover.role"  // manager or worker
)

// Labels drover puts on swarm nodes (node labels, not instance tags).
const (
	NodeLabelInstance = "drover.instance" // the instance ID of the machine
	NodeLabelOwner    = "drover.owner"
	NodeLabelGroup    = "drover.group"
)

// DefaultDrainTimeout is how long Drain waits for a worker's tasks when the
// properties do not say.
const DefaultDrainTimeout = 2 * time.Minute

// Properties are a group's flavor "swarm" {} block, decoded.
type Properties struct {
	Swarm  string            `json:"swarm"`
	Role   string            `json:"role"`
	Labels map[string]string `json:"labels,omitempty"`
	// DrainTimeout bounds the wait for a drained worker's tasks; absent is
	// DefaultDrainTimeout, zero does not wait.
	DrainTimeout *time.Duration `json:"drain_timeout,omitempty"`
	// Engine says how drover reaches the machines' engines: EngineProvider
	// or EngineTLS; absent is DefaultEngine.
	Engine string `json:"engine,omitempty"`
}

// engine is Engine or its default.
func (p Properties) engine() string {
	if p.Engine == "" {
		return DefaultEngine
	}
	return p.Engine
}

// drainTimeout is DrainTimeout or its default.
func (p Properties) drainTimeout() time.Duration {
	if p.DrainTimeout == nil {
		return DefaultDrainTimeout
	}
	return *p.DrainTimeout
}

// parse decodes props strictly and checks them; any problem is a
// spierr.ErrInvalid error.
func parse(op string, props json.RawMessage) (Properties, error) {
	var p Properties
	if err := instance.DecodeProperties(op, props, &p); err != nil {
		return p, err
	}
	if err := p.check(); err != nil {
		return p, spierr.Invalid(op, "%v", err)
	}
	return p, nil
}

// check names the first bad property.
func (p Properties) check() error {
	switch {
	case strings.TrimSpace(p.Swarm) == "":
		return errors.New("swarm: required")
	case p.Role == "":
		return errors.New("role: required")
	case p.Role != RoleManager && p.Role != RoleWorker:
		return fmt.Errorf("role: %q is neither %q nor %q", p.Role, RoleManager, RoleWorker)
	case p.DrainTimeout != nil && *p.DrainTimeout < 0:
		return fmt.Errorf("drain_timeout: %v is negative", *p.DrainTimeout)
	case p.Engine != "" && p.Engine != EngineProvider && p.Engine != EngineTLS:
		return fmt.Errorf("engine: %q is neither %q nor %q", p.Engine, EngineProvider, EngineTLS)
	}
	return instance.CheckLabels(p.Labels)
}

// nodeLabels are the labels a node of inst must carry.
func (p Properties) nodeLabels(inst instance.Description) map[string]string {
	out := make(map[string]string, len(p.Labels)+3)
	for k, v := range p.Labels {
		out[k] = v
	}
	out[NodeLabelInstance] = string(inst.ID)
	out[NodeLabelOwner] = inst.Tags[instance.TagOwner]
	out[NodeLabelGroup] = inst.Tags[instance.TagGroup]
	return out
}
