package plugingrpc

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	"github.com/drover/drover/instance/instancetest"
)

// conformance runs the instance conformance suite on a configured plugin;
// bad are properties its Validate refuses.
func conformance(t *testing.T, p instance.Plugin, bad ...json.RawMessage) {
	instancetest.Run(t, instancetest.Harness{
		New:           func(*testing.T) instance.Plugin { return p },
		Properties:    json.RawMessage(`{"size":"small"}`),
		BadProperties: bad,
		Tags:          map[string]string{"test.run": "plugingrpc"},
	})
}

// badSizes are properties the full plugin refuses.
var badSizes = []json.RawMessage{json.RawMessage(`{}`), json.RawMessage(`[]`), json.RawMessage(`{"size":""}`)}

// TestConformanceInMemory: the fake plugin passes the suite over gRPC
// (go-plugin's in-memory connection), without and with a Watcher.
func TestConformanceInMemory(t *testing.T) {
	t.Run("fake", func(t *testing.T) {
		conformance(t, configure(t, dialInstance(t, provide(fake.New(nil))), "p"))
	})
	t.Run("watcher", func(t *testing.T) {
		p := provide(newFull())
		p.Capabilities = fullCapabilities()
		conformance(t, configure(t, dialInstance(t, p), "p"), badSizes...)
	})
}

// TestConformanceProcess: the suite passes against a plugin process, the
// test binary re-executed, started by go-plugin's client as drover starts
// plugins (handshake, AutoMTLS, no inherited environment).
func TestConformanceProcess(t *testing.T) {
	_, rpc := startProcess(t, "full")
	c := dispense[*InstanceClient](t, rpc, PluginInstance)
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Capabilities, []string{"cpu", "label", "watch"}) || info.ProviderSchema.Attributes[0].Name != "region" {
		t.Errorf("Info = %+v, want the full plugin's schemas and capabilities", info)
	}
	conformance(t, configure(t, c, "p"), badSizes...)
}
