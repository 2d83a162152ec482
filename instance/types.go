package instance

import (
	"encoding/json"
	"time"
)

// ID identifies an instance within its plugin, e.g. a droplet id or a
// container id. It is assigned by the plugin at Provision.
type ID string

// LogicalID is a stable identity chosen by the controller for groups whose
// members have fixed identities, such as quorum managers. It survives the
// instance being replaced.
type LogicalID string

// Spec is what to provision.
type Spec struct {
	// Name is the instance's name, chosen by the controller and
	// deterministic: "<group>-<logical id or sequence>". Backends whose
	// names are unique (Docker) thereby refuse a duplicate create.
	Name string `json:"name"`
	// Properties are the plugin's properties, already accepted by Validate:
	// a JSON object.
	Properties json.RawMessage `json:"properties,omitempty"`
	// Tags are to be set on the instance; Describe must report them back.
	Tags map[string]string `json:"tags,omitempty"`
	// Init is the init script prepared by the flavor (user data, or the
	// command a container runs first).
	Init string `json:"init,omitempty"`
	// LogicalID is set for groups with fixed ids and empty otherwise.
	LogicalID LogicalID `json:"logical_id,omitempty"`
}

// State is the lifecycle state of an instance as the plugin sees it.
type State string

// The instance states.
const (
	StatePending    State = "pending"    // being created or booting
	StateRunning    State = "running"    // up; not necessarily healthy
	StateStopped    State = "stopped"    // exists but not running (e.g. an exited container)
	StateTerminated State = "terminated" // destroyed or being destroyed
	StateUnknown    State = "unknown"    // the backend reported something else
)

// Address is a network address of an instance.
type Address struct {
	Kind string `json:"kind"` // "private" or "public"
	IP   string `json:"ip"`
}

// The address kinds.
const (
	AddressPrivate = "private"
	AddressPublic  = "public"
)

// Description is what a plugin knows about an existing instance.
type Description struct {
	ID        ID                `json:"id"`
	LogicalID LogicalID         `json:"logical_id,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"` // decoded, as given in Spec.Tags
	State     State             `json:"state"`
	Addresses []Address         `json:"addresses,omitempty"`
	CreatedAt time.Time         `json:"created_at,omitzero"`
	// Health is the backend's own health check, if it has one: "healthy",
	// "unhealthy" or "starting"; empty when there is none.
	Health string `json:"health,omitempty"`
	// Detail says why the state is what it is, e.g. an exit code or a
	// backend status; free text for humans.
	Detail string `json:"detail,omitempty"`
}

// The backend health values of Description.Health.
const (
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthStarting  = "starting"
)

// DestroyReason tells a plugin why an instance is being destroyed, for its
// logs and for backends that treat the cases differently.
type DestroyReason string

// The reasons for destroying an instance.
const (
	DestroyScaleDown DestroyReason = "scale_down" // the group has too many instances
	DestroyReplace   DestroyReason = "replace"    // a rolling update replaces it
	DestroyUnhealthy DestroyReason = "unhealthy"  // the flavor reported it unhealthy
	DestroyTerminate DestroyReason = "terminate"  // the group is being removed
)
