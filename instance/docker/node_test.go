package docker_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/drover/drover/instance"
	"github.com/drover/drover/instance/docker"
	"github.com/drover/drover/instance/docker/dockertest"
)

// TestNodeWithPreload: a node runs its own engine, reachable through the
// socket its label names, with the host's demo image preloaded (and able
// to run it); Destroy removes the socket directory.
func TestNodeWithPreload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	img := dockertest.NodeImage(t, e.cli)
	s := spec(t, "node", props(t, docker.Properties{Image: img, Node: true, PreloadImages: []string{e.demo}}))
	start := time.Now()
	id := e.provision(t, s)
	t.Logf("node started, engine up and %s preloaded in %v", e.demo, time.Since(start).Round(time.Millisecond))

	d := e.describe(t, s, id)
	dir := filepath.Join(e.plugin.SocketDir(), s.Name)
	if want := "unix://" + filepath.Join(dir, "docker.sock"); d.Tags[docker.TagEngine] != want {
		t.Fatalf("engine label = %q, want %q", d.Tags[docker.TagEngine], want)
	}
	node, err := client.NewClientWithOpts(client.WithHost(d.Tags[docker.TagEngine]), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	if _, err := node.ImageInspect(ctx(t), e.demo); err != nil {
		t.Fatalf("the preloaded image is not in the node: %v", err)
	}
	app, err := node.ContainerCreate(ctx(t), &container.Config{Image: e.demo}, nil, nil, nil, "app")
	if err != nil {
		t.Fatalf("create in the node: %v", err)
	}
	if err := node.ContainerStart(ctx(t), app.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start in the node: %v", err)
	}
	dockertest.WaitFor(t, time.Minute, func() (bool, error) {
		c, err := node.ContainerInspect(ctx(t), app.ID)
		return err == nil && c.State.Running, err
	})

	if err := e.plugin.Destroy(ctx(t), id, instance.DestroyTerminate); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the socket directory %s is still there after Destroy (%v)", dir, err)
	}
}

// TestNodePreloadMissingImage: a preload image the host lacks is refused
// before anything is created.
func TestNodePreloadMissingImage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "nopreload", props(t, docker.Properties{Image: e.demo, Node: true, PreloadImages: []string{"drover-test/absent:1"}}))
	if _, err := e.plugin.Provision(ctx(t), s); err == nil {
		t.Fatal("a node with a missing preload image was provisioned")
	}
	assertNoContainer(t, e, s.Name)
	if _, err := os.Stat(filepath.Join(e.plugin.SocketDir(), s.Name)); !os.IsNotExist(err) {
		t.Errorf("a socket directory was made for a node that was refused (%v)", err)
	}
}

// TestNodeExitsBeforeEngine: a "node" whose container stops before its
// engine answers fails Provision at once (not at the deadline) and is
// removed. The demo image stands in for a node image without dockerd.
func TestNodeExitsBeforeEngine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec(t, "deadnode", props(t, docker.Properties{
		Image: e.demo, Node: true, Env: map[string]string{"CRASH": "1"}, PreloadImages: []string{e.demo},
	}))
	start := time.Now()
	_, err := e.plugin.Provision(ctx(t), s)
	if err == nil {
		t.Fatal("a node without an engine was provisioned")
	}
	t.Logf("failed after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if time.Since(start) > 40*time.Second { // well before ctx's minute ends the wait; room for a loaded machine
		t.Errorf("took %v to notice the node had stopped", time.Since(start))
	}
	assertNoContainer(t, e, s.Name)
	if _, err := os.Stat(filepath.Join(e.plugin.SocketDir(), s.Name)); !os.IsNotExist(err) {
		t.Errorf("the socket directory is left behind (%v)", err)
	}
}

// TestNodeCreateFailure: a node the engine refuses to create leaves no
// socket directory, and a node whose name is taken does not lose the
// directory of the node that has it.
func TestNodeCreateFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bad := spec(t, "badnode", props(t, docker.Properties{Image: e.demo, Node: true}))
	bad.Name = "bad node name"
	if _, err := e.plugin.Provision(ctx(t), bad); err == nil {
		t.Fatal("a node with an invalid name was provisioned")
	}
	if _, err := os.Stat(filepath.Join(e.plugin.SocketDir(), bad.Name)); !os.IsNotExist(err) {
		t.Errorf("the socket directory of a refused node is left behind (%v)", err)
	}

	s := spec(t, "takennode", props(t, docker.Properties{Image: e.demo, Node: true}))
	e.provision(t, s) // the demo app stands in for dockerd: nothing is preloaded
	dir := filepath.Join(e.plugin.SocketDir(), s.Name)
	if _, err := e.plugin.Provision(ctx(t), s); err == nil {
		t.Fatal("a second node of the same name was provisioned")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the existing node's socket directory is gone after a conflicting provision: %v", err)
	}
}
