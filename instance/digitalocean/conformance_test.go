package digitalocean

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/digitalocean/dofake"
	"github.com/drover/drover/instance/instancetest"
	"github.com/drover/drover/internal/await"
)

func settle(t *testing.T, check func() error) {
	t.Helper()
	await.Until(t, 10*time.Second, func() (bool, error) { err := check(); return err == nil, err })
}

func bad() []json.RawMessage {
	return []json.RawMessage{
		json.RawMessage(`{}`),
		json.RawMessage(`"size"`),
		json.RawMessage(`{"size":"s-1vcpu-1gb"}`),
		json.RawMessage(`{"image":"docker-20-04"}`),
		json.RawMessage(`{"size":"s-1vcpu-1gb","image":"docker-20-04","bogus":1}`),
		json.RawMessage(`{"size":3,"image":"docker-20-04"}`),
		json.RawMessage(`{"size":"S 1","image":"docker-20-04"}`),
		json.RawMessage(`{"size":"s-1vcpu-1gb","image":"docker-20-04","tags":["a b"]}`),
		json.RawMessage(`{"size":"s-1vcpu-1gb","image":"docker-20-04","tags":["x:y"]}`),
		json.RawMessage(`{"size":"s-1vcpu-1gb","image":"docker-20-04","vpc_uuid":"nope"}`),
		json.RawMessage(`{"size":"s-1vcpu-1gb","image":"docker-20-04","ssh_keys":[""]}`),
	}
}

// TestConformance runs the SPI suite against the plugin on the fake, first
// with instant boots, then with boots and lagging lists.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   dofake.Options
		faults dofake.Faults
	}{
		{"instant", dofake.Options{}, dofake.Faults{}},
		{"lagging", dofake.Options{BootTime: 300 * time.Millisecond}, dofake.Faults{ListLag: 500 * time.Millisecond, Latency: 2 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts)
			e.fake.Inject(tc.faults)
			instancetest.Run(t, instancetest.Harness{
				New:           func(t *testing.T) instance.Plugin { return e.plugin },
				Properties:    goodProps(),
				BadProperties: bad(),
				Tags:          map[string]string{instance.TagOwner: "conformance-" + tc.name},
				Settle:        settle,
				Timeout:       30 * time.Second,
			})
		})
	}
}
