package swarm_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/drover/drover/flavor"
	swarmflavor "github.com/drover/drover/flavor/swarm"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

func TestValidate(t *testing.T) {
	p := swarmflavor.New(swarmflavor.NewClusters(""), swarmflavor.Options{})
	tests := []struct {
		props   string
		wantErr string // "" for valid
	}{
		{`{"swarm":"demo","role":"manager"}`, ""},
		{`{"swarm":"demo","role":"worker","labels":{"zone":"a"},"drain_timeout":120000000000}`, ""},
		{`{"swarm":"demo","role":"worker","drain_timeout":0}`, ""},
		{`{"swarm":"demo","role":"boss"}`, "role"},
		{`{"swarm":"demo"}`, "role: required"},
		{`{"role":"worker"}`, "swarm: required"},
		{`{"swarm":"demo","role":"worker","extra":1}`, "unknown field"},
		{`{"swarm":"demo","role":"worker","labels":{"drover.instance":"x"}}`, "drover's own"},
		{`{"swarm":"demo","role":"worker","drain_timeout":-1}`, "drain_timeout"},
		{`{"swarm":"demo","role":"worker","drain_timeout":"2m"}`, "drain_timeout"},
		{``, "swarm: required"},
	}
	for _, tt := range tests {
		err := p.Validate(context.Background(), json.RawMessage(tt.props), flavor.Allocation{Group: "g", Size: 3})
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Validate(%s) = %v", tt.props, err)
		case tt.wantErr != "" && (!errors.Is(err, spierr.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Validate(%s) = %v, want an invalid error about %q", tt.props, err, tt.wantErr)
		}
	}
}

func TestPrepare(t *testing.T) {
	p := swarmflavor.New(swarmflavor.NewClusters(""), swarmflavor.Options{})
	spec := instance.Spec{
		Name:       "o-web-1",
		Properties: json.RawMessage(`{"image":"x"}`),
		Tags:       map[string]string{instance.TagOwner: "o", instance.TagGroup: "web", swarmflavor.TagRole: "kept"},
	}
	before := maps.Clone(spec.Tags)
	got, err := p.Prepare(context.Background(), json.RawMessage(`{"swarm":"demo","role":"worker"}`), spec, flavor.Allocation{Group: "web"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{instance.TagOwner: "o", instance.TagGroup: "web", swarmflavor.TagRole: "kept", swarmflavor.TagSwarm: "demo"}
	if !maps.Equal(got.Tags, want) {
		t.Errorf("tags = %v, want %v", got.Tags, want)
	}
	if !maps.Equal(spec.Tags, before) {
		t.Errorf("Prepare changed the input's tags: %v", spec.Tags)
	}
	got.Properties[0] = '['
	if string(spec.Properties) != `{"image":"x"}` {
		t.Error("Prepare shares the properties' bytes")
	}
	if got.Init != "" || got.Name != spec.Name {
		t.Errorf("Prepare changed the init or name: %+v", got)
	}
	if _, err := p.Prepare(context.Background(), json.RawMessage(`{"swarm":"demo"}`), spec, flavor.Allocation{}); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("Prepare with bad props = %v", err)
	}
	fresh, err := p.Prepare(context.Background(), json.RawMessage(`{"swarm":"demo","role":"manager"}`), instance.Spec{Name: "x"}, flavor.Allocation{})
	if err != nil || fresh.Tags[swarmflavor.TagRole] != "manager" || fresh.Tags[swarmflavor.TagSwarm] != "demo" {
		t.Errorf("Prepare without tags = %+v, %v", fresh.Tags, err)
	}
}

// TestWithoutEngines: what the flavor says and does when no engine can be
// reached, with no engine needed.
func TestWithoutEngines(t *testing.T) {
	clusters := swarmflavor.NewClusters("")
	defer clusters.Close()
	p := swarmflavor.New(clusters, swarmflavor.Options{})
	ctx := context.Background()
	props := json.RawMessage(`{"swarm":"demo","role":"worker"}`)
	nowhere := "unix://" + t.TempDir() + "/docker.sock"
	tags := map[string]string{instance.TagOwner: "o", instance.TagGroup: "g", instance.TagEngine: nowhere, swarmflavor.TagSwarm: "demo"}
	tests := []struct {
		inst instance.Description
		want flavor.Health
	}{
		{instance.Description{ID: "a", State: instance.StateStopped, Tags: tags}, flavor.Health{Status: flavor.Unknown, Reason: "not running"}},
		{instance.Description{ID: "b", State: instance.StateRunning, Tags: tags}, flavor.Health{Status: flavor.Unknown, Reason: "engine not answering"}},
		{instance.Description{ID: "c", State: instance.StateRunning, Tags: map[string]string{instance.TagOwner: "o"}}, flavor.Health{Status: flavor.Unknown, Reason: "no engine address (tag drover.engine)"}},
	}
	for _, tt := range tests {
		got, err := p.Health(ctx, props, tt.inst)
		if err != nil || got != tt.want {
			t.Errorf("Health(%s) = %+v, %v; want %+v", tt.inst.ID, got, err, tt.want)
		}
	}
	if _, err := p.Health(ctx, json.RawMessage(`{"role":"worker"}`), tests[0].inst); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("Health with bad props = %v", err)
	}

	_, err := clusters.Manager(ctx, "o", "demo")
	if !errors.Is(err, spierr.ErrUnavailable) || !strings.Contains(err.Error(), "no manager of swarm demo is known yet") {
		t.Errorf("Manager of an unknown swarm = %v", err)
	}
	insts := []instance.Description{tests[0].inst, tests[1].inst}
	if err := p.Observe(ctx, props, flavor.Allocation{Group: "g"}, insts); err != nil {
		t.Errorf("Observe with nothing answering = %v", err)
	}
	if err := p.Observe(ctx, json.RawMessage(`{}`), flavor.Allocation{Group: "g"}, insts); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("Observe with bad props = %v", err)
	}
	// Nothing answers, nothing is known: a machine that is not in a swarm
	// as far as anyone can tell needs no draining.
	for _, in := range []instance.Description{tests[0].inst, tests[1].inst, tests[2].inst} {
		if err := p.Drain(ctx, props, in); err != nil {
			t.Errorf("Drain(%s) = %v", in.ID, err)
		}
	}
	if err := clusters.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := clusters.Manager(ctx, "o", "demo"); !errors.Is(err, spierr.ErrUnavailable) {
		t.Errorf("Manager after Close = %v", err)
	}
}
