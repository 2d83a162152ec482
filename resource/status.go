package resource

import "time"

// Status is one resource as its last pass saw it: one shape for every
// kind, made by the kind's reconciler (group.Status.Resource,
// service.Status.Resource) and shown as it is by the API, the metrics and
// the CLI.
type Status struct {
	Resource Key    `json:"resource"`
	Kind     Kind   `json:"kind"` // Resource.Kind, for readers of the JSON
	Name     string `json:"name"` // Resource.Name, likewise
	// Generation identifies the desired state the pass worked on; a
	// status of an older generation is stale.
	Generation int64 `json:"generation,omitempty"`
	// Retired is true for a resource that left the spec and is being
	// removed (a group's machines); it disappears once that is done.
	Retired bool `json:"retired,omitempty"`
	// Desired is how many the resource wants: machines or task replicas.
	Desired  int    `json:"desired"`
	Observed Counts `json:"observed"`
	// Converged is true when the last pass found nothing to do.
	Converged bool `json:"converged"`
	// Reason says in a line why it has not converged.
	Reason     string      `json:"reason,omitempty"`
	LastError  string      `json:"last_error,omitempty"`
	Conditions []Condition `json:"conditions"`
	// Autoscale is what the resource's autoscaler last decided; nil for a
	// resource without an autoscale block or before its first evaluation.
	Autoscale *Autoscaling `json:"autoscale,omitempty"`
	Passes    int          `json:"passes"`
	LastPass  time.Time    `json:"last_pass,omitzero"`
}

// NewStatus is an empty status of key.
func NewStatus(key Key) Status {
	return Status{Resource: key, Kind: key.Kind, Name: key.Name, Conditions: []Condition{}}
}

// Unobserved is the status of a resource that has had no pass on the
// current desired state yet.
func Unobserved(key Key) Status {
	st := NewStatus(key)
	st.Reason = "waiting for a pass on the current revision"
	st.Conditions = []Condition{{Type: "Observed", Status: "Unknown", Reason: "NotYetObserved"}}
	return st
}

// Counts are what a resource has, by state: machines for a group, tasks
// for a service.
type Counts struct {
	Desired   int `json:"desired"`
	Total     int `json:"total"` // live instances and creates in flight
	Ready     int `json:"ready"`
	Starting  int `json:"starting"`
	Unhealthy int `json:"unhealthy"`
	Dead      int `json:"dead"`
	Outdated  int `json:"outdated"`
	Creating  int `json:"creating"` // creates in flight not seen yet
}

// Condition is one aspect of a resource's state, Kubernetes style:
// Ready, Progressing, Degraded or Observed, each True, False or Unknown.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}
