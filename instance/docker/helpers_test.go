package docker_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/docker/dockertest"
)

// callTimeout bounds one plugin call in the tests.
const callTimeout = time.Minute

// env is what an engine test needs: the engine, the plugin under test
// (with a private socket directory) and the demo image.
type env struct {
	cli    *client.Client
	plugin *docker.Plugin
	demo   string
}

// newEnv connects, cleans up around the test and builds the demo image.
func newEnv(t *testing.T) *env {
	t.Helper()
	cli := dockertest.Client(t)
	dockertest.Cleanup(t, cli)
	return &env{cli: cli, plugin: newPlugin(t), demo: dockertest.DemoImage(t)}
}

// newPlugin returns a plugin on the local engine whose socket directory is
// the test's temporary directory.
func newPlugin(t *testing.T) *docker.Plugin {
	t.Helper()
	cfg, _ := json.Marshal(docker.Config{SocketDir: t.TempDir()})
	p, err := docker.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// ctx returns a context bounded by callTimeout that ends with the test.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return c
}

// props marshals properties.
func props(t *testing.T, p docker.Properties) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// spec returns a spec for a test container named after the test.
func spec(t *testing.T, suffix string, p json.RawMessage) instance.Spec {
	return instance.Spec{
		Name:       dockertest.Name(t, suffix),
		Properties: p,
		Tags: dockertest.Tags(t, map[string]string{
			instance.TagOwner: dockertest.Name(t, ""),
			instance.TagGroup: suffix,
		}),
	}
}

// provision provisions s and returns its id; the container is removed by
// dockertest.Cleanup.
func (e *env) provision(t *testing.T, s instance.Spec) instance.ID {
	t.Helper()
	id, err := e.plugin.Provision(ctx(t), s)
	if err != nil {
		t.Fatalf("Provision(%s): %v", s.Name, err)
	}
	return id
}

// describe returns the description of id, selected by the spec's group.
func (e *env) describe(t *testing.T, s instance.Spec, id instance.ID) instance.Description {
	t.Helper()
	got, err := e.plugin.Describe(ctx(t), map[string]string{
		dockertest.LabelRun: dockertest.RunID(), instance.TagGroup: s.Tags[instance.TagGroup],
	})
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	for _, d := range got {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("Describe does not list %s: %+v", id, got)
	return instance.Description{}
}

// ctxCancelled returns a context and its cancel function.
func ctxCancelled(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
