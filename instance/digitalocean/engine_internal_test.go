package digitalocean

import (
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean/dofake"
)

func TestEngineAddr(t *testing.T) {
	pub := instance.Address{Kind: instance.AddressPublic, IP: "203.0.113.7"}
	priv := instance.Address{Kind: instance.AddressPrivate, IP: "10.110.0.3"}
	pub6 := instance.Address{Kind: instance.AddressPublic, IP: "2a03:b0c0:3:d0::1"}
	tests := []struct {
		name  string
		addrs []instance.Address
		want  string
	}{
		{"public and private", []instance.Address{priv, pub}, "tcp://203.0.113.7:2376"},
		{"private only", []instance.Address{priv}, "tcp://10.110.0.3:2376"},
		{"IPv6 is not used", []instance.Address{pub6, priv}, "tcp://10.110.0.3:2376"},
		{"no address yet", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := engineAddr(tt.addrs); got != tt.want {
				t.Errorf("engineAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

// A booted droplet is described with its engine's address; one that is
// still new has none.
func TestDescribeEngineTag(t *testing.T) {
	e := newEnv(t, dofake.Options{}) // droplets are active at their first read
	id, err := e.plugin.Provision(t.Context(), instance.Spec{Name: "o-w-1", Properties: goodProps(), Tags: map[string]string{instance.TagOwner: "o"}})
	if err != nil {
		t.Fatal(err)
	}
	descs, err := e.plugin.Describe(t.Context(), map[string]string{instance.TagOwner: "o"})
	if err != nil || len(descs) != 1 || descs[0].ID != id {
		t.Fatalf("Describe = %+v, %v", descs, err)
	}
	var public string
	for _, a := range descs[0].Addresses {
		if a.Kind == instance.AddressPublic {
			public = a.IP
		}
	}
	if got, want := descs[0].Tags[instance.TagEngine], "tcp://"+public+":2376"; public == "" || got != want {
		t.Errorf("engine tag %q, want %q", got, want)
	}
}
