package metric_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean"
	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/metric"
)

// TestDigitalOceanCPU: digitalocean_cpu of a group of droplets on the fake
// API is the mean of the droplets' CPU as the monitoring API serves it,
// read through the digitalocean provider; a droplet without the metrics
// agent has no data and is left out.
func TestDigitalOceanCPU(t *testing.T) {
	// The droplets were made ten minutes ago, as the fake's clock says,
	// so that the monitoring API has samples for the provider's window.
	fake := dofake.New(dofake.Options{Token: "dop_v1_test", Now: func() time.Time { return time.Now().Add(-10 * time.Minute) }})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg, err := json.Marshal(digitalocean.Config{Token: "dop_v1_test", Region: "fra1", APIURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := digitalocean.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cpu := []float64{0.2, 0.6, 0}
	for i, util := range cpu {
		props := fmt.Sprintf(`{"size":"s-2vcpu-2gb","image":"docker-20-04","ssh_keys":["drover"],"monitoring":%t}`, util > 0)
		id, err := provider.Provision(t.Context(), instance.Spec{
			Name:       fmt.Sprintf("workers-%d", i),
			Properties: json.RawMessage(props),
			Tags:       map[string]string{instance.TagOwner: "o", instance.TagGroup: "workers", instance.TagRequest: strconv.Itoa(i)},
		})
		if err != nil {
			t.Fatalf("Provision: %v", err)
		}
		n, err := strconv.Atoi(string(id))
		if err != nil {
			t.Fatalf("droplet id %q: %v", id, err)
		}
		fake.SetCPU(n, util)
	}
	descs, err := provider.Describe(t.Context(), map[string]string{instance.TagGroup: "workers"})
	if err != nil || len(descs) != len(cpu) {
		t.Fatalf("Describe = %v, %v; want %d droplets", descs, err, len(cpu))
	}
	for _, d := range descs {
		if d.State != instance.StateRunning {
			t.Fatalf("droplet %s is %s, want running", d.ID, d.State)
		}
	}
	s := scope{key: group, machines: metric.Machines{Group: "workers", Provider: provider, ProviderType: "digitalocean", Instances: descs, Size: len(descs)}}
	got, err := read(t, newSource(t, "digitalocean_cpu", `{"target":0.5}`, metric.Options{Timeout: time.Minute}), s)
	if err != nil || got.Metric != "digitalocean_cpu" || got.Target != 0.5 || got.Value < 0.39 || got.Value > 0.41 {
		t.Fatalf("Read = %+v, %v; want digitalocean_cpu 0.4 (of 0.2 and 0.6) against 0.5", got, err)
	}
}
