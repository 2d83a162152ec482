package main_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker/dockertest"
	"github.com/drover/drover/instance/instancetest"
	"github.com/drover/drover/internal/syncbuf"
	plugingrpc "github.com/drover/drover/plugins/grpc"
)

// TestConformanceOverGRPC builds this example plugin, starts it as drover
// starts external plugins (go-plugin, gRPC, AutoMTLS, no inherited
// environment) and runs the instance conformance suite against it, with
// the properties the built-in docker provider's own conformance test uses.
func TestConformanceOverGRPC(t *testing.T) {
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	demo := dockertest.DemoImage(t)

	bin := filepath.Join(t.TempDir(), "drover-plugin-dockerx")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	logs := &syncbuf.Buffer{}
	client := plugin.NewClient(plugingrpc.ClientConfig(cmd, hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Debug})))
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
	raw, err := rpc.Dispense(plugingrpc.PluginInstance)
	if err != nil {
		t.Fatal(err)
	}
	c := raw.(*plugingrpc.InstanceClient)
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info.Capabilities, instance.Watching.Name()) || info.InstanceSchema == nil {
		t.Fatalf("Info = %+v: want the docker schemas and a watcher", info)
	}
	p, err := c.Configure(t.Context(), "local", json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(map[string]any{
		"image":  demo,
		"env":    map[string]string{"GREETING": "conformance over gRPC"},
		"labels": map[string]string{"app": "demo"},
		"ports":  []string{"8080/tcp"},
	})
	instancetest.Run(t, instancetest.Harness{
		New:        func(*testing.T) instance.Plugin { return p },
		Properties: good,
		BadProperties: []json.RawMessage{
			json.RawMessage(`{}`),
			json.RawMessage(`{"image": "x", "bogus": 1}`),
			json.RawMessage(`{"image": 3}`),
			json.RawMessage(`{"image": "x", "ports": ["http"]}`),
			json.RawMessage(`{"image": "x", "labels": {"drover.group": "mine"}}`),
		},
		Tags: dockertest.Tags(t, map[string]string{instance.TagOwner: dockertest.Name(t, "")}),
		Settle: func(t *testing.T, check func() error) {
			dockertest.WaitFor(t, 10*time.Second, func() (bool, error) { err := check(); return err == nil, err })
		},
	})
}
