// Package fake is an in-memory instance plugin for tests and benchmarks,
// with faults that can be injected: failing or empty listings, failing
// creates, lost replies.
package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

// Plugin is an in-memory instance.Plugin. Instance names are unique, as on
// Docker. Safe for concurrent use.
type Plugin struct {
	now func() time.Time

	mu        sync.Mutex
	instances map[instance.ID]*instance.Description
	names     map[string]instance.ID
	seq       int
	faults    Faults
	calls     Calls
	cpu       *float64 // SetCPU
}

// Faults are injected failures; each counter is used up one call at a time.
type Faults struct {
	DescribeErrors int   // the next N Describe calls fail
	DescribeEmpty  int   // the next N Describe calls return nothing
	ProvisionErr   error // every Provision fails with it while set
	// LostReplies makes the next N Provision calls create the instance
	// but report failure, as when a reply is lost.
	LostReplies int
	// CPUErr makes every CPU call fail with it while set.
	CPUErr error
}

// Calls count the calls made, for assertions.
type Calls struct{ Provision, Destroy, Describe int }

// New returns an empty plugin whose clock is now.
func New(now func() time.Time) *Plugin {
	if now == nil {
		now = time.Now
	}
	return &Plugin{now: now, instances: map[instance.ID]*instance.Description{}, names: map[string]instance.ID{}}
}

// Inject sets the faults.
func (p *Plugin) Inject(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
}

// Calls returns the calls made so far.
func (p *Plugin) Calls() Calls {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

var _ instance.Plugin = (*Plugin)(nil)

// Validate accepts any properties.
func (p *Plugin) Validate(context.Context, json.RawMessage) error { return nil }

// Provision implements instance.Plugin.
func (p *Plugin) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls.Provision++
	if err := ctx.Err(); err != nil {
		return "", spierr.Wrap(spierr.CodeUnavailable, "provision", err)
	}
	if p.faults.ProvisionErr != nil {
		return "", p.faults.ProvisionErr
	}
	if _, taken := p.names[spec.Name]; taken {
		return "", spierr.Conflict("provision", "name %q is in use", spec.Name)
	}
	p.seq++
	id := instance.ID(fmt.Sprintf("fake-%d", p.seq))
	p.instances[id] = &instance.Description{
		ID: id, LogicalID: spec.LogicalID, Tags: maps.Clone(spec.Tags), State: instance.StateRunning, CreatedAt: p.now(),
	}
	p.names[spec.Name] = id
	if p.faults.LostReplies > 0 {
		p.faults.LostReplies--
		return "", spierr.Unavailable("provision", "the reply was lost")
	}
	return id, nil
}

// Destroy implements instance.Plugin.
func (p *Plugin) Destroy(_ context.Context, id instance.ID, _ instance.DestroyReason) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls.Destroy++
	d, ok := p.instances[id]
	if !ok {
		return spierr.NotFound("destroy", "no instance %s", id)
	}
	p.removeLocked(d)
	return nil
}

// Describe implements instance.Plugin.
func (p *Plugin) Describe(_ context.Context, selector map[string]string) ([]instance.Description, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls.Describe++
	switch {
	case p.faults.DescribeErrors > 0:
		p.faults.DescribeErrors--
		return nil, spierr.Unavailable("describe", "injected failure")
	case p.faults.DescribeEmpty > 0:
		p.faults.DescribeEmpty--
		return nil, nil
	}
	var out []instance.Description
	for _, d := range p.instances {
		if instance.Matches(d.Tags, selector) {
			c := *d
			c.Tags = maps.Clone(d.Tags)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Set changes an instance's state and health, by name, as a failure
// outside drover would.
func (p *Plugin) Set(name string, state instance.State, health string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.instances[p.names[name]]; ok {
		d.State, d.Health = state, health
	}
}

// Remove deletes an instance behind drover's back.
func (p *Plugin) Remove(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d, ok := p.instances[p.names[name]]; ok {
		p.removeLocked(d)
	}
}

// Names lists the instances' names, sorted.
func (p *Plugin) Names() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.names))
	for n := range p.names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (p *Plugin) removeLocked(d *instance.Description) {
	for n, id := range p.names {
		if id == d.ID {
			delete(p.names, n)
		}
	}
	delete(p.instances, d.ID)
}
