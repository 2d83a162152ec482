package instancetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/instancetest"
	"github.com/drover/drover/spierr"
)

// memory is a minimal correct instance plugin, to check the suite itself
// without a backend.
type memory struct {
	mu     sync.Mutex
	next   int
	byID   map[instance.ID]instance.Description
	byName map[string]instance.ID
}

func newMemory() *memory {
	return &memory{byID: map[instance.ID]instance.Description{}, byName: map[string]instance.ID{}}
}

func (m *memory) Validate(ctx context.Context, props json.RawMessage) error {
	var p struct {
		Size string `json:"size"`
	}
	if err := json.Unmarshal(props, &p); err != nil || p.Size == "" {
		return spierr.Invalid("memory.Validate", "want {\"size\": ...}")
	}
	return nil
}

func (m *memory) Provision(ctx context.Context, spec instance.Spec) (instance.ID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, taken := m.byName[spec.Name]; taken {
		return "", spierr.Conflict("memory.Provision", "name %q in use", spec.Name)
	}
	m.next++
	id := instance.ID(fmt.Sprint(m.next))
	m.byName[spec.Name] = id
	m.byID[id] = instance.Description{
		ID: id, LogicalID: spec.LogicalID, Tags: maps.Clone(spec.Tags),
		State: instance.StateRunning, CreatedAt: time.Now(),
	}
	return id, nil
}

func (m *memory) Destroy(ctx context.Context, id instance.ID, reason instance.DestroyReason) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[id]; !ok {
		return spierr.NotFound("memory.Destroy", "no instance %s", id)
	}
	delete(m.byID, id)
	for name, nid := range m.byName {
		if nid == id {
			delete(m.byName, name)
		}
	}
	return nil
}

func (m *memory) Describe(ctx context.Context, selector map[string]string) ([]instance.Description, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []instance.Description{}
	for _, d := range m.byID {
		if instance.Matches(d.Tags, selector) {
			out = append(out, d)
		}
	}
	return out, nil
}

// TestRunMemory: a correct plugin passes the suite.
func TestRunMemory(t *testing.T) {
	m := newMemory()
	instancetest.Run(t, instancetest.Harness{
		New:           func(t *testing.T) instance.Plugin { return m },
		Properties:    json.RawMessage(`{"size": "small"}`),
		BadProperties: []json.RawMessage{json.RawMessage(`{}`), json.RawMessage(`[]`)},
		Tags:          map[string]string{"test.run": "memory"},
	})
	if len(m.byID) != 0 { // the subtests, and their cleanups, are done
		t.Errorf("the suite left %d instances", len(m.byID))
	}
}
