package vanilla_test

import (
	"encoding/json"
	"errors"
	"maps"
	"testing"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/spierr"
)

func TestValidate(t *testing.T) {
	p := vanilla.New()
	tests := []struct {
		props string
		ok    bool
	}{
		{``, true},
		{`null`, true},
		{`{}`, true},
		{`{"init": "echo hi", "labels": {"zone": "a", "com.example.tier": "web"}}`, true},
		{`{"init": 3}`, false},
		{`{"labels": {"drover.group": "x"}}`, false},
		{`{"labels": {"": "x"}}`, false},
		{`{"inti": "typo"}`, false},
		{`{} {}`, false},
		{`[]`, false},
	}
	for _, tt := range tests {
		err := p.Validate(t.Context(), json.RawMessage(tt.props), flavor.Allocation{Group: "g", Size: 1})
		switch {
		case tt.ok && err != nil:
			t.Errorf("Validate(%s) = %v, want nil", tt.props, err)
		case !tt.ok && !errors.Is(err, spierr.ErrInvalid):
			t.Errorf("Validate(%s) = %v, want a spierr.ErrInvalid error", tt.props, err)
		}
	}
}

func TestPrepare(t *testing.T) {
	p := vanilla.New()
	drover := map[string]string{instance.TagOwner: "me", instance.TagGroup: "web", instance.TagConfig: "h1"}
	tests := []struct {
		name      string
		props     string
		init      string
		wantInit  string
		wantExtra map[string]string
	}{
		{"nothing", `{}`, "", "", nil},
		{"init only", `{"init": "echo hi"}`, "", "echo hi", nil},
		{"init appended", `{"init": "echo two"}`, "echo one\n", "echo one\necho two", nil},
		{"existing init kept", `{}`, "echo one", "echo one", nil},
		{"labels", `{"labels": {"zone": "a", "tier": "web"}}`, "", "", map[string]string{"zone": "a", "tier": "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instance.Spec{Name: "web-1", Tags: maps.Clone(drover), Init: tt.init, Properties: json.RawMessage(`{"image":"x"}`), LogicalID: "l"}
			before := maps.Clone(in.Tags)
			out, err := p.Prepare(t.Context(), json.RawMessage(tt.props), in, flavor.Allocation{Group: "web", Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			if out.Init != tt.wantInit {
				t.Errorf("Init = %q, want %q", out.Init, tt.wantInit)
			}
			want := maps.Clone(drover)
			maps.Copy(want, tt.wantExtra)
			if !maps.Equal(out.Tags, want) {
				t.Errorf("Tags = %v, want %v", out.Tags, want)
			}
			if out.Name != in.Name || out.LogicalID != in.LogicalID || string(out.Properties) != string(in.Properties) {
				t.Errorf("Prepare changed other fields: %+v", out)
			}
			out.Tags["new"] = "x"
			out.Properties[0] = '['
			if !maps.Equal(in.Tags, before) || in.Properties[0] != '{' {
				t.Errorf("Prepare shares the input's maps or slices: %v %s", in.Tags, in.Properties)
			}
		})
	}
	if _, err := p.Prepare(t.Context(), json.RawMessage(`{"labels": {"drover.owner": "x"}}`), instance.Spec{}, flavor.Allocation{}); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("Prepare with a reserved label = %v, want spierr.ErrInvalid", err)
	}
}

func TestPrepareNilTags(t *testing.T) {
	out, err := vanilla.New().Prepare(t.Context(), json.RawMessage(`{"labels": {"a": "1"}}`), instance.Spec{Name: "x"}, flavor.Allocation{})
	if err != nil || out.Tags["a"] != "1" {
		t.Errorf("Prepare of a spec without tags = %+v, %v", out, err)
	}
}

func TestHealth(t *testing.T) {
	p := vanilla.New()
	tests := []struct {
		name   string
		inst   instance.Description
		status flavor.Status
		reason string
	}{
		{"running", instance.Description{State: instance.StateRunning}, flavor.Healthy, ""},
		{"running healthy", instance.Description{State: instance.StateRunning, Health: instance.HealthHealthy}, flavor.Healthy, ""},
		{"running unhealthy", instance.Description{State: instance.StateRunning, Health: instance.HealthUnhealthy}, flavor.Unhealthy, "healthcheck failing"},
		{"running starting", instance.Description{State: instance.StateRunning, Health: instance.HealthStarting}, flavor.Unknown, "healthcheck starting"},
		{"pending", instance.Description{State: instance.StatePending}, flavor.Unknown, "starting"},
		{"stopped", instance.Description{State: instance.StateStopped, Detail: "Exited (137) 3 seconds ago"}, flavor.Unhealthy, "Exited (137) 3 seconds ago"},
		{"stopped no detail", instance.Description{State: instance.StateStopped}, flavor.Unhealthy, "stopped"},
		{"never started", instance.Description{State: instance.StateStopped, Detail: "created, never started"}, flavor.Unhealthy, "created, never started"},
		{"terminated", instance.Description{State: instance.StateTerminated, Detail: "Removal In Progress"}, flavor.Unhealthy, "Removal In Progress"},
		{"unknown", instance.Description{State: instance.StateUnknown, Detail: "paused"}, flavor.Unknown, "paused"},
		{"unknown no detail", instance.Description{State: instance.StateUnknown}, flavor.Unknown, "state unknown"},
		{"future state", instance.Description{State: "hibernating"}, flavor.Unknown, `unexpected state "hibernating"`},
		{"empty", instance.Description{}, flavor.Unknown, "state unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := p.Health(t.Context(), nil, tt.inst)
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != tt.status || h.Reason != tt.reason {
				t.Errorf("Health = %+v, want %s %q", h, tt.status, tt.reason)
			}
			if h.Status != flavor.Healthy && h.Reason == "" {
				t.Error("a status other than healthy has no reason")
			}
		})
	}
	if _, err := p.Health(t.Context(), json.RawMessage(`{"bad": 1}`), instance.Description{}); !errors.Is(err, spierr.ErrInvalid) {
		t.Errorf("Health with bad props = %v, want spierr.ErrInvalid", err)
	}
}

func TestDrain(t *testing.T) {
	if err := vanilla.New().Drain(t.Context(), nil, instance.Description{ID: "x"}); err != nil {
		t.Errorf("Drain = %v, want nil", err)
	}
}
