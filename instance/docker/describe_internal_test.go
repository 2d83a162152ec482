package docker

import (
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/drover/drover/instance"
)

// TestStateOf maps every engine state.
func TestStateOf(t *testing.T) {
	tests := []struct {
		state, status string
		want          instance.State
		detail        string
	}{
		{"running", "Up 3 seconds (healthy)", instance.StateRunning, "Up 3 seconds (healthy)"},
		{"restarting", "Restarting (3) 1 second ago", instance.StatePending, "Restarting (3) 1 second ago"},
		{"created", "Created", instance.StateStopped, DetailCreated},
		{"exited", "Exited (137) 3 seconds ago", instance.StateStopped, "Exited (137) 3 seconds ago"},
		{"dead", "Dead", instance.StateStopped, "Dead"},
		{"removing", "Removal In Progress", instance.StateTerminated, "Removal In Progress"},
		{"paused", "Up 1 minute (Paused)", instance.StateUnknown, "paused: Up 1 minute (Paused)"},
		{"", "", instance.StateUnknown, ":"},
	}
	for _, tt := range tests {
		got, detail := stateOf(tt.state, tt.status)
		if got != tt.want || detail != tt.detail {
			t.Errorf("stateOf(%q, %q) = %q, %q; want %q, %q", tt.state, tt.status, got, detail, tt.want, tt.detail)
		}
	}
}

// TestHealthOf reads the healthcheck from the status text.
func TestHealthOf(t *testing.T) {
	tests := map[string]string{
		"Up 3 seconds (healthy)":          instance.HealthHealthy,
		"Up 3 seconds (unhealthy)":        instance.HealthUnhealthy,
		"Up 1 second (health: starting)":  instance.HealthStarting,
		"Up 3 seconds":                    "",
		"Exited (0) 2 minutes ago":        "",
		"Up 2 minutes (Paused)":           "",
		"Up 3 seconds (healthy) (Paused)": "",
	}
	for status, want := range tests {
		if got := healthOf(status); got != want {
			t.Errorf("healthOf(%q) = %q, want %q", status, got, want)
		}
	}
}

// TestDescribeSummary maps a listed container.
func TestDescribeSummary(t *testing.T) {
	c := container.Summary{
		ID:      "abc",
		Labels:  map[string]string{instance.TagLogicalID: "m1", "x": "y"},
		State:   "running",
		Status:  "Up 5 seconds (health: starting)",
		Created: 1700000000,
		NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{
			"zeta": {IPAddress: "10.0.0.2"}, "alpha": {IPAddress: "172.17.0.3"}, "none": {},
		}},
	}
	d := describe(c)
	if d.ID != "abc" || d.LogicalID != "m1" || d.Tags["x"] != "y" || d.State != instance.StateRunning ||
		d.Health != instance.HealthStarting || !d.CreatedAt.Equal(time.Unix(1700000000, 0)) || d.Detail != c.Status {
		t.Errorf("describe = %+v", d)
	}
	want := []instance.Address{{Kind: instance.AddressPrivate, IP: "172.17.0.3"}, {Kind: instance.AddressPrivate, IP: "10.0.0.2"}}
	if len(d.Addresses) != 2 || d.Addresses[0] != want[0] || d.Addresses[1] != want[1] {
		t.Errorf("Addresses = %v, want %v (by network name)", d.Addresses, want)
	}
}
