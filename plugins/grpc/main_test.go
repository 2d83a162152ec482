package plugingrpc

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/internal/syncbuf"
)

// serveEnv makes the test binary a plugin: it names what to serve.
const serveEnv = "DROVER_PLUGINGRPC_TEST_SERVE"

// TestMain serves a plugin when the test binary is started as one (by
// startProcess), and runs the tests otherwise.
func TestMain(m *testing.M) {
	switch os.Getenv(serveEnv) {
	case "":
		os.Exit(m.Run())
	case "full":
		Serve(ServeConfig{
			Instance: &InstanceProvider{
				ProviderSchema: vanillaLikeSchema(),
				New: func(context.Context, json.RawMessage) (instance.Plugin, error) {
					return newFull(), nil
				},
				Capabilities: fullCapabilities(),
			},
			Flavor: func() *FlavorProvider { p := vanillaProvider(); return &p }(),
		})
	case "hang":
		Serve(ServeConfig{Instance: &InstanceProvider{
			New: func(context.Context, json.RawMessage) (instance.Plugin, error) {
				return &hanging{release: make(chan struct{}), seen: make(chan context.Context, 1<<16)}, nil
			},
		}})
	case "describe1000":
		Serve(ServeConfig{Instance: &InstanceProvider{
			New: func(context.Context, json.RawMessage) (instance.Plugin, error) {
				return fleet(), nil
			},
		}})
	}
	os.Exit(2)
}

// startProcess starts the test binary as a plugin serving mode, through
// go-plugin's real client, as drover does.
func startProcess(t testing.TB, mode string) (*plugin.Client, plugin.ClientProtocol) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	// A race-enabled child would sleep 1 s at exit (GORACE atexit_sleep_ms).
	cmd.Env = []string{serveEnv + "=" + mode, "GORACE=atexit_sleep_ms=0"}
	logs := &syncbuf.Buffer{}
	cfg := ClientConfig(cmd, hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Debug}))
	client := plugin.NewClient(cfg)
	t.Cleanup(func() {
		client.Kill()
		if t.Failed() {
			t.Logf("the plugin's logs:\n%s", logs)
		}
	})
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start the plugin: %v", err)
	}
	return client, rpc
}

// dispense returns the client of one SPI of a started plugin.
func dispense[T any](t testing.TB, rpc plugin.ClientProtocol, name string) T {
	t.Helper()
	raw, err := rpc.Dispense(name)
	if err != nil {
		t.Fatalf("Dispense(%s): %v", name, err)
	}
	c, ok := raw.(T)
	if !ok {
		t.Fatalf("Dispense(%s) = %T", name, raw)
	}
	return c
}
