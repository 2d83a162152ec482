package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/drover/drover/flavor"
	"github.com/drover/drover/flavor/vanilla"
	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/fake"
	plugingrpc "github.com/drover/drover/plugins/grpc"
	"github.com/drover/drover/plugins/sdk"
	"github.com/drover/drover/spierr"
	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
)

const serveEnv = "DROVER_SDK_TEST_SERVE"

// TestMain makes the test binary a plugin built with the SDK when started
// as one.
func TestMain(m *testing.M) {
	switch os.Getenv(serveEnv) {
	case "instance":
		sdk.ServeInstance(sdk.InstanceProvider{
			New: func(context.Context, json.RawMessage) (instance.Plugin, error) { return fake.New(nil), nil },
		})
	case "flavor":
		sdk.ServeFlavor(sdk.FlavorProvider{
			Schema: vanilla.Schema(),
			New:    func(context.Context) (flavor.Plugin, error) { return vanilla.New(), nil },
		})
	default:
		os.Exit(m.Run())
	}
	os.Exit(2)
}

// TestServe: a binary whose main is sdk.ServeInstance or sdk.ServeFlavor
// serves that SPI, and only that one.
func TestServe(t *testing.T) {
	tests := []struct{ mode, serves, lacks string }{
		{"instance", plugingrpc.PluginInstance, plugingrpc.PluginFlavor},
		{"flavor", plugingrpc.PluginFlavor, plugingrpc.PluginInstance},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			self, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(self)
			// A race-enabled child would sleep 1 s at exit (GORACE atexit_sleep_ms).
			cmd.Env = []string{serveEnv + "=" + tt.mode, "GORACE=atexit_sleep_ms=0"}
			client := plugin.NewClient(plugingrpc.ClientConfig(cmd, hclog.New(&hclog.LoggerOptions{Output: io.Discard})))
			defer client.Kill()
			rpc, err := client.Client()
			if err != nil {
				t.Fatal(err)
			}
			raw, err := rpc.Dispense(tt.serves)
			if err != nil {
				t.Fatalf("Dispense(%s): %v", tt.serves, err)
			}
			switch c := raw.(type) {
			case *plugingrpc.InstanceClient:
				p, err := c.Configure(t.Context(), "p", json.RawMessage(`{}`))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Describe(t.Context(), nil); err != nil {
					t.Errorf("Describe: %v", err)
				}
			case *plugingrpc.FlavorClient:
				info, err := c.Info(t.Context())
				if err != nil || len(info.Schema.Attributes) != len(vanilla.Schema().Attributes) {
					t.Errorf("Info = %+v, %v; want vanilla's schema", info, err)
				}
			}
			// go-plugin's Dispense succeeds whatever the binary serves:
			// Info says.
			other, err := rpc.Dispense(tt.lacks)
			if err != nil {
				t.Fatal(err)
			}
			switch c := other.(type) {
			case *plugingrpc.InstanceClient:
				_, err = c.Info(t.Context())
			case *plugingrpc.FlavorClient:
				_, err = c.Info(t.Context())
			}
			if !errors.Is(err, spierr.ErrUnsupported) {
				t.Errorf("Info of %s, which the binary does not serve = %v, want spierr.ErrUnsupported", tt.lacks, err)
			}
		})
	}
}
