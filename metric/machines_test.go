package metric_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/metric"
)

// machines are a group's machines: m1 and m2 running, m3 pending.
func machines(provider instance.Plugin, typ string) scope {
	return scope{key: group, machines: metric.Machines{
		Group: "workers", Provider: provider, ProviderType: typ, Size: 3,
		Instances: []instance.Description{
			{ID: "m1", State: instance.StateRunning},
			{ID: "m2", State: instance.StateRunning},
			{ID: "m3", State: instance.StatePending},
		},
	}}
}

// TestGroupCPU: a group's cpu and digitalocean_cpu are the mean of what
// its provider reports for its running machines, each a fraction of all
// its cores; machines it has no data for are left out.
func TestGroupCPU(t *testing.T) {
	for _, tt := range []struct{ metric, provider string }{{"cpu", "docker"}, {"cpu", "digitalocean"}, {"digitalocean_cpu", "digitalocean"}} {
		t.Run(tt.metric+" of "+tt.provider, func(t *testing.T) {
			p := &fakeProvider{cpu: map[instance.ID]float64{"m1": 0.2, "m2": 0.6, "m3": 1, "other": 1}}
			got, err := read(t, newSource(t, tt.metric, `{"target":0.6}`, metric.Options{}), machines(p, tt.provider))
			if err != nil || got.Metric != tt.metric || got.Target != 0.6 || !near(got.Value, 0.4) {
				t.Fatalf("Read = %+v, %v; want %s 0.4 against 0.6", got, err, tt.metric)
			}
			if !slices.Equal(p.asked, []instance.ID{"m1", "m2"}) {
				t.Errorf("asked the provider about %v, want the running machines m1, m2", p.asked)
			}
			p.cpu = map[instance.ID]float64{"m2": 0.5}
			if got, err = read(t, newSource(t, tt.metric, `{"target":0.6}`, metric.Options{}), machines(p, tt.provider)); err != nil || !near(got.Value, 0.5) {
				t.Errorf("Read with data for m2 only = %+v, %v; want 0.5", got, err)
			}
		})
	}
}

// TestGroupCPUErrors: a group whose CPU cannot be read is an error saying
// why.
func TestGroupCPUErrors(t *testing.T) {
	down := errors.New("monitoring API is down")
	none := machines(&fakeProvider{}, "docker")
	none.machines.Instances = none.machines.Instances[2:]
	tests := []struct {
		name, metric string
		scope        scope
		want         string
	}{
		{"no MetricsSource", "cpu", machines(noMetrics{}, "hetzner"), `provider "hetzner" cannot measure CPU`},
		{"no provider", "cpu", machines(nil, ""), "cannot measure CPU"},
		{"the provider fails", "cpu", machines(&fakeProvider{err: down}, "docker"), down.Error()},
		{"no data", "cpu", machines(&fakeProvider{cpu: map[instance.ID]float64{}}, "docker"), "no CPU data for any of the group's 2 running machines"},
		{"no running machine", "cpu", none, "no running machines"},
		{"the machines cannot be listed", "cpu", scope{key: group, err: down}, "list the group's machines"},
		{"not a group or service", "cpu", scope{key: swarmKey}, "neither"},
		{"digitalocean_cpu of another provider", "digitalocean_cpu", machines(&fakeProvider{cpu: map[instance.ID]float64{"m1": 1}}, "docker"),
			"reads the DigitalOcean monitoring API, and this group's provider is not digitalocean"},
		{"digitalocean_cpu of a service", "digitalocean_cpu", scope{key: service}, "not a group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := read(t, newSource(t, tt.metric, `{"target":0.6}`, metric.Options{}), tt.scope)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read = %+v, %v; want an error saying %q", got, err, tt.want)
			}
		})
	}
}
