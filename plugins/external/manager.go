package external

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/plugins"
	"github.com/drover/drover/specs"
)

// Manager supervises the plugin binaries found by Discover and resolves
// their names for a registry. Start it before use; Close it (or end
// Start's context) to kill every plugin process.
type Manager struct {
	opts    Options
	sups    map[string]*Supervisor
	starter *starter

	mu         sync.Mutex
	started    bool
	registered map[string]bool    // names registered, by Resolve
	cancel     context.CancelFunc // the supervisors'
	wg         sync.WaitGroup     // the supervisors
	stopStart  context.CancelFunc // the starter's
	swg        sync.WaitGroup     // the starter
}

// NewManager returns a manager of the binaries (name to path), with the
// defaults of Options applied to opts. Nothing runs until Start.
func NewManager(binaries map[string]string, opts Options) *Manager {
	opts = opts.withDefaults()
	m := &Manager{opts: opts, sups: map[string]*Supervisor{}, starter: newStarter(), registered: map[string]bool{}}
	for name, path := range binaries {
		m.sups[name] = newSupervisor(name, path, opts, m.starter)
	}
	return m
}

// Supervisor returns the supervisor of a plugin.
func (m *Manager) Supervisor(name string) (*Supervisor, bool) {
	s, ok := m.sups[name]
	return s, ok
}

// Start runs a supervisor per binary until ctx ends or Close, which kill
// the plugin processes, and the starter thread until Close. No plugin
// process starts before its first use.
func (m *Manager) Start(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started {
		return
	}
	m.started = true
	// The starter outlives the supervisors: its thread's end SIGKILLs
	// (Pdeathsig) every plugin before they could exit gracefully.
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stopStart = stop
	m.swg.Add(1)
	go func() { defer m.swg.Done(); m.starter.run(sctx) }()
	ctx, m.cancel = context.WithCancel(ctx)
	for _, s := range m.sups {
		m.wg.Add(1)
		go func() { defer m.wg.Done(); s.run(ctx) }()
	}
}

// Close kills every plugin process, gracefully if it can, waits for the
// supervisors to end, and ends the starter thread.
func (m *Manager) Close() {
	m.mu.Lock()
	cancel, stop := m.cancel, m.stopStart
	m.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	m.wg.Wait()
	stop()
	m.swg.Wait()
}

// Resolve implements plugins.Resolver for reg: a plugin name the registry
// does not know, of a binary the manager supervises, starts the binary,
// and the instance and flavor plugins it serves are registered under its
// name. It says whether the registry may know the name now. Errors (a
// plugin that does not start) are logged, tagged with the plugin, and the
// name stays unknown, so specs using it do not validate.
func (m *Manager) Resolve(ctx context.Context, reg *plugins.Registry, kind, name string) (bool, error) {
	s, ok := m.sups[name]
	if !ok {
		return false, nil
	}
	switch kind {
	case specs.PluginProvider, specs.PluginInstance, specs.PluginFlavor:
	default:
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, m.opts.StartTimeout+m.opts.CallTimeout)
	defer cancel()
	ii, fi, err := s.Info(ctx)
	if err != nil {
		return false, err
	}
	m.mu.Lock() // one registration per name, without asking reg (it would resolve again)
	defer m.mu.Unlock()
	if m.registered[name] {
		return true, nil
	}
	m.registered[name] = true
	var errs []error // a schema the registry refuses
	if ii != nil {
		err := reg.RegisterInstance(name, plugins.InstancePlugin{
			ProviderSchema: ii.ProviderSchema,
			InstanceSchema: ii.InstanceSchema,
			New: func(ctx context.Context, config json.RawMessage) (instance.Plugin, error) {
				return newInstance(ctx, s, config)
			},
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if fi != nil {
		info := *fi
		err := reg.RegisterFlavor(name, plugins.FlavorPlugin{
			Schema: info.Schema,
			New:    func(context.Context) (flavor.Plugin, error) { return newFlavor(s, info), nil },
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return len(errs) < btoi(ii != nil)+btoi(fi != nil), fmt.Errorf("plugin %s: %w", name, err)
	}
	return true, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
