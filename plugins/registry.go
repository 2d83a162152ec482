package plugins

import (
	"fmt"
	"sort"
	"sync"

	"github.com/drover/drover/schema"
)

// Registry is a catalogue: the schemas plugins declare, by kind and name,
// and the factories of the plugins that have them. What the factories
// need of the runtime (a data directory, the swarms' managers) is given to
// them when they are registered (see Builtins), never kept here. It is
// safe for concurrent use: external plugins register as they are
// discovered.
type Registry struct {
	mu        sync.RWMutex
	schemas   map[string]map[string]*schema.Block
	instances map[string]InstancePlugin
	flavors   map[string]FlavorPlugin
	resolver  Resolver
	failed    map[string]error // kind/name -> why the resolver could not provide it
}

// Resolver is consulted when a plugin is looked up but not registered: it
// may register it (an external plugin started on first use) and says
// whether it did, or why a plugin it has could not be provided (a binary
// that does not start). It is called without the registry's lock held.
type Resolver func(kind, name string) (bool, error)

// SetResolver sets the resolver of plugins the registry does not hold.
func (r *Registry) SetResolver(f Resolver) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resolver = f
}

// resolve looks up with get, and once more after asking the resolver if
// get finds nothing.
func resolve[T any](r *Registry, kind, name string, get func() (T, bool)) (T, bool) {
	if v, ok := get(); ok {
		return v, ok
	}
	r.mu.RLock()
	f := r.resolver
	r.mu.RUnlock()
	var ok bool
	var err error
	if f != nil {
		ok, err = f(kind, name)
	}
	r.mu.Lock()
	if err != nil {
		r.failed[kind+"/"+name] = err
	} else {
		delete(r.failed, kind+"/"+name)
	}
	r.mu.Unlock()
	if !ok {
		var zero T
		return zero, false
	}
	return get()
}

// Unavailable says why a plugin that is installed could not be provided
// the last time it was looked up (its binary did not start); nil if it
// could, or if there is no such plugin. specs uses it to say more than
// "unknown plugin".
func (r *Registry) Unavailable(kind, name string) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.failed[kind+"/"+name]
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		schemas:   map[string]map[string]*schema.Block{},
		instances: map[string]InstancePlugin{},
		flavors:   map[string]FlavorPlugin{},
		failed:    map[string]error{},
	}
}

// Register adds the schema of a plugin. The schema is validated first, so a
// broken declaration from an external plugin is refused here, not at use.
func (r *Registry) Register(kind, name string, s *schema.Block) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("register %s plugin %q: %w", kind, name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.schemas[kind][name]; dup {
		return fmt.Errorf("register %s plugin %q: already registered", kind, name)
	}
	if r.schemas[kind] == nil {
		r.schemas[kind] = map[string]*schema.Block{}
	}
	r.schemas[kind][name] = s
	return nil
}

// Schema returns the schema of a plugin, asking the resolver if it is not
// registered.
func (r *Registry) Schema(kind, name string) (*schema.Block, bool) {
	return resolve(r, kind, name, func() (*schema.Block, bool) {
		r.mu.RLock()
		defer r.mu.RUnlock()
		s, ok := r.schemas[kind][name]
		return s, ok
	})
}

// Names lists the plugins of a kind, sorted.
func (r *Registry) Names(kind string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.schemas[kind]))
	for n := range r.schemas[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
