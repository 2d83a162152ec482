package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/drover/drover/group"
	"github.com/drover/drover/resource"
	"github.com/drover/drover/service"
	"github.com/drover/drover/specs"
)

// ApplyRequest records a spec as the next revision.
type ApplyRequest struct {
	Bundle specs.Bundle `json:"bundle"`
	// Author says who applied it (user@host). Default: the peer, if known.
	Author string `json:"author,omitempty"`
	// Message says why, like a commit message. Optional.
	Message string `json:"message,omitempty"`
	// Stack is the stack the spec replaces; the desired state is the
	// union of the stacks. Default DefaultStack. A git source's stack
	// (its name) is the source's: an apply to it is refused.
	Stack string `json:"stack,omitempty"`
}

// ApplyResponse is the revision an apply, rollback or destroy recorded.
type ApplyResponse struct {
	Revision RevisionInfo `json:"revision"`
	// Unchanged is true when the spec equals the current revision's: no
	// new revision was recorded and Revision is the current one.
	Unchanged bool `json:"unchanged"`
}

// RollbackRequest makes revision N's spec current again, as a new revision.
type RollbackRequest struct {
	Revision int64  `json:"revision"`
	Author   string `json:"author,omitempty"`
	Message  string `json:"message,omitempty"`
}

// DestroyRequest records a revision without the resources it names, or,
// when it names none, an empty desired state: the groups that leave are
// retired and their machines removed, the services and networks that leave
// are removed from their swarm.
type DestroyRequest struct {
	Author  string `json:"author,omitempty"`
	Message string `json:"message,omitempty"`
	// Resources names what to remove, as kind.name: group.web,
	// service.api, network.front. Those the current revision does not
	// declare are ignored; naming none that it declares is refused. Empty
	// (the default) removes everything.
	Resources []string `json:"resources,omitempty"`
	// Stack is the stack destroyed, or whose resources are named.
	// Default DefaultStack.
	Stack string `json:"stack,omitempty"`
}

// destroyable are the kinds of resource a DestroyRequest names.
var destroyable = []resource.Kind{resource.Group, resource.Service, resource.Network}

// check refuses a resource that is not kind.name with a kind a destroy
// removes.
func (r DestroyRequest) check() error {
	for i, s := range r.Resources {
		key, err := resource.ParseKey(s)
		if err != nil || !slices.Contains(destroyable, key.Kind) {
			return fmt.Errorf("resources[%d]: want %s", i, destroyableForms())
		}
	}
	return nil
}

// destroyableForms says what a DestroyRequest's resources look like:
// "group.NAME, service.NAME or network.NAME".
func destroyableForms() string {
	forms := make([]string, len(destroyable))
	for i, k := range destroyable {
		forms[i] = k.KeyOf("NAME").String()
	}
	last := len(forms) - 1
	return strings.Join(forms[:last], ", ") + " or " + forms[last]
}

// Revision kinds.
const (
	KindApply    = "apply"
	KindRollback = "rollback"
	KindDestroy  = "destroy"
)

// RevisionInfo describes a revision without its sources.
type RevisionInfo struct {
	Number int64     `json:"number"`
	Kind   string    `json:"kind"` // apply, rollback or destroy
	Hash   string    `json:"hash"` // of the spec's resources: equal specs, equal hashes
	Author string    `json:"author,omitempty"`
	Time   time.Time `json:"time"`
	// Message says why, as given at apply.
	Message string `json:"message,omitempty"`
	// RollbackOf is the revision a rollback restored.
	RollbackOf int64 `json:"rollback_of,omitempty"`
	// Resources names the spec's resources: group.web, ...
	Resources []string `json:"resources"`
	Current   bool     `json:"current"`
	// Stack is the stack the revision changed.
	Stack string `json:"stack"`
	// Commit is the git commit it applied, for a source's revision.
	Commit *CommitInfo `json:"commit,omitempty"`
}

// RevisionDetail is a revision with its sources. Environment values are
// never returned, only their names.
type RevisionDetail struct {
	RevisionInfo
	Specs    []string          `json:"specs"`
	Files    map[string]string `json:"files"`
	Vars     []string          `json:"vars,omitempty"`
	VarFiles []string          `json:"var_files,omitempty"`
	EnvNames []string          `json:"env_names,omitempty"`
	// Withheld names the variables and files that held secrets and so
	// were not stored ("env DIGITALOCEAN_TOKEN"): the daemon's host
	// provides them when the revision is loaded again.
	Withheld []string `json:"withheld,omitempty"`
}

// PlanRequest asks what applying a bundle would change now; without a
// bundle, what the current revision still has to do.
type PlanRequest struct {
	Bundle *specs.Bundle `json:"bundle,omitempty"`
	// Stack is the stack Bundle would replace. Default DefaultStack.
	Stack string `json:"stack,omitempty"`
}

// PlanResponse holds one plan per group, in spec order, retired groups
// last, and one per service.
type PlanResponse struct {
	Revision int64          `json:"revision"`
	Groups   []group.Plan   `json:"groups"`
	Services []service.Plan `json:"services"`
}

// Status is the state of every resource of the current revision.
type Status struct {
	Revision  int64  `json:"revision"`
	Hash      string `json:"hash,omitempty"`
	Converged bool   `json:"converged"`
	// Error says why the daemon cannot serve the current revision (it no
	// longer loads, or its plugins cannot be built); apply a fix or roll back.
	Error     string            `json:"error,omitempty"`
	Resources []resource.Status `json:"resources"`
	// Stacks say which stack declares which resource.
	Stacks []StackInfo `json:"stacks"`
	// Sources are the git sources and their state.
	Sources []SourceInfo `json:"sources"`
}

// Error is the body of every failed request.
type Error struct {
	Error string `json:"error"`
	// Diagnostics hold a spec's errors, as drover validate --json writes them.
	Diagnostics json.RawMessage `json:"diagnostics,omitempty"`
}
